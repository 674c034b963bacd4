import { RewardEngine } from '../../src/core/engine.js';
import type { Config } from '../../src/core/config.js';

/** A resolved config from a partial one, through the real schema (so tests use real defaults). */
export function configWith(raw: unknown = {}): Config {
  return new RewardEngine().config(raw);
}

// The one scoring core that every transport (HTTP, gRPC, CLI, trainer adapters) calls: a whole batch at
// once (`score`), rollouts as they arrive (`session`), or advantages of rewards computed elsewhere.
import { computeAdvantages } from '../advantages/compute.js';
import { ConfigSchema, type Config } from './config.js';
import type { FieldError, GroupStats, ScoreResponse } from '../contract/types.js';
import { scoreBatch, type BatchOptions } from './batch.js';
import { createRegistry, type RegistryOptions } from '../verifiers/index.js';
import { ScoreSession, type SessionOptions } from './session.js';
import type { VerifierRegistry } from '../verifiers/registry.js';
import type { Verifier } from '../verifiers/types.js';

export class ConfigError extends Error {
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.path}: ${f.message}`).join('; '));
  }
}

export interface EngineOptions extends RegistryOptions {
  /** a raw config every request's config is merged over (the server's or CLI's --config file) */
  baseConfig?: unknown;
  registry?: VerifierRegistry;
}

export class RewardEngine {
  private readonly registry: VerifierRegistry;
  readonly configSchema: ConfigSchema;
  private readonly base: unknown;

  constructor(opts: EngineOptions = {}) {
    this.registry = opts.registry ?? createRegistry(opts);
    this.configSchema = new ConfigSchema(this.registry);
    this.base = opts.baseConfig;
    const check = this.configSchema.resolve(this.base, undefined, 'base config');
    if ('errors' in check) throw new ConfigError(check.errors);
  }

  /** The request's config merged over the base, defaults filled; throws ConfigError naming every bad key. */
  config(raw?: unknown): Config {
    const r = this.configSchema.resolve(raw, this.base);
    if ('errors' in r) throw new ConfigError(r.errors);
    return r.config;
  }

  score(rollouts: readonly unknown[], config: Config, opts?: BatchOptions): Promise<ScoreResponse> {
    return scoreBatch(rollouts, config, this.registry, opts);
  }

  /** A streaming session over this engine (see ScoreSession); throws SessionError for a config it cannot stream. */
  session(config: Config, opts: SessionOptions): ScoreSession {
    return new ScoreSession(this.registry, config, opts);
  }

  /** The verifier of a task type (its answer key, for evaluation), or undefined. */
  verifier(type: string): Verifier | undefined {
    return this.registry.get(type);
  }

  /** The task types this engine verifies. */
  taskTypes(): string[] {
    return this.registry.verifiers().map((v) => v.type);
  }

  advantages(rewards: readonly (number | null)[], groups: readonly string[], config: Config): { advantages: number[]; groups: GroupStats[] } {
    return computeAdvantages(rewards, groups, config.advantage);
  }

  ready(): boolean {
    return this.registry.ready();
  }

  close(): Promise<void> {
    return this.registry.close();
  }
}

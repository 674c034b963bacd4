import { CodeVerifier } from '../code/verifier.js';
import { createMathVerifier } from '../math/verifier.js';
import { exactVerifier } from './exact.js';
import { VerifierRegistry } from './registry.js';

export interface RegistryOptions {
  /** worker and sandbox pool sizes default to the machine's cores */
  workers?: number;
}

/** The built-in task types. Adding one: write a Verifier module, register it here. */
export function createRegistry(opts: RegistryOptions = {}): VerifierRegistry {
  const registry = new VerifierRegistry();
  registry.register(exactVerifier);
  registry.register(new CodeVerifier(opts.workers ? { concurrency: opts.workers } : {}));
  registry.register(createMathVerifier(opts.workers ? { workers: opts.workers } : {}));
  return registry;
}

import type { Config } from './config.js';
import type { VerifierRegistry } from '../verifiers/registry.js';

/** Everything scoring needs besides the rollout. Transports build one per request. */
export interface ScoreContext {
  config: Config;
  registry: VerifierRegistry;
  /** aborted at the request's deadline or when the caller goes away */
  signal: AbortSignal;
  /** why `signal` aborted: decides the status of rollouts cut short */
  abortStatus?: () => 'deadline_exceeded' | 'cancelled';
  /** prompt text -> detected language, shared by a request (a group shares its prompt) */
  promptLanguages?: Map<string, string | null>;
}

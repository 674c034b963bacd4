import type { TObject, TSchema } from '@sinclair/typebox';
import type { Rollout, Status, Task } from '../contract/types.js';

/** What a verifier sees: the rollout, its validated task, the answer part already split off. */
export interface VerifyInput<T extends Task = Task> {
  rollout: Rollout;
  task: T;
  /** text after the closing </think> when there is one, else the whole completion */
  answer: string;
  /** the resolved request config: a verifier reads its own section, `config[type]` (validated, defaults filled) */
  config: Readonly<Record<string, unknown>>;
  /** aborted when the request's deadline passes or the caller goes away; heavy verifiers must stop work */
  signal: AbortSignal;
}

export interface VerifyOutcome {
  /** in [0, 1]; null when correctness cannot be decided (then status says why) */
  accuracy: number | null;
  status: Status;
  error?: string;
  details: Record<string, unknown>;
}

/**
 * A task type. Adding one is one module that exports a Verifier and one `register` call.
 * `taskSchema` is checked before `verify` runs, so verify may trust the task's shape.
 * `configSchema` becomes the request config section named after `type` (every key optional, with a default).
 */
export interface Verifier<T extends Task = Task> {
  readonly type: string;
  readonly description: string;
  readonly taskSchema: TSchema;
  readonly configSchema?: TObject;
  verify(input: VerifyInput<T>): Promise<VerifyOutcome> | VerifyOutcome;
  /** release workers, sandboxes, pools */
  close?(): Promise<void>;
  /** false while warming up or unable to serve (drives /readyz) */
  ready?(): boolean;
}

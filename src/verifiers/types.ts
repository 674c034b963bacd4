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

/** A prediction's answer in canonical form, for majority voting (the parse half of Math-Verify's parse/verify split). */
export interface AnswerKey {
  /** canonical form: equal keys vote together without further checks */
  key: string;
  /** the extracted answer as written (what pairwise equivalence re-reads) */
  text: string;
}

/** What answerKey sees: no gold, only the answer part and the config. */
export interface AnswerKeyInput {
  answer: string;
  config: Readonly<Record<string, unknown>>;
  signal: AbortSignal;
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
  /** The prediction's answer key without a gold; null when there is no extractable answer. Throws on timeout. */
  answerKey?(input: AnswerKeyInput): Promise<AnswerKey | null> | AnswerKey | null;
  /**
   * Pairwise equivalence over distinct keys (canonical forms already merged): for each key, the index of an
   * earlier key it is equivalent to, or its own index. Bounded cost; keys it could not compare stay apart.
   */
  mergeKeys?(keys: readonly AnswerKey[], input: Omit<AnswerKeyInput, 'answer'>): Promise<number[]> | number[];
  /** release workers, sandboxes, pools */
  close?(): Promise<void>;
  /** false while warming up or unable to serve (drives /readyz) */
  ready?(): boolean;
}

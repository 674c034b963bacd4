// The data contract. Trainers, scripts and other tools depend on these shapes: change them only additively.

/** Why a rollout has (or lacks) a reward. `ok` is the only status that means "scored normally". */
export type Status =
  | 'ok'
  | 'invalid_rollout' // the rollout object itself is malformed (e.g. no completion)
  | 'invalid_task' // the task is malformed or its gold cannot be parsed
  | 'unknown_task_type'
  | 'timeout' // a verifier ran past its budget
  | 'deadline_exceeded' // the request's deadline passed before this rollout was scored
  | 'cancelled' // the caller went away
  | 'sandbox_error' // infrastructure fault while running code: never a reward
  | 'unscored' // a weighted component could not be computed for this rollout (error says which)
  | 'internal_error';

export const STATUSES: readonly Status[] = [
  'ok', 'invalid_rollout', 'invalid_task', 'unknown_task_type', 'timeout',
  'deadline_exceeded', 'cancelled', 'sandbox_error', 'unscored', 'internal_error',
];

/** What "correct" means for a rollout. `type` selects the verifier; other keys belong to it. */
export interface Task {
  type: string;
  [key: string]: unknown;
}

export interface Rollout {
  id?: string;
  group?: string;
  prompt?: string;
  completion: string;
  task?: Task;
  language?: string;
  /** Completion length in tokens, when the trainer knows it (used by length shaping). */
  completion_tokens?: number;
  [key: string]: unknown;
}

/** The reward components. Every key is always present in a result, whatever the weights. */
export const COMPONENTS = ['accuracy', 'format', 'language', 'length'] as const;
export type Component = (typeof COMPONENTS)[number];
export type Rewards = Record<Component, number | null>;

export interface ScoredRollout {
  [key: string]: unknown;
  completion: string;
  reward: number | null;
  rewards: Rewards;
  advantage: number;
  status: Status;
  error?: string;
  details: Record<string, unknown>;
}

export interface GroupStats {
  group: string;
  /** rollouts in the group */
  size: number;
  /** rollouts with a non-null reward: the ones the statistics use */
  scored: number;
  mean: number | null;
  std: number | null;
  /** every scored reward equal (DAPO's dynamic sampling drops such groups); false for fewer than 2 scored */
  zero_variance: boolean;
}

export interface BatchStats {
  rollouts: number;
  scored: number;
  groups: number;
  mean_reward: number | null;
  std_reward: number | null;
  /** mean of each component over the rollouts where it is non-null */
  component_means: Record<Component, number | null>;
  zero_variance_groups: number;
  frac_zero_variance_groups: number;
  errors: number;
  status_counts: Partial<Record<Status, number>>;
  duration_ms?: number;
}

export interface ScoreResponse {
  results: ScoredRollout[];
  groups: GroupStats[];
  stats: BatchStats;
}

/** One offending place in the input: `path` is like `rollouts[3].task.answer`. */
export interface FieldError {
  path: string;
  message: string;
}

// Proto messages <-> the core's objects. Only the framing changes: nulls become absent fields, open-ended
// objects (task, config, details) travel as JSON text. protobufjs skips null/undefined fields and ignores
// keys the message lacks, so the core's GroupStats / BatchStats / Rewards objects pass through unchanged.
import type { FieldError, ScoreResponse, ScoredRollout } from '../contract/types.js';
import type { RolloutMsg, ScoredRolloutMsg } from './messages.js';

/** Parses a JSON-text field; an absent or empty field is `undefined`. */
export function parseJsonField(text: string | undefined, path: string): { value: unknown } | { error: FieldError } {
  if (text === undefined || text === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: { path, message: `is not valid JSON (${(e as Error).message})` } };
  }
}

/**
 * A Rollout message as the raw object the core validates (field names are the JSON contract's). An absent
 * field stays absent (`completion` has field presence, so a missing one is invalid_rollout, not ""). A
 * task_json that is not JSON is that rollout's fault alone: the rollout comes back without its task, with
 * `invalid` naming the field, for the core to mark invalid_rollout while the rest of the batch is scored.
 */
export function rolloutFromMsg(m: RolloutMsg, path: string): { rollout: Record<string, unknown>; invalid?: FieldError } {
  const r: Record<string, unknown> = {};
  if (m.id !== undefined) r['id'] = m.id;
  if (m.group !== undefined) r['group'] = m.group;
  if (m.prompt !== undefined) r['prompt'] = m.prompt;
  if (m.completion !== undefined) r['completion'] = m.completion;
  if (m.language !== undefined) r['language'] = m.language;
  if (m.completion_tokens !== undefined) r['completion_tokens'] = m.completion_tokens;
  const task = parseJsonField(m.task_json, `${path}.task_json`);
  if ('error' in task) return { rollout: r, invalid: task.error };
  if (task.value !== undefined) r['task'] = task.value;
  return { rollout: r };
}

export function scoredToMsg(r: ScoredRollout, index: number, group: string): ScoredRolloutMsg {
  return {
    index,
    ...(typeof r['id'] === 'string' && { id: r['id'] }),
    group,
    ...(r.reward !== null && { reward: r.reward }),
    rewards: r.rewards as ScoredRolloutMsg['rewards'],
    advantage: r.advantage,
    status: r.status,
    ...(r.error !== undefined && { error: r.error }),
    details_json: JSON.stringify(r.details),
  };
}

export function responseToMsg(res: ScoreResponse, groupOf: (i: number) => string): Record<string, unknown> {
  const status_counts = Object.entries(res.stats.status_counts).map(([status, count]) => ({ status, count }));
  return { results: res.results.map((r, i) => scoredToMsg(r, i, groupOf(i))), groups: res.groups, stats: { ...res.stats, status_counts } };
}

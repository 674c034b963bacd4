// What evaluation keeps of a scored rollout: its group, source, correctness, length, truncation, rates and
// the answer key it votes with. Small, so a file of any length fits as records.
import type { Config } from '../core/config.js';
import type { ScoredRollout, Status, Task } from '../contract/types.js';
import { splitRollout } from '../text/think.js';
import type { AnswerKey } from '../verifiers/types.js';
import type { Verifier } from '../verifiers/types.js';
import { groupKey } from '../core/groups.js';

export interface EvalRecord {
  group: string;
  source: string | null;
  task: string | null;
  status: Status;
  /** null: no accuracy (no task, or the rollout could not be scored) — left out of pass@k and maj@k */
  accuracy: number | null;
  tokens: number;
  tokensEstimated: boolean;
  truncated: boolean;
  format: number | null;
  language: number | null;
  /** the vote: undefined when the task type has no answer key, null when there is no extractable answer */
  key: AnswerKey | null | undefined;
  keyError?: string;
}

export interface KeyContext {
  config: Config;
  /** the verifier of a task type (the engine's `verifier`) */
  verifier: (type: string) => Verifier | undefined;
  signal: AbortSignal;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The `source` (or `data_source`, veRL's name) a row carries. */
export function sourceOf(row: Record<string, unknown>): string | null {
  return str(row['source']) ?? str(row['data_source']);
}

/** The part of the completion a verifier reads, as scoring split it (null: an unclosed thought, no answer). */
export function answerPart(row: ScoredRollout, config: Config): string | null {
  const prompt = typeof row['prompt'] === 'string' ? row['prompt'] : undefined;
  return splitRollout(prompt, row.completion, config.format).answer;
}

/** Code votes by its passed-test signature (which tests pass), where tests ran; else it has no vote. */
function codeSignature(row: ScoredRollout): AnswerKey | null | undefined {
  const acc = row.details['accuracy'] as { tests?: { verdict?: string }[]; reason?: string } | undefined;
  if (acc?.reason === 'no_code') return null;
  if (!Array.isArray(acc?.tests) || acc.tests.length === 0) return undefined;
  const sig = acc.tests.map((t) => (t.verdict === 'passed' ? '1' : '0')).join('');
  return { key: `tests:${sig}`, text: `${[...sig].filter((c) => c === '1').length}/${sig.length} tests passed (${sig})` };
}

async function voteOf(row: ScoredRollout, ctx: KeyContext): Promise<{ key: AnswerKey | null | undefined; error?: string }> {
  const task = row['task'] as Task | undefined;
  if (row.rewards.accuracy === null || !task || typeof task.type !== 'string') return { key: undefined };
  if (task.type === 'code') return { key: codeSignature(row) };
  const verifier = ctx.verifier(task.type);
  if (!verifier?.answerKey) return { key: undefined };
  try {
    const answer = answerPart(row, ctx.config);
    // an unclosed thought has no answer: no vote
    if (answer === null) return { key: null };
    return { key: await verifier.answerKey({ answer, config: ctx.config, signal: ctx.signal }) };
  } catch (e) {
    return { key: null, error: (e as Error).message };
  }
}

export function tokensOf(row: ScoredRollout, config: Config): { tokens: number; estimated: boolean } {
  const given = row['completion_tokens'];
  if (typeof given === 'number' && Number.isFinite(given)) return { tokens: given, estimated: false };
  const len = row.details['length'] as { tokens?: number; estimated?: boolean } | undefined;
  if (typeof len?.tokens === 'number') return { tokens: len.tokens, estimated: len.estimated ?? true };
  return { tokens: Math.ceil(row.completion.length / config.length.chars_per_token), estimated: true };
}

/** Unclosed thought (the format rule that failed), or the generator stopped at its token limit. */
export function truncatedOf(row: ScoredRollout): boolean {
  if (row['finish_reason'] === 'length' || row['truncated'] === true) return true;
  const fmt = row.details['format'] as { rule_failed?: string | null } | undefined;
  return fmt?.rule_failed === 'missing_think_close';
}

export async function toRecord(row: ScoredRollout, index: number, ctx: KeyContext): Promise<EvalRecord> {
  const vote = await voteOf(row, ctx);
  const t = tokensOf(row, ctx.config);
  const task = row['task'] as Task | undefined;
  const rec: EvalRecord = {
    group: typeof row.details['group'] === 'string' ? row.details['group'] : groupKey(row, index),
    source: sourceOf(row),
    task: task && typeof task.type === 'string' ? task.type : null,
    status: row.status,
    accuracy: row.rewards.accuracy,
    tokens: t.tokens,
    tokensEstimated: t.estimated,
    truncated: truncatedOf(row),
    format: row.rewards.format,
    language: row.rewards.language,
    key: vote.key,
  };
  if (vote.error) rec.keyError = vote.error;
  return rec;
}

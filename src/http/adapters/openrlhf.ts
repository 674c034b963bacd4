// OpenRLHF remote reward: `--reward.remote_url http://host:8000/get_reward` (older: --remote_rm_url).
// POST {query, prompts, labels} -> {rewards, scores, extra_logs}. OpenRLHF sends one sample per call and
// gives the other servers of a comma-separated list empty lists, so [] is a normal request.
//
// OpenRLHF turns `rewards` into a float tensor: it has no null. A rollout that cannot be scored gets
// reward 0 there, never silently: extra_logs.r1_unscored is 1 for it (OpenRLHF logs extra_logs as
// metrics), the server logs its status and counts it in r1_reward_rollouts_total{status}. Likewise a
// prompt not found in its query: the whole query is scored, flagged in extra_logs.r1_prompt_not_found,
// `details[i].prompt_found` and a warning.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { COMPONENTS, type FieldError, type ScoredRollout } from '../../contract/types.js';
import { badRequest, bodyCheck } from '../replies.js';
import { labelToTask } from './labels.js';
import { sendFloats } from '../float-json.js';
import { isScoreResponse, markUnscored, scoreForAdapter } from './score.js';

/** Trailing end-of-sequence / padding tokens, left in because OpenRLHF decodes with skip_special_tokens=False. */
const TRAILING_SPECIAL = /(?:\s*(?:<\|[^<>|]{1,40}\|>|<｜[^<>｜]{1,40}｜>|<\/s>|<pad>|<eos>))+\s*$/u;

/** The completion: `query` is prompt + response, decoded; a tokenizer may have prepended a BOS token. */
export function completionFrom(query: string, prompt: string | undefined): { completion: string; prompt_found: boolean } {
  let rest = query;
  let found = false;
  if (prompt) {
    const at = query.startsWith(prompt) ? 0 : query.indexOf(prompt);
    if (at >= 0) {
      rest = query.slice(at + prompt.length);
      found = true;
    }
  }
  return { completion: rest.replace(TRAILING_SPECIAL, ''), prompt_found: found };
}

export const OpenRlhfRequestSchema = Type.Object(
  {
    query: Type.Array(Type.String(), { description: 'prompt + response, decoded, one per sample' }),
    prompts: Type.Optional(Type.Array(Type.String(), { description: "each sample's prompt (null: none sent)" })),
    labels: Type.Optional(Type.Array(Type.Unknown(), { description: "each sample's ground truth (the --label_key column)" })),
  },
  { additionalProperties: true },
);
const checkBody = bodyCheck(OpenRlhfRequestSchema);

/** The body's field errors: the schema's, then the lengths that must agree (prompts and labels: null = not sent). */
function requestErrors(body: unknown, maxRollouts: number): FieldError[] {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : body;
  if (b !== null && typeof b === 'object' && !Array.isArray(b)) {
    const o = b as Record<string, unknown>;
    for (const k of ['prompts', 'labels']) if (o[k] === null) delete o[k];
  }
  const errors = checkBody(b);
  if (errors.length) return errors;
  const { query, prompts, labels } = b as { query: string[]; prompts?: string[]; labels?: unknown[] };
  if (prompts && prompts.length !== query.length) errors.push({ path: 'prompts', message: `has ${prompts.length} items but query has ${query.length}` });
  if (labels && labels.length !== query.length) errors.push({ path: 'labels', message: `has ${labels.length} items but query has ${query.length}` });
  if (query.length > maxRollouts) errors.push({ path: 'query', message: `has ${query.length} items; the limit is ${maxRollouts}` });
  return errors;
}

export async function openrlhfAdapter(app: FastifyInstance): Promise<void> {
  app.post('/get_reward', { schema: { description: 'OpenRLHF remote reward: {query, prompts, labels} -> {rewards, scores, extra_logs}.', body: OpenRlhfRequestSchema } }, async (request, reply) => {
    const ctx = app.r1;
    const errors = requestErrors(request.body, ctx.options.maxRollouts);
    if (errors.length) return badRequest(reply, errors);
    const body = request.body as { query: string[]; prompts?: string[] | null; labels?: unknown[] | null };
    const query = body.query;
    const prompts = body.prompts ?? undefined;
    const labels = body.labels ?? undefined;

    const promptFound: boolean[] = [];
    const rollouts = query.map((q, i) => {
      const prompt = prompts?.[i];
      const { completion, prompt_found } = completionFrom(q, prompt);
      promptFound.push(prompt_found || !prompt);
      if (prompt && !prompt_found) {
        // Still scored (the whole query as the completion), but visibly: the prompt/query pairing is off.
        request.log.warn({ index: i, prompt_chars: prompt.length, query_chars: q.length }, 'OpenRLHF prompt not found in its query: scoring the whole query as the completion');
      }
      const task = labelToTask(labels?.[i], ctx.options.labelTaskType);
      return { id: String(i), completion, ...(prompt !== undefined && { prompt }), ...(task && { task }) };
    });
    // OpenRLHF sends "" for every label when its label-key flag is unset: with accuracy weighted, such a
    // rollout cannot be scored as asked (never silently format-only).
    const res = await scoreForAdapter(ctx, request, reply, rollouts, (r, config) => {
      if (!labels || config.weights.accuracy === 0) return;
      labels.forEach((l, i) => (l === '' || l === null) && markUnscored(r, i, `labels[${i}] is empty: no gold answer (is OpenRLHF's --label_key / --data.label_key set? For format-only training set weights.accuracy to 0)`));
    });
    if (!isScoreResponse(res)) return res;
    return sendFloats(reply, openrlhfAnswer(res.results, promptFound));
  });
}

/**
 * OpenRLHF stacks each extra_logs key across requests (one rollout per request): every answer carries the
 * same keys with one number per rollout, so a null becomes 0 and r1_unscored says which rollouts those are.
 */
export function openrlhfAnswer(results: readonly ScoredRollout[], promptFound: readonly boolean[]): Record<string, unknown> {
  const rewards = results.map((r) => r.reward ?? 0);
  const extra_logs: Record<string, number[]> = {
    r1_unscored: results.map((r) => (r.reward === null ? 1 : 0)),
    r1_prompt_not_found: promptFound.map((f) => (f ? 0 : 1)),
  };
  for (const c of COMPONENTS) extra_logs[`r1_${c}`] = results.map((r) => r.rewards[c] ?? 0);
  // scores drive OpenRLHF's dynamic filtering (expected in 0..1): accuracy where a task applies.
  const scores = results.map((r) => (r.reward === null ? 0 : (r.rewards.accuracy ?? r.reward)));
  // Per sample, for people reading the response (OpenRLHF ignores keys it does not know).
  const details = results.map((r, i) => ({ status: r.status, ...(r.error !== undefined && { error: r.error }), prompt_found: promptFound[i]! }));
  return { rewards, scores, extra_logs, details };
}

// slime remote reward model: `--rm-type remote_rm --rm-url http://host:8000/slime/reward --reward-key reward`.
// POST {prompt, response, label} (one sample per call) -> an object; slime picks the field named by
// --reward-key:
//   reward   the combined reward, or null when the rollout cannot be scored (slime then fails loudly
//            rather than train on a made-up value)
//   score    the same, with 0 in place of null (pair with `scored` when a run must not stop)
//   scored, status, error, rewards (each component), advantage is not sent (slime computes its own).
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../contract/types.js';
import { badRequest } from '../replies.js';
import { labelToTask } from './labels.js';
import { isScoreResponse, scoreForAdapter } from './score.js';

export async function slimeAdapter(app: FastifyInstance): Promise<void> {
  app.post('/slime/reward', { schema: { description: 'slime remote reward: {prompt, response, label} -> {reward, score, scored, status, rewards}.' } }, async (request, reply) => {
    const ctx = app.r1;
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return badRequest(reply, [{ path: '(root)', message: 'must be a JSON object with `response`' }]);
    const b = body as Record<string, unknown>;
    const errors: FieldError[] = [];
    if (typeof b['response'] !== 'string') errors.push({ path: 'response', message: b['response'] === undefined ? 'is required' : 'must be a string' });
    if (b['prompt'] !== undefined && b['prompt'] !== null && typeof b['prompt'] !== 'string') errors.push({ path: 'prompt', message: 'must be a string' });
    if (errors.length) return badRequest(reply, errors);
    const task = labelToTask(b['label'], ctx.options.labelTaskType);
    const rollout = { completion: b['response'] as string, ...(typeof b['prompt'] === 'string' && { prompt: b['prompt'] }), ...(task && { task }) };
    const res = await scoreForAdapter(ctx, request, reply, [rollout]);
    if (!isScoreResponse(res)) return res;
    const r = res.results[0]!;
    return {
      reward: r.reward,
      score: r.reward ?? 0,
      scored: r.reward !== null,
      status: r.status,
      ...(r.error !== undefined && { error: r.error }),
      rewards: r.rewards,
    };
  });
}

// slime remote reward model: `--rm-type remote_rm --rm-url http://host:8000/slime/reward --reward-key score`.
// POST {prompt, response, label} (one sample per call) -> an object; slime picks the field named by
// --reward-key:
//   score    the combined reward, 0 where the rollout cannot be scored (the safe key: slime's
//            post-processing does arithmetic on it and fails with bare TypeErrors on a null)
//   reward   the same, null where it cannot be scored (the run then stops, at an unhelpful place)
//   scored, status, error, rewards (each component), advantage is not sent (slime computes its own).
// Every number is written as a float. Without --apply-chat-template slime sends a dataset prompt of
// messages as a list: the prompt is then the last user turn's text.
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../contract/types.js';
import { badRequest } from '../replies.js';
import { sendFloats } from '../float-json.js';
import { labelToTask } from './labels.js';
import { isScoreResponse, scoreForAdapter } from './score.js';

/** The text of a message's content: a string, or the text parts of a list of parts. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts = content.map((p) => (typeof p === 'string' ? p : p !== null && typeof p === 'object' && typeof (p as Record<string, unknown>)['text'] === 'string' ? ((p as Record<string, unknown>)['text'] as string) : undefined));
  return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
}

/** A prompt sent as a list of chat messages: the last user turn's text (else the last message's). */
export function promptFromMessages(messages: unknown[], errors: FieldError[]): string | undefined {
  if (messages.length === 0) return undefined;
  const bad = messages.findIndex((m) => m === null || typeof m !== 'object' || Array.isArray(m) || contentText((m as Record<string, unknown>)['content']) === undefined);
  if (bad >= 0) {
    errors.push({ path: `prompt[${bad}]`, message: 'must be a message {role, content} whose content is a string or a list of text parts' });
    return undefined;
  }
  const msgs = messages as Record<string, unknown>[];
  const user = [...msgs].reverse().find((m) => m['role'] === 'user') ?? msgs[msgs.length - 1]!;
  return contentText(user['content']);
}

export async function slimeAdapter(app: FastifyInstance): Promise<void> {
  app.post('/slime/reward', { schema: { description: 'slime remote reward: {prompt, response, label} -> {reward, score, scored, status, rewards}.' } }, async (request, reply) => {
    const ctx = app.r1;
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return badRequest(reply, [{ path: '(root)', message: 'must be a JSON object with `response`' }]);
    const b = body as Record<string, unknown>;
    const errors: FieldError[] = [];
    if (typeof b['response'] !== 'string') errors.push({ path: 'response', message: b['response'] === undefined ? 'is required' : 'must be a string' });
    const rawPrompt = b['prompt'];
    let prompt: string | undefined;
    if (typeof rawPrompt === 'string') prompt = rawPrompt;
    else if (Array.isArray(rawPrompt)) prompt = promptFromMessages(rawPrompt, errors);
    else if (rawPrompt !== undefined && rawPrompt !== null) errors.push({ path: 'prompt', message: 'must be a string or a list of messages' });
    if (errors.length) return badRequest(reply, errors);
    const task = labelToTask(b['label'], ctx.options.labelTaskType);
    const rollout = { completion: b['response'] as string, ...(prompt !== undefined && { prompt }), ...(task && { task }) };
    const res = await scoreForAdapter(ctx, request, reply, [rollout]);
    if (!isScoreResponse(res)) return res;
    const r = res.results[0]!;
    return sendFloats(reply, {
      reward: r.reward,
      score: r.reward ?? 0,
      scored: r.reward !== null,
      status: r.status,
      ...(r.error !== undefined && { error: r.error }),
      rewards: r.rewards,
    });
  });
}

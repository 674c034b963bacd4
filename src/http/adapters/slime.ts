// slime remote reward model: `--rm-type remote_rm --rm-url http://host:8000/slime/reward --reward-key score`.
// POST {prompt, response, label} (one sample per call) -> an object; slime picks the field named by
// --reward-key:
//   score    the combined reward, 0 where the rollout cannot be scored (the safe key: slime's
//            post-processing does arithmetic on it and fails with bare TypeErrors on a null)
//   reward   the same, null where it cannot be scored (the run then stops, at an unhelpful place)
//   scored, status, error, rewards (each component), advantage is not sent (slime computes its own).
// Every number is written as a float. Without --apply-chat-template slime sends a dataset prompt of
// messages as a list: the prompt is then the last user turn's text.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../contract/types.js';
import { badRequest, bodyCheck } from '../replies.js';
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

export const SlimeRequestSchema = Type.Object(
  {
    prompt: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.Unknown()), Type.Null()], { description: 'the prompt text, or a list of chat messages (the last user turn is used)' }),
    ),
    response: Type.String({ description: "the model's response" }),
    label: Type.Optional(Type.Unknown({ description: 'the ground truth (see docs/integrations.md for how labels become tasks)' })),
  },
  { additionalProperties: true },
);
const checkBody = bodyCheck(SlimeRequestSchema);

export async function slimeAdapter(app: FastifyInstance): Promise<void> {
  app.post('/slime/reward', { schema: { description: 'slime remote reward: {prompt, response, label} -> {reward, score, scored, status, rewards}.', body: SlimeRequestSchema } }, async (request, reply) => {
    const ctx = app.r1;
    const errors = checkBody(request.body);
    if (errors.length) return badRequest(reply, errors);
    const b = request.body as { prompt?: string | unknown[] | null; response: string; label?: unknown };
    const rawPrompt = b.prompt;
    const prompt = Array.isArray(rawPrompt) ? promptFromMessages(rawPrompt, errors) : (rawPrompt ?? undefined);
    if (errors.length) return badRequest(reply, errors);
    const task = labelToTask(b.label, ctx.options.labelTaskType);
    const rollout = { completion: b.response, ...(prompt !== undefined && { prompt }), ...(task && { task }) };
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

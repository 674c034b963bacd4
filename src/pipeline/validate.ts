// Per-rollout validation. A bad rollout is marked and the rest of its batch is scored.
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { toFieldErrors } from '../contract/errors.js';
import type { FieldError, Rollout } from '../contract/types.js';
import { SUPPORTED_LANGUAGES } from '../rewards/language.js';

export const TaskSchema = Type.Object(
  { type: Type.String({ minLength: 1, description: "verifier name: 'math', 'code', 'exact', 'none', …" }) },
  { additionalProperties: true, description: 'What "correct" means; the other keys belong to the verifier named by `type`.' },
);

export const RolloutSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'echoed back' })),
    group: Type.Optional(Type.String({ description: 'GRPO group; default: rollouts with equal prompt text share one' })),
    prompt: Type.Optional(Type.String({ description: 'the prompt as the policy saw it' })),
    completion: Type.String({ description: "the model's output" }),
    task: Type.Optional(TaskSchema),
    language: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}$', description: 'target language of the chain of thought (ISO 639-1)' })),
    completion_tokens: Type.Optional(Type.Integer({ minimum: 0, description: 'completion length in tokens (length shaping; reinforce_baseline token whitening)' })),
  },
  { additionalProperties: true, description: 'One sampled completion. Unknown keys are echoed back untouched.' },
);

const check = TypeCompiler.Compile(RolloutSchema);

export function validateRollout(raw: unknown, path: string, maxChars: number): { rollout: Rollout } | { errors: FieldError[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { errors: [{ path, message: 'must be an object' }] };
  if (!check.Check(raw)) return { errors: toFieldErrors(check.Errors(raw), path) };
  const rollout = raw as Rollout;
  if (rollout.language !== undefined && !SUPPORTED_LANGUAGES.includes(rollout.language)) {
    return { errors: [{ path: `${path}.language`, message: `unsupported language '${rollout.language}' (supported: ${SUPPORTED_LANGUAGES.join(' ')})` }] };
  }
  if (rollout.completion.length > maxChars) {
    return { errors: [{ path: `${path}.completion`, message: `longer than limits.max_completion_chars (${maxChars})` }] };
  }
  return { rollout };
}

// Per-rollout validation. A bad rollout is marked and the rest of its batch is scored.
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Config } from '../contract/config.js';
import { toFieldErrors } from '../contract/errors.js';
import { childPath, MAX_NESTING_DEPTH, shapeError } from '../contract/limits.js';
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

export type RolloutCheck = { rollout: Rollout } | { errors: FieldError[] };

export function validateRollout(raw: unknown, path: string, limits: Config['limits']): RolloutCheck {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { errors: [{ path, message: 'must be an object' }] };
  const deep = splitTooDeep(raw as Record<string, unknown>, path).errors;
  if (deep.length) return { errors: deep };
  if (!check.Check(raw)) return { errors: toFieldErrors(check.Errors(raw), path) };
  const rollout = raw as Rollout;
  if (rollout.language !== undefined && !SUPPORTED_LANGUAGES.includes(rollout.language)) {
    return { errors: [{ path: `${path}.language`, message: `unsupported language '${rollout.language}' (supported: ${SUPPORTED_LANGUAGES.join(' ')})` }] };
  }
  if (rollout.completion.length > limits.max_completion_chars) {
    return { errors: [{ path: `${path}.completion`, message: `longer than limits.max_completion_chars (${limits.max_completion_chars})` }] };
  }
  if (rollout.prompt !== undefined && rollout.prompt.length > limits.max_prompt_chars) {
    return { errors: [{ path: `${path}.prompt`, message: `longer than limits.max_prompt_chars (${limits.max_prompt_chars})` }] };
  }
  return { rollout };
}

/**
 * The keys of a rollout nested deeper than MAX_NESTING_DEPTH (the rollout is level 1), as errors, and the
 * rest as `echo`: what a failed result may echo (serialising a too-deep value would overflow the stack).
 */
export function splitTooDeep(raw: Record<string, unknown>, path = 'rollout'): { errors: FieldError[]; echo: Record<string, unknown> } {
  const errors: FieldError[] = [];
  const kept: [string, unknown][] = [];
  for (const [k, v] of Object.entries(raw)) {
    const e = shapeError(v, childPath(path, k), { maxDepth: MAX_NESTING_DEPTH - 1 });
    if (e) errors.push({ path: e.path, message: `nests deeper than ${MAX_NESTING_DEPTH} levels (counted from the rollout; the limit on any JSON value)` });
    else kept.push([k, v]);
  }
  // fromEntries defines keys (as a spread does): an own `__proto__` key stays a plain key
  return { errors, echo: Object.fromEntries(kept) };
}

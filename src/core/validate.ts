// Per-rollout validation. A bad rollout is marked and the rest of its batch is scored.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { toFieldErrors } from '../contract/errors.js';
import type { FieldError, Rollout } from '../contract/types.js';
import { SUPPORTED_LANGUAGES } from '../contract/languages.js';
import { RolloutSchema } from '../contract/rollout.js';

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

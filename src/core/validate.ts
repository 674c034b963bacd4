// Per-rollout validation. A bad rollout is marked and the rest of its batch is scored.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Config } from './config.js';
import { toFieldErrors } from '../contract/errors.js';
import { childPath, MAX_NESTING_DEPTH, shapeError } from '../contract/limits.js';
import type { FieldError, Rollout } from '../contract/types.js';
import { SUPPORTED_LANGUAGES } from '../contract/languages.js';
import { RolloutSchema } from '../contract/rollout.js';

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

// The service's structural limits on JSON input (documented in the README's reliability section). Every
// transport checks them before the core walks a value, so a hostile shape is a named error, never a stack
// overflow that fails a whole batch.
import { Type, type NumberOptions } from '@sinclair/typebox';
import type { FieldError } from './types.js';

/** Deepest nesting of objects/arrays accepted anywhere in a rollout or a config (a rollout is level 1). */
export const MAX_NESTING_DEPTH = 64;

/** Largest magnitude of a configured reward number (weights, component values): keeps every reward finite. */
export const MAX_CONFIG_MAGNITUDE = 1e6;

/** Largest magnitude of a reward sent to /v1/advantages: its squares and sums stay finite. */
export const MAX_REWARD_MAGNITUDE = 1e12;

/** A config number bounded to ±MAX_CONFIG_MAGNITUDE. */
export function boundedNumber(opts: NumberOptions = {}): ReturnType<typeof Type.Number> {
  return Type.Number({ minimum: -MAX_CONFIG_MAGNITUDE, maximum: MAX_CONFIG_MAGNITUDE, ...opts });
}

/** `path.key`, `path[3]` or `path["odd key"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The first place where `value` nests deeper than `maxDepth` (`value` itself is level 1 when it is an object
 * or array), or where an object has an own `__proto__` key when `forbidProto` (a config: assigning such a
 * key would replace a prototype). Iterative, so any depth is safe to inspect. Paths name the outermost
 * `pathLevels` keys, enough to say which field is at fault.
 */
export function shapeError(value: unknown, path: string, opts: { maxDepth?: number; forbidProto?: boolean } = {}): FieldError | null {
  const maxDepth = opts.maxDepth ?? MAX_NESTING_DEPTH;
  const pathLevels = 3;
  const stack: [unknown, number, string][] = [[value, 1, path]];
  while (stack.length) {
    const [v, depth, p] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) return { path: p, message: `nests deeper than ${maxDepth} levels (the limit on any JSON value)` };
    const named = depth <= pathLevels;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        if (v[i] !== null && typeof v[i] === 'object') stack.push([v[i], depth + 1, named ? childPath(p, i) : p]);
      }
      continue;
    }
    for (const k of Object.keys(v)) {
      if (opts.forbidProto && k === '__proto__') return { path: childPath(p, k), message: 'unknown key' };
      const c = (v as Record<string, unknown>)[k];
      if (c !== null && typeof c === 'object') stack.push([c, depth + 1, named ? childPath(p, k) : p]);
    }
  }
  return null;
}

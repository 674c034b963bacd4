import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { FieldError } from './types.js';

/** JSON pointer `/rollouts/3/task` -> `rollouts[3].task`, appended to `prefix`. */
export function pointerToPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || '(root)';
}

/**
 * TypeBox reports a union failure once per branch; keep one message per path, preferring the most
 * specific (an unknown key or a wrong type beats "expected union value").
 */
export function toFieldErrors(errors: Iterable<ValueError>, prefix = ''): FieldError[] {
  const byPath = new Map<string, string>();
  for (const e of errors) {
    const path = pointerToPath(e.path, prefix);
    const message = e.path && e.schema && e.message === 'Unexpected property' ? 'unknown key' : describe(e);
    if (!byPath.has(path)) byPath.set(path, message);
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}

function describe(e: ValueError): string {
  const s = e.schema as { anyOf?: { const?: unknown }[] };
  if (Array.isArray(s.anyOf) && s.anyOf.every((b) => b.const !== undefined)) {
    return `must be one of ${s.anyOf.map((b) => JSON.stringify(b.const)).join(', ')}`;
  }
  if (Array.isArray(s.anyOf) && s.anyOf.every((b) => typeof (b as { type?: unknown }).type === 'string')) {
    return `must be one of: ${s.anyOf.map((b) => (b as { type: string }).type).join(', ')}`;
  }
  const plain = PLAIN[e.type];
  if (plain) return plain;
  return e.message.charAt(0).toLowerCase() + e.message.slice(1);
}

/** The same words for the same mistake on every route, hand-checked or schema-checked. */
const PLAIN: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.ObjectRequiredProperty]: 'is required',
  [ValueErrorType.String]: 'must be a string',
  [ValueErrorType.Array]: 'must be an array',
  [ValueErrorType.Object]: 'must be an object',
  [ValueErrorType.Number]: 'must be a number',
  [ValueErrorType.Integer]: 'must be an integer',
  [ValueErrorType.Boolean]: 'must be a boolean',
};

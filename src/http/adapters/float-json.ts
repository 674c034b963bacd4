// Trainers build tensors from the numbers they read: OpenRLHF's torch.tensor([2]) is int64, and its group
// advantages then fail ("std and var only support floating point"). JSON has one number type, so the
// trainer routes write every number with a decimal point (2 -> 2.0): Python's json reads it as a float.
import type { FastifyReply } from 'fastify';

function floatText(n: number): string {
  if (!Number.isFinite(n)) return 'null'; // as JSON.stringify; never produced by scoring
  const s = JSON.stringify(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** JSON text of `value` with every number written as a float. */
export function floatJson(value: unknown): string {
  if (typeof value === 'number') return floatText(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : floatJson(v))).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${floatJson(v)}`);
  return `{${parts.join(',')}}`;
}

export function sendFloats(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(floatJson(value));
}

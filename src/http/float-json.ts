// Trainers build tensors from the numbers they read: OpenRLHF's torch.tensor([2]) is int64, and its group
// advantages then fail ("std and var only support floating point"). JSON has one number type, so the
// trainer routes write every number with a decimal point (2 -> 2.0): Python's json reads it as a float.
// /v1/score and /v1/advantages write their reward-like numbers so (reward, rewards.*, advantage(s)), and
// echo everything else exactly as it came.
import type { FastifyReply } from 'fastify';
import type { ScoreResponse, ScoredRollout } from '../contract/types.js';

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
  return sendJsonText(reply, floatJson(value));
}

const FLOAT_KEYS = new Set(['reward', 'rewards', 'advantage']);

/** A scored rollout's JSON: reward, rewards.* and advantage as floats; the echoed input untouched. */
function scoredJson(r: ScoredRollout): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${FLOAT_KEYS.has(k) ? floatJson(v) : JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

export function scoreResponseJson(res: ScoreResponse): string {
  return `{"results":[${res.results.map(scoredJson).join(',')}],"groups":${JSON.stringify(res.groups)},"stats":${JSON.stringify(res.stats)}}`;
}

export function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}

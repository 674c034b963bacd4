// Request shapes shared by every transport. The rollouts array is checked here only as an array:
// each rollout is validated on its own so that one bad rollout is marked, not fatal.
import { Type } from '@sinclair/typebox';
import { RolloutSchema } from './rollout.js';
import { MAX_REWARD_MAGNITUDE } from './limits.js';
import type { FieldError } from './types.js';

export const ScoreRequestSchema = Type.Object(
  {
    rollouts: Type.Array(RolloutSchema, { description: 'the rollouts to score; G per prompt for GRPO' }),
    config: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'see the config reference' })),
  },
  { additionalProperties: false },
);

export const AdvantagesRequestSchema = Type.Object(
  {
    rewards: Type.Array(Type.Union([Type.Number(), Type.Null()]), { description: 'one reward per rollout; null = unscored' }),
    groups: Type.Array(Type.String(), { description: 'the group of each reward, same length as rewards' }),
    config: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: false },
);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function unknownKeys(body: Record<string, unknown>, allowed: string[]): FieldError[] {
  return Object.keys(body)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ path: k, message: `unknown key (allowed: ${allowed.join(', ')})` }));
}

export function checkScoreRequest(body: unknown, maxRollouts: number): FieldError[] {
  if (!isObject(body)) return [{ path: '(root)', message: 'must be a JSON object with `rollouts`' }];
  const errors = unknownKeys(body, ['rollouts', 'config']);
  const r = body['rollouts'];
  if (!Array.isArray(r)) errors.push({ path: 'rollouts', message: r === undefined ? 'is required' : 'must be an array' });
  else if (r.length > maxRollouts) errors.push({ path: 'rollouts', message: `has ${r.length} items; the limit is ${maxRollouts}` });
  return errors;
}

export function checkAdvantagesRequest(body: unknown, maxRollouts: number): FieldError[] {
  if (!isObject(body)) return [{ path: '(root)', message: 'must be a JSON object with `rewards` and `groups`' }];
  const errors = unknownKeys(body, ['rewards', 'groups', 'config']);
  const rewards = body['rewards'];
  const groups = body['groups'];
  if (!Array.isArray(rewards)) errors.push({ path: 'rewards', message: rewards === undefined ? 'is required' : 'must be an array' });
  else {
    if (rewards.length > maxRollouts) errors.push({ path: 'rewards', message: `has ${rewards.length} items; the limit is ${maxRollouts}` });
    rewards.forEach((v, i) => {
      if (v !== null && (typeof v !== 'number' || !(Math.abs(v) <= MAX_REWARD_MAGNITUDE))) {
        errors.push({ path: `rewards[${i}]`, message: `must be a number within ±${MAX_REWARD_MAGNITUDE} or null` });
      }
    });
  }
  if (!Array.isArray(groups)) errors.push({ path: 'groups', message: groups === undefined ? 'is required' : 'must be an array' });
  else {
    groups.forEach((v, i) => {
      if (typeof v !== 'string') errors.push({ path: `groups[${i}]`, message: 'must be a string' });
    });
    if (Array.isArray(rewards) && rewards.length !== groups.length) {
      errors.push({ path: 'groups', message: `has ${groups.length} items but rewards has ${rewards.length}` });
    }
  }
  return errors;
}

// Response shapes for the OpenAPI document (the TypeScript types in types.ts are what the code uses;
// a test checks that a real response has every documented key).
import { Type } from '@sinclair/typebox';
import { COMPONENTS, STATUSES } from './types.js';

const nullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const ScoredRolloutSchema = Type.Object(
  {
    reward: Type.Union([Type.Number(), Type.Null()], { description: 'weighted sum of the components; null when the rollout cannot be scored' }),
    rewards: Type.Object(Object.fromEntries(COMPONENTS.map((c) => [c, nullableNumber])), { description: 'every component, always present' }),
    advantage: Type.Number({ description: 'group-relative advantage (0 when reward is null)' }),
    status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
    error: Type.Optional(Type.String({ description: 'why, naming the field, when status is not ok' })),
    details: Type.Object({}, { additionalProperties: true, description: 'group, format rule, language counts, extracted answer, timings…' }),
  },
  { additionalProperties: true, description: 'the input rollout, every key echoed, plus these' },
);

export const GroupStatsSchema = Type.Object({
  group: Type.String(),
  size: Type.Integer(),
  scored: Type.Integer(),
  mean: nullableNumber,
  std: nullableNumber,
  zero_variance: Type.Boolean(),
});

export const BatchStatsSchema = Type.Object({
  rollouts: Type.Integer(),
  scored: Type.Integer(),
  groups: Type.Integer(),
  mean_reward: nullableNumber,
  std_reward: nullableNumber,
  component_means: Type.Object(Object.fromEntries(COMPONENTS.map((c) => [c, nullableNumber]))),
  zero_variance_groups: Type.Integer(),
  frac_zero_variance_groups: Type.Number(),
  errors: Type.Integer(),
  status_counts: Type.Object({}, { additionalProperties: Type.Integer() }),
  duration_ms: Type.Optional(Type.Number()),
});

export const ScoreResponseSchema = Type.Object({
  results: Type.Array(ScoredRolloutSchema),
  groups: Type.Array(GroupStatsSchema),
  stats: BatchStatsSchema,
});

export const AdvantagesResponseSchema = Type.Object({
  advantages: Type.Array(Type.Number()),
  groups: Type.Array(GroupStatsSchema),
});

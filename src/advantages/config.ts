import { Type, type Static } from '@sinclair/typebox';

export const AdvantageConfigSchema = Type.Object(
  {
    estimator: Type.Union(
      [Type.Literal('grpo'), Type.Literal('rloo'), Type.Literal('reinforce_baseline'), Type.Literal('passk')],
      { default: 'grpo', description: 'grpo | rloo (leave-one-out) | reinforce_baseline (group mean removed, then batch whitening) | passk (best of group only)' },
    ),
    scale: Type.Union([Type.Literal('group'), Type.Literal('batch'), Type.Literal('none')], {
      default: 'group',
      description: "grpo/passk divisor: the group's std, the batch's std (numerator keeps the group mean, as TRL), or none (Dr. GRPO).",
    }),
    std: Type.Union([Type.Literal('unbiased'), Type.Literal('population')], {
      default: 'unbiased',
      description: 'unbiased (n-1: TRL, veRL, OpenRLHF) or population (n: TRL async GRPO).',
    }),
    eps: Type.Number({ minimum: 0, default: 1e-6, description: 'Added to the std: TRL 1e-4, veRL/slime 1e-6, OpenRLHF 1e-9.' }),
    whiten_eps: Type.Number({ minimum: 0, default: 1e-8, description: 'reinforce_baseline: (x - mean) / sqrt(var + whiten_eps), as veRL masked_whiten.' }),
    singleton: Type.Union([Type.Literal('zero'), Type.Literal('reward')], {
      default: 'zero',
      description: "Advantage of a group with one scored rollout: 0, or the reward itself (veRL: mean 0, std 1).",
    }),
  },
  { additionalProperties: false, default: {} },
);
export type AdvantageConfig = Static<typeof AdvantageConfigSchema>;

/** Named presets that reproduce each trainer's defaults exactly. */
export const ADVANTAGE_PRESETS: Record<string, Partial<AdvantageConfig>> = {
  trl: { estimator: 'grpo', scale: 'group', std: 'unbiased', eps: 1e-4, singleton: 'zero' },
  trl_async: { estimator: 'grpo', scale: 'group', std: 'population', eps: 1e-8, singleton: 'zero' },
  verl: { estimator: 'grpo', scale: 'group', std: 'unbiased', eps: 1e-6, singleton: 'reward' },
  openrlhf: { estimator: 'grpo', scale: 'group', std: 'unbiased', eps: 1e-9, singleton: 'zero' },
  dr_grpo: { estimator: 'grpo', scale: 'none', singleton: 'zero' },
};

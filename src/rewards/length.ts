// Length shaping, off by default. Two published shapes:
//  - DAPO's soft overlong punishment (Yu et al. 2025, Eq. 13; TRL get_soft_overlong_punishment):
//      0 if L <= Lmax - Lcache;  ((Lmax - Lcache) - L) / Lcache if Lmax - Lcache < L <= Lmax;  -1 beyond Lmax.
//  - the cosine-scaled reward (Yeo et al. 2025; open-r1 get_cosine_scaled_reward): correct answers earn
//    more when short, wrong answers are punished less when long:
//      r = min + (max - min) * (1 + cos(pi * L / Lmax)) / 2, with min/max swapped for wrong answers.
import { Type, type Static } from '@sinclair/typebox';
import { boundedNumber } from '../contract/limits.js';

export const LengthConfigSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('none'), Type.Literal('overlong'), Type.Literal('cosine')], {
      default: 'none',
      description: "'overlong': DAPO soft overlong punishment; 'cosine': cosine-scaled by correctness (needs an accuracy); 'none': length is null.",
    }),
    max_length: Type.Integer({ minimum: 1, default: 20480, description: 'Lmax (DAPO 20480; open-r1 cosine_max_len 1000).' }),
    cache_length: Type.Integer({ minimum: 1, default: 4096, description: 'DAPO overlong buffer Lcache.' }),
    min_value_wrong: boundedNumber({ default: -1, description: 'cosine: reward of a wrong answer of length 0 (open-r1 cosine_min_value_wrong)' }),
    max_value_wrong: boundedNumber({ default: -0.5, description: 'cosine: reward of a wrong answer at max_length' }),
    min_value_correct: boundedNumber({ default: 0.5, description: 'cosine: reward of a correct answer at max_length' }),
    max_value_correct: boundedNumber({ default: 1, description: 'cosine: reward of a correct answer of length 0' }),
    correct_threshold: boundedNumber({ default: 1, description: 'An accuracy at or above this counts as correct for the cosine shape.' }),
    chars_per_token: Type.Number({
      // bounded below so that estimated token counts (and the cosine of them) stay finite
      minimum: 0.01,
      default: 4,
      description: 'Used to estimate tokens when a rollout carries no completion_tokens (details say so).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type LengthConfig = Static<typeof LengthConfigSchema>;

export interface LengthResult {
  score: number | null;
  tokens: number;
  estimated: boolean;
}

export function overlongPunishment(len: number, maxLength: number, cache: number): number {
  const free = maxLength - cache;
  if (len <= free) return 0;
  if (len <= maxLength) return (free - len) / cache;
  return -1;
}

export function cosineScaled(len: number, correct: boolean, cfg: LengthConfig): number {
  const [lo, hi] = correct ? [cfg.min_value_correct, cfg.max_value_correct] : [cfg.max_value_wrong, cfg.min_value_wrong];
  const progress = Math.min(len, cfg.max_length) / cfg.max_length;
  return lo + 0.5 * (hi - lo) * (1 + Math.cos(progress * Math.PI));
}

export function lengthReward(
  completion: string,
  completionTokens: number | undefined,
  accuracy: number | null,
  cfg: LengthConfig,
): LengthResult {
  const estimated = completionTokens === undefined;
  const tokens = completionTokens ?? Math.ceil(completion.length / cfg.chars_per_token);
  let score: number | null = null;
  if (cfg.kind === 'overlong') score = overlongPunishment(tokens, cfg.max_length, cfg.cache_length);
  else if (cfg.kind === 'cosine' && accuracy !== null) score = cosineScaled(tokens, accuracy >= cfg.correct_threshold, cfg);
  return { score, tokens, estimated };
}

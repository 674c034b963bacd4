// Group-relative advantages. Rewards that are null are left out of every statistic and get advantage 0.
// Formulas (notation: group g of scored rewards r, mean mu_g, std sigma_g):
//   grpo                A = (r - mu_g) / (sigma + eps), sigma = sigma_g | sigma_batch | 1 with eps 0 (scale none: Dr. GRPO)
//   rloo                A = r - mean_{j != i} r_j = G/(G-1) (r - mu_g)
//   reinforce_baseline  x = r - mu_g, then A = (x - mean(x)) / sqrt(var(x) + whiten_eps) over the batch; when every
//                       whitened rollout carries completion_tokens, mean and var are over tokens (each x counted
//                       once per token, Bessel on the token count), exactly veRL's masked_whiten; else per rollout
//   passk               the group's best (first on ties) gets (r_max - r_2nd) / (sigma + eps); the rest 0
// A group with one scored rollout gets 0, or under singleton: 'reward' what veRL gives it (mu = 0, sigma = 1:
// r / (1 + eps) for grpo and passk, r for rloo and scale none, and x = r in reinforce_baseline's whitening).
// A group whose scored rewards are all equal gets 0 under grpo and passk, whatever eps (0 included).
import type { GroupStats } from '../contract/types.js';
import type { AdvantageConfig } from './config.js';
import { allEqual, mean, std } from './stats.js';

export interface AdvantageOutput {
  advantages: number[];
  groups: GroupStats[];
}

interface Group {
  key: string;
  members: number[]; // indices into rewards, in input order
  scored: number[]; // the members with a non-null reward
}

/** Where rows come from: the reward of row i (null/NaN = unscored) and the key of its group. */
interface Rows {
  n: number;
  reward(i: number): number | null;
  group(i: number): string;
  /** completion length in tokens of row i, when known (null/NaN otherwise) */
  tokens?(i: number): number | null;
}

function collect(rows: Rows): Group[] {
  const byKey = new Map<string, Group>();
  for (let i = 0; i < rows.n; i++) {
    const key = rows.group(i);
    let g = byKey.get(key);
    if (!g) {
      g = { key, members: [], scored: [] };
      byKey.set(key, g);
    }
    g.members.push(i);
    const v = rows.reward(i);
    if (v !== null && Number.isFinite(v)) g.scored.push(i);
  }
  return [...byKey.values()];
}

export function computeAdvantages(
  rewards: readonly (number | null)[],
  groupKeys: readonly string[],
  cfg: AdvantageConfig,
  tokens?: readonly (number | null | undefined)[],
): AdvantageOutput {
  if (rewards.length !== groupKeys.length) throw new Error('rewards and groups differ in length');
  const rows: Rows = { n: rewards.length, reward: (i) => rewards[i]!, group: (i) => groupKeys[i]! };
  if (tokens) rows.tokens = (i) => tokens[i] ?? null;
  const out = compute(rows, cfg);
  return { advantages: Array.from(out.advantages), groups: out.groups };
}

/**
 * The same over compact columns, for files of any length: rewards as doubles (NaN = unscored) and each
 * row's group as an index into `names`. About 30 bytes a row instead of a string and a boxed number.
 */
export function computeAdvantagesIndexed(
  rewards: ArrayLike<number>,
  groupIndex: ArrayLike<number>,
  names: readonly string[],
  cfg: AdvantageConfig,
  tokens?: ArrayLike<number>,
): { advantages: Float64Array; groups: GroupStats[] } {
  if (rewards.length !== groupIndex.length) throw new Error('rewards and groups differ in length');
  const rows: Rows = { n: rewards.length, reward: (i) => rewards[i]!, group: (i) => names[groupIndex[i]!]! };
  if (tokens) rows.tokens = (i) => tokens[i]!;
  return compute(rows, cfg);
}

function compute(rows: Rows, cfg: AdvantageConfig): { advantages: Float64Array; groups: GroupStats[] } {
  const advantages = new Float64Array(rows.n);
  const groups = collect(rows);
  const r = (i: number): number => rows.reward(i) as number;

  const allScored = groups.flatMap((g) => g.scored.map(r));
  const batchSigma = std(allScored, cfg.std);

  const stats: GroupStats[] = groups.map((g) => {
    const vals = g.scored.map(r);
    const mu = vals.length ? mean(vals) : null;
    const sigma = vals.length ? std(vals, cfg.std, mu!) : null;
    return {
      group: g.key,
      size: g.members.length,
      scored: vals.length,
      mean: mu,
      std: sigma === null || Number.isNaN(sigma) ? null : sigma,
      zero_variance: vals.length >= 2 && allEqual(vals),
    };
  });

  const divisor = (groupSigma: number): number => {
    if (cfg.scale === 'none') return 1;
    const s = cfg.scale === 'batch' ? batchSigma : groupSigma;
    return (Number.isNaN(s) ? 0 : s) + cfg.eps;
  };

  const centred: { i: number; x: number }[] = [];
  for (const g of groups) {
    const vals = g.scored.map(r);
    if (vals.length === 0) continue;
    if (vals.length === 1) {
      // veRL's convention: a lone rollout is measured against mean 0, std 1.
      if (cfg.singleton === 'reward') {
        const i = g.scored[0]!;
        if (cfg.estimator === 'reinforce_baseline') centred.push({ i, x: r(i) });
        else if (cfg.estimator === 'rloo' || cfg.scale === 'none') advantages[i] = r(i);
        else advantages[i] = r(i) / (1 + cfg.eps);
      }
      continue;
    }
    const mu = mean(vals);
    const sigma = std(vals, cfg.std, mu);
    // Equal rewards carry no signal: advantage 0, also under eps 0, where (r - mu) / sigma would be 0/0.
    if (allEqual(vals) && (cfg.estimator === 'grpo' || cfg.estimator === 'passk')) continue;
    switch (cfg.estimator) {
      case 'grpo': {
        const d = divisor(sigma);
        for (const i of g.scored) advantages[i] = (r(i) - mu) / d;
        break;
      }
      case 'rloo': {
        const n = vals.length;
        for (const i of g.scored) advantages[i] = (n / (n - 1)) * (r(i) - mu);
        break;
      }
      case 'reinforce_baseline':
        for (const i of g.scored) centred.push({ i, x: r(i) - mu });
        break;
      case 'passk': {
        let best = g.scored[0]!;
        for (const i of g.scored) if (r(i) > r(best)) best = i;
        let second = -Infinity;
        for (const i of g.scored) if (i !== best && r(i) > second) second = r(i);
        advantages[best] = (r(best) - second) / divisor(sigma);
        break;
      }
    }
  }

  if (centred.length > 0) {
    const xs = centred.map((c) => c.x);
    const lengths = rows.tokens ? centred.map((c) => rows.tokens!(c.i)) : [];
    const weighted = lengths.length > 0 && lengths.every((t) => t !== null && Number.isFinite(t) && t > 0);
    const { m, v } = weighted ? tokenMoments(xs, lengths as number[], cfg.std) : { m: mean(xs), v: xs.length > 1 ? std(xs, cfg.std, mean(xs)) ** 2 : 0 };
    // whiten_eps 0 over equal x: every x - m is 0, and so is its advantage (not 0 * Infinity).
    const k = v + cfg.whiten_eps > 0 ? 1 / Math.sqrt(v + cfg.whiten_eps) : 0;
    for (const c of centred) advantages[c.i] = (c.x - m) * k;
  }
  return { advantages, groups: stats };
}

/**
 * Mean and variance of values repeated once per token (veRL masked_whiten over the response mask): the
 * mean weighted by length, the variance with Bessel's correction on the token count when unbiased.
 */
function tokenMoments(xs: readonly number[], lengths: readonly number[], kind: 'unbiased' | 'population'): { m: number; v: number } {
  let n = 0;
  let sum = 0;
  xs.forEach((x, k) => {
    n += lengths[k]!;
    sum += lengths[k]! * x;
  });
  const m = sum / n;
  let ss = 0;
  xs.forEach((x, k) => (ss += lengths[k]! * (x - m) * (x - m)));
  const v = kind === 'unbiased' ? (n > 1 ? ss / (n - 1) : 0) : ss / n;
  return { m, v };
}

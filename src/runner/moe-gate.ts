// DeepSeekMoE routing on the host (pure): router logits of M tokens -> K experts and weights each.
// sigmoid (V3, noaux_tc): s = σ(logits); choose with s + e_score_correction_bias, group-limited by the
//   sum of each group's top-2 biased scores; weights = unbiased s of the chosen, normalised if
//   norm_topk_prob, times routed_scaling_factor.
// softmax (V2): s = softmax(logits), no bias; group_limited_greedy ranks groups by their max.
// Masked groups are excluded outright (the reference's -inf fill, not HF's 0.0 fill).
// Ties break towards the lower expert / group index.
import type { ModelConfig } from './config.js';

export type GateConfig = Pick<ModelConfig, 'nRoutedExperts' | 'numExpertsPerTok' | 'nGroup' | 'topkGroup' | 'topkMethod' | 'scoringFunc' | 'normTopkProb' | 'routedScalingFactor'>;

export interface Routing {
  /** [M*K] expert index of each token's k-th choice (descending by choice score). */
  experts: Int32Array;
  /** [M*K] combine weight of that expert. */
  weights: Float32Array;
}

/** Indices of the k largest values, largest first; ties -> lower index first. */
export function topk(values: ArrayLike<number>, k: number, allowed?: (i: number) => boolean): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (!allowed || allowed(i)) idx.push(i);
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  return idx.slice(0, k);
}

export function routeTokens(logits: Float32Array, cfg: GateConfig, bias?: Float32Array): Routing {
  const n = cfg.nRoutedExperts, k = cfg.numExpertsPerTok;
  if (logits.length % n !== 0) throw new Error(`routeTokens: ${logits.length} logits are not rows of ${n} experts`);
  if (bias && bias.length !== n) throw new Error(`routeTokens: e_score_correction_bias has ${bias.length} values, expected ${n}`);
  const m = logits.length / n;
  const experts = new Int32Array(m * k), weights = new Float32Array(m * k);
  const groupSize = n / cfg.nGroup;
  for (let t = 0; t < m; t++) {
    const row = logits.subarray(t * n, t * n + n);
    const s = new Float64Array(n);
    if (cfg.scoringFunc === 'sigmoid') for (let i = 0; i < n; i++) s[i] = 1 / (1 + Math.exp(-row[i]!));
    else {
      let mx = -Infinity, sum = 0;
      for (const v of row) mx = Math.max(mx, v);
      for (let i = 0; i < n; i++) sum += s[i] = Math.exp(row[i]! - mx);
      for (let i = 0; i < n; i++) s[i]! /= sum;
    }
    const useBias = bias && cfg.topkMethod === 'noaux_tc';
    const sel = useBias ? s.map((v, i) => v + bias[i]!) : s;
    let allowed: ((i: number) => boolean) | undefined;
    if (cfg.nGroup > 1 && cfg.topkMethod !== 'greedy') {
      const groupScore = new Float64Array(cfg.nGroup);
      for (let g = 0; g < cfg.nGroup; g++) {
        const members = sel.subarray(g * groupSize, (g + 1) * groupSize);
        groupScore[g] = cfg.topkMethod === 'noaux_tc' ? topk(members, 2).reduce((a, i) => a + members[i]!, 0) : Math.max(...members);
      }
      const keep = new Set(topk(groupScore, cfg.topkGroup));
      allowed = (i) => keep.has(Math.floor(i / groupSize));
    }
    const chosen = topk(sel, k, allowed);
    let w = chosen.map((i) => s[i]!);
    if (cfg.normTopkProb) {
      const sum = w.reduce((a, b) => a + b, 0) + 1e-20;
      w = w.map((v) => v / sum);
    }
    chosen.forEach((e, j) => {
      experts[t * k + j] = e;
      weights[t * k + j] = w[j]! * cfg.routedScalingFactor;
    });
  }
  return { experts, weights };
}

/** Invert a routing: for each expert hit, the token rows and weights that go to it (rows ascending). */
export function tokensPerExpert(r: Routing, k: number): Map<number, { rows: Int32Array; weights: Float32Array }> {
  const acc = new Map<number, { rows: number[]; weights: number[] }>();
  for (let i = 0; i < r.experts.length; i++) {
    const e = r.experts[i]!;
    let a = acc.get(e);
    if (!a) acc.set(e, (a = { rows: [], weights: [] }));
    a.rows.push(Math.floor(i / k));
    a.weights.push(r.weights[i]!);
  }
  const out = new Map<number, { rows: Int32Array; weights: Float32Array }>();
  for (const e of [...acc.keys()].sort((a, b) => a - b)) out.set(e, { rows: Int32Array.from(acc.get(e)!.rows), weights: Float32Array.from(acc.get(e)!.weights) });
  return out;
}

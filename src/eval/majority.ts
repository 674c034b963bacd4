// maj@k (cons@k): the correctness of the most-voted answer cluster among k samples, averaged over the
// k-subsets of a group's n samples. Rollouts without an answer do not vote; a subset with no vote at all
// scores 0. Ties go to the cluster that appears first in the group (a fixed priority, as Python's
// Counter.most_common on the rollouts in order). Exact where cheap, else the mean over seeded subsamples.
import { binomial } from './estimators.js';

export interface Cluster {
  /** rollouts in the cluster */
  size: number;
  /** share of its rollouts that are correct (1 or 0 when the verifier's equivalence agrees with its grading) */
  correct: number;
}

export interface MajOptions {
  /** most polynomial operations the exact computation may take before sampling instead */
  exactBudget?: number;
  /** subsamples when sampling */
  samples?: number;
  /** sampling seed (the caller derives it from the group, so reports are reproducible) */
  seed?: number;
}

export interface MajResult {
  value: number;
  method: 'exact' | 'sampled';
}

/** The winner among counts: the highest count, ties to the lowest index; -1 when nobody voted. */
export function winner(counts: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0 && (best < 0 || counts[i]! > counts[best]!)) best = i;
  return best;
}

/** Coefficients of Σ_{b ≤ cap} C(s, b) x^b, truncated at degree `deg`. */
function capped(s: number, cap: number, deg: number): Float64Array {
  const p = new Float64Array(deg + 1);
  for (let b = 0; b <= Math.min(s, cap, deg); b++) p[b] = binomial(s, b);
  return p;
}

function mulInto(acc: Float64Array, p: Float64Array, deg: number): Float64Array {
  const out = new Float64Array(deg + 1);
  for (let i = 0; i <= deg; i++) {
    const a = acc[i]!;
    if (a === 0) continue;
    for (let j = 0; i + j <= deg; j++) {
      const b = p[j]!;
      if (b !== 0) out[i + j]! += a * b;
    }
  }
  return out;
}

/**
 * Exact: P(cluster j wins) = Σ_a C(s_j, a) · #{ways the rest fill k−a with earlier clusters below a and
 * later ones at most a} / C(n, k), by multiplying truncated generating polynomials.
 */
function exact(clusters: readonly Cluster[], noAnswer: number, n: number, k: number): number {
  const total = binomial(n, k);
  const none = capped(noAnswer, noAnswer, k);
  let value = 0;
  clusters.forEach((cj, j) => {
    if (cj.correct === 0) return;
    let pj = 0;
    for (let a = 1; a <= Math.min(k, cj.size); a++) {
      const deg = k - a;
      let acc: Float64Array = none.slice(0, deg + 1);
      clusters.forEach((ci, i) => {
        if (i !== j) acc = mulInto(acc, capped(ci.size, i < j ? a - 1 : a, deg), deg);
      });
      pj += binomial(cj.size, a) * acc[deg]!;
    }
    value += cj.correct * (pj / total);
  });
  return value;
}

/** mulberry32: a small seeded generator, so sampled values are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sampled(clusters: readonly Cluster[], noAnswer: number, k: number, samples: number, seed: number): number {
  const labels: number[] = [];
  clusters.forEach((c, i) => {
    for (let r = 0; r < c.size; r++) labels.push(i);
  });
  for (let r = 0; r < noAnswer; r++) labels.push(-1);
  const rand = rng(seed);
  const counts = new Array<number>(clusters.length).fill(0);
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    counts.fill(0);
    // partial Fisher–Yates: the first k entries become a uniform k-subset
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (labels.length - i));
      const t = labels[i]!;
      labels[i] = labels[j]!;
      labels[j] = t;
      if (labels[i]! >= 0) counts[labels[i]!]!++;
    }
    const w = winner(counts);
    if (w >= 0) sum += clusters[w]!.correct;
  }
  return sum / samples;
}

/** maj@k over a group: `clusters` in first-appearance order, `noAnswer` rollouts without a vote, 1 ≤ k ≤ n. */
export function majAtK(clusters: readonly Cluster[], noAnswer: number, k: number, opts: MajOptions = {}): MajResult {
  const n = clusters.reduce((a, c) => a + c.size, noAnswer);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`maj@k needs 1 <= k <= n (n=${n}, k=${k})`);
  if (k === n) {
    const w = winner(clusters.map((c) => c.size));
    return { value: w >= 0 ? clusters[w]!.correct : 0, method: 'exact' };
  }
  const m = clusters.length;
  const cost = m * m * k * k * k;
  if (cost <= (opts.exactBudget ?? 2e7) && Number.isFinite(binomial(n, k))) return { value: exact(clusters, noAnswer, n, k), method: 'exact' };
  return { value: sampled(clusters, noAnswer, k, opts.samples ?? 2000, opts.seed ?? 1), method: 'sampled' };
}

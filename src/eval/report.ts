// From records (grouped) and their answer clusters to the evaluation report: per group, per source, overall.
import { meanInterval, passAtK, wilson, type Interval } from './estimators.js';
import { majAtK, type Cluster } from './majority.js';
import type { Clustering } from './cluster.js';
import type { EvalRecord } from './record.js';

/** A rollout counts as correct for pass@k and maj@k when its accuracy is 1 (for code: every test passed). */
export const isCorrect = (accuracy: number): boolean => accuracy >= 1 - 1e-9;

export interface GroupReport {
  group: string;
  source: string | null;
  task: string | null;
  rollouts: number;
  /** rollouts with an accuracy: the samples pass@k and maj@k use */
  n: number;
  correct: number;
  /** mean accuracy with a Wilson 95 % interval */
  pass1: Interval | null;
  pass_at: Record<string, number>;
  maj_at: Record<string, number>;
  maj_method: 'exact' | 'sampled' | 'none';
  no_answer: number;
  /** the most-voted answer clusters (at most 5) */
  clusters: { answer: string; votes: number; correct: number }[];
  merged_keys: number;
}

export interface Metrics {
  groups: number;
  rollouts: number;
  /** rollouts with an accuracy */
  scored: number;
  /** mean over groups of each group's mean accuracy, 95 % interval over groups (Wilson for one group) */
  pass1: Interval | null;
  /** mean over the groups with n ≥ k */
  pass_at: Record<string, { value: number; groups: number }>;
  maj_at: Record<string, { value: number; groups: number }>;
  /** share of voting rollouts with no extractable answer */
  no_answer_rate: number | null;
  mean_tokens: number | null;
  tokens_estimated: boolean;
  truncated_rate: number | null;
  format_rate: number | null;
  language_rate: number | null;
  status_counts: Record<string, number>;
  answer_key_errors: number;
  sampled_maj_groups: number;
}

export interface EvalReport {
  ks: number[];
  overall: Metrics;
  sources: Record<string, Metrics>;
  groups: GroupReport[];
}

export interface ReportOptions {
  ks: readonly number[];
  majSamples?: number;
  majExactBudget?: number;
}

/** A stable 32-bit seed from the group name, so sampled maj@k values are reproducible. */
function seedOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function groupReport(group: string, records: readonly EvalRecord[], clustering: Clustering, opts: ReportOptions): GroupReport {
  const used = records.map((r, i) => ({ r, c: clustering.of[i]! })).filter((x) => x.r.accuracy !== null);
  const n = used.length;
  const accSum = used.reduce((a, x) => a + x.r.accuracy!, 0);
  const correct = used.filter((x) => isCorrect(x.r.accuracy!)).length;
  const votes = used.some((x) => x.r.key !== undefined);
  const sizes = new Map<number, { size: number; right: number }>();
  let noAnswer = 0;
  for (const x of used) {
    if (x.c < 0) {
      noAnswer++;
      continue;
    }
    const s = sizes.get(x.c) ?? { size: 0, right: 0 };
    s.size++;
    if (isCorrect(x.r.accuracy!)) s.right++;
    sizes.set(x.c, s);
  }
  // clusters in first-appearance order: the tie-break priority
  const ids = [...sizes.keys()].sort((a, b) => a - b);
  const clusters: Cluster[] = ids.map((id) => ({ size: sizes.get(id)!.size, correct: sizes.get(id)!.right / sizes.get(id)!.size }));
  const pass_at: Record<string, number> = {};
  const maj_at: Record<string, number> = {};
  let method: GroupReport['maj_method'] = votes ? 'exact' : 'none';
  for (const k of opts.ks) {
    if (k > n) continue;
    pass_at[k] = passAtK(n, correct, k);
    if (!votes) continue;
    const m = majAtK(clusters, noAnswer, k, {
      seed: seedOf(group) ^ k,
      ...(opts.majSamples !== undefined && { samples: opts.majSamples }),
      ...(opts.majExactBudget !== undefined && { exactBudget: opts.majExactBudget }),
    });
    maj_at[k] = m.value;
    if (m.method === 'sampled') method = 'sampled';
  }
  const top = ids
    .map((id, j) => ({ answer: clustering.keys[id]!.text.slice(0, 120), votes: clusters[j]!.size, correct: clusters[j]!.correct }))
    .sort((a, b) => b.votes - a.votes)
    .slice(0, 5);
  const first = records[0];
  return {
    group,
    source: first?.source ?? null,
    task: first?.task ?? null,
    rollouts: records.length,
    n,
    correct,
    pass1: n ? wilson(accSum, n) : null,
    pass_at,
    maj_at,
    maj_method: method,
    no_answer: votes ? noAnswer : 0,
    clusters: top,
    merged_keys: clustering.merged,
  };
}

const meanOf = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function aggregate(groups: readonly GroupReport[], records: readonly EvalRecord[], ks: readonly number[]): Metrics {
  const withN = groups.filter((g) => g.n > 0);
  let pass1: Interval | null = null;
  if (withN.length === 1) pass1 = withN[0]!.pass1;
  else if (withN.length > 1) pass1 = meanInterval(withN.map((g) => g.pass1!.value));
  const pass_at: Metrics['pass_at'] = {};
  const maj_at: Metrics['maj_at'] = {};
  for (const k of ks) {
    const p = groups.filter((g) => g.pass_at[k] !== undefined).map((g) => g.pass_at[k]!);
    if (p.length) pass_at[k] = { value: meanOf(p)!, groups: p.length };
    const m = groups.filter((g) => g.maj_at[k] !== undefined).map((g) => g.maj_at[k]!);
    if (m.length) maj_at[k] = { value: meanOf(m)!, groups: m.length };
  }
  const voters = records.filter((r) => r.accuracy !== null && r.key !== undefined);
  const status_counts: Record<string, number> = {};
  for (const r of records) status_counts[r.status] = (status_counts[r.status] ?? 0) + 1;
  const rate = (xs: (number | null)[]): number | null => meanOf(xs.filter((x): x is number => x !== null));
  return {
    groups: groups.length,
    rollouts: records.length,
    scored: records.filter((r) => r.accuracy !== null).length,
    pass1,
    pass_at,
    maj_at,
    no_answer_rate: voters.length ? voters.filter((r) => r.key === null).length / voters.length : null,
    mean_tokens: meanOf(records.map((r) => r.tokens)),
    tokens_estimated: records.some((r) => r.tokensEstimated),
    truncated_rate: records.length ? records.filter((r) => r.truncated).length / records.length : null,
    format_rate: rate(records.map((r) => r.format)),
    language_rate: rate(records.map((r) => r.language)),
    status_counts,
    answer_key_errors: records.filter((r) => r.keyError !== undefined).length,
    sampled_maj_groups: groups.filter((g) => g.maj_method === 'sampled').length,
  };
}

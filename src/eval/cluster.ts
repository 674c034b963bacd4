// Answer clusters of one group with the verifier's own equivalence: equal canonical keys vote together at
// once; then the verifier's pairwise equivalence (mergeKeys) joins distinct keys, the most-voted first,
// over at most `maxDistinct` of them (the rest keep their canonical clusters), so the cost is bounded.
import type { AnswerKey, AnswerKeyInput, Verifier } from '../verifiers/types.js';

export interface Clustering {
  /** cluster of each rollout (-1: no answer), clusters numbered in order of first appearance */
  of: number[];
  /** per cluster: the key that represents it (its first rollout's) */
  keys: AnswerKey[];
  /** canonical clusters joined by pairwise equivalence */
  merged: number;
}

export async function clusterAnswers(
  keys: readonly (AnswerKey | null)[],
  verifier: Pick<Verifier, 'mergeKeys'> | undefined,
  input: Omit<AnswerKeyInput, 'answer'>,
  maxDistinct: number,
): Promise<Clustering> {
  // canonical clusters, in first-appearance order
  const byKey = new Map<string, number>();
  const canon: { key: AnswerKey; first: number; votes: number }[] = [];
  const canonOf = keys.map((k, i) => {
    if (!k) return -1;
    let c = byKey.get(k.key);
    if (c === undefined) {
      c = canon.push({ key: k, first: i, votes: 0 }) - 1;
      byKey.set(k.key, c);
    }
    canon[c]!.votes++;
    return c;
  });
  const root = canon.map((_, i) => i);
  let merged = 0;
  if (verifier?.mergeKeys && canon.length > 1) {
    const order = canon
      .map((_, i) => i)
      .sort((a, b) => canon[b]!.votes - canon[a]!.votes || canon[a]!.first - canon[b]!.first)
      .slice(0, maxDistinct);
    const parent = await verifier.mergeKeys(order.map((i) => canon[i]!.key), input);
    order.forEach((c, j) => {
      const p = parent[j];
      if (p !== undefined && p !== j && p >= 0 && p < j) {
        root[c] = order[p]!;
        merged++;
      }
    });
  }
  // final clusters numbered by first appearance in the group (the tie-break priority)
  const number = new Map<number, number>();
  const out: AnswerKey[] = [];
  const of = canonOf.map((c, i) => {
    if (c < 0) return -1;
    const r = root[c]!;
    let id = number.get(r);
    if (id === undefined) {
      id = out.push(keys[i]!) - 1;
      number.set(r, id);
    }
    return id;
  });
  return { of, keys: out, merged };
}

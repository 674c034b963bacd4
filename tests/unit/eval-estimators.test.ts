import { describe, expect, it } from 'vitest';
import { binomial, meanInterval, passAtK, wilson } from '../../src/eval/estimators.js';
import { majAtK, winner, type Cluster } from '../../src/eval/majority.js';

/** Every k-subset of [0, n). */
function* subsets(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield acc.slice();
    return;
  }
  for (let i = start; i <= n - (k - acc.length); i++) {
    acc.push(i);
    yield* subsets(n, k, i + 1, acc);
    acc.pop();
  }
}

const bigBinomial = (n: bigint, k: bigint): bigint => {
  if (k < 0n || k > n) return 0n;
  let r = 1n;
  for (let i = 1n; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
};

describe('pass@k', () => {
  it('matches hand-computed values', () => {
    expect(passAtK(4, 1, 2)).toBeCloseTo(0.5, 12); // 1 − C(3,2)/C(4,2) = 1 − 3/6
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 12);
    expect(passAtK(5, 0, 3)).toBe(0);
    expect(passAtK(5, 3, 3)).toBe(1); // only 2 wrong: any 3 contain a correct one
    expect(passAtK(8, 2, 4)).toBeCloseTo(1 - 15 / 70, 12); // C(6,4)=15, C(8,4)=70
  });

  it('equals the closed form 1 − C(n−c,k)/C(n,k) computed in exact integers', () => {
    for (const [n, c, k] of [[64, 5, 16], [64, 1, 64], [100, 37, 10], [200, 3, 50], [16, 8, 4]] as const) {
      const num = bigBinomial(BigInt(n - c), BigInt(k));
      const den = bigBinomial(BigInt(n), BigInt(k));
      // scale the exact ratio to 15 digits
      const ratio = Number((num * 10n ** 15n) / den) / 1e15;
      expect(passAtK(n, c, k)).toBeCloseTo(1 - ratio, 12);
    }
  });

  it('equals brute-force enumeration of every k-subset for small n', () => {
    for (let n = 1; n <= 9; n++) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          let hit = 0;
          let all = 0;
          for (const s of subsets(n, k)) {
            all++;
            if (s.some((i) => i < c)) hit++; // rollouts 0..c−1 are the correct ones
          }
          expect(passAtK(n, c, k)).toBeCloseTo(hit / all, 12);
        }
      }
    }
  });

  it('refuses k > n and names the numbers', () => {
    expect(() => passAtK(4, 1, 5)).toThrow(/k=5/);
  });

  it('binomial is exact below 2^53 and close beyond', () => {
    expect(binomial(40, 20)).toBe(Number(bigBinomial(40n, 20n)));
    expect(Math.abs(binomial(64, 32) / Number(bigBinomial(64n, 32n)) - 1)).toBeLessThan(1e-13);
    expect(binomial(10, 11)).toBe(0);
  });
});

describe('intervals', () => {
  it('Wilson interval matches the textbook value', () => {
    // 8 of 10: Wilson 95 % ≈ [0.4902, 0.9433]
    const w = wilson(8, 10);
    expect(w.value).toBe(0.8);
    expect(w.lo).toBeCloseTo(0.4902, 3);
    expect(w.hi).toBeCloseTo(0.9433, 3);
  });
  it('mean interval uses the standard error over the values', () => {
    const m = meanInterval([0.2, 0.6, 0.4, 0.8]); // mean 0.5, sd 0.258199, se 0.129099
    expect(m.value).toBeCloseTo(0.5, 12);
    expect(m.hi - 0.5).toBeCloseTo(1.959964 * 0.129099, 4);
    expect(meanInterval([0, 1, 0, 1]).hi).toBe(1); // clamped to [0, 1]
  });
});

/** Brute force maj@k: enumerate every k-subset of the labelled rollouts. */
function bruteMaj(labels: readonly number[], clusters: readonly Cluster[], k: number): number {
  let sum = 0;
  let all = 0;
  for (const s of subsets(labels.length, k)) {
    const counts = new Array<number>(clusters.length).fill(0);
    for (const i of s) if (labels[i]! >= 0) counts[labels[i]!]!++;
    const w = winner(counts);
    sum += w >= 0 ? clusters[w]!.correct : 0;
    all++;
  }
  return sum / all;
}

describe('maj@k', () => {
  it('matches hand-computed values, ties to the cluster that appears first', () => {
    const ab: Cluster[] = [{ size: 2, correct: 1 }, { size: 3, correct: 0 }];
    expect(majAtK(ab, 0, 5).value).toBe(0); // the wrong answer has 3 votes of 5
    expect(majAtK(ab, 0, 1).value).toBeCloseTo(2 / 5, 12);
    expect(majAtK(ab, 0, 3).value).toBeCloseTo(3 / 10, 12); // AAB: C(2,2)·C(3,1) = 3 of C(5,3) = 10
    const tie: Cluster[] = [{ size: 2, correct: 1 }, { size: 2, correct: 0 }];
    expect(majAtK(tie, 0, 2).value).toBeCloseTo(5 / 6, 12); // AA, and the four AB ties, of 6
    expect(majAtK(tie, 0, 4).value).toBe(1); // 2–2 tie at k = n: the first cluster
    // no-answer rollouts do not vote; a subset of only no-answers scores 0
    expect(majAtK([{ size: 1, correct: 1 }], 2, 2).value).toBeCloseTo(2 / 3, 12);
  });

  it('equals brute-force enumeration for every k on mixed groups', () => {
    const groups: { labels: number[]; clusters: Cluster[] }[] = [
      { labels: [0, 1, 1, 0, 2, -1, 1, 0], clusters: [{ size: 3, correct: 1 }, { size: 3, correct: 0 }, { size: 1, correct: 0 }] },
      { labels: [0, 1, 2, 3, 1, 2, 3, 3, -1, -1], clusters: [{ size: 1, correct: 0 }, { size: 2, correct: 1 }, { size: 2, correct: 0 }, { size: 3, correct: 0 }] },
      { labels: [0, 0, 1, 1, 2, 2], clusters: [{ size: 2, correct: 0 }, { size: 2, correct: 1 }, { size: 2, correct: 0.5 }] },
    ];
    for (const g of groups) {
      for (let k = 1; k <= g.labels.length; k++) {
        const noAnswer = g.labels.filter((l) => l < 0).length;
        const r = majAtK(g.clusters, noAnswer, k);
        expect(r.method).toBe('exact');
        expect(r.value).toBeCloseTo(bruteMaj(g.labels, g.clusters, k), 12);
      }
    }
  });

  it('samples (seeded, reproducible) when the exact computation would be costly, close to the exact value', () => {
    const clusters: Cluster[] = Array.from({ length: 12 }, (_, i) => ({ size: i < 2 ? 3 : 1, correct: i === 1 ? 1 : 0 }));
    const exact = majAtK(clusters, 2, 6);
    const sampled = majAtK(clusters, 2, 6, { exactBudget: 0, samples: 20000, seed: 7 });
    expect(exact.method).toBe('exact');
    expect(sampled.method).toBe('sampled');
    expect(sampled.value).toBeCloseTo(exact.value, 1);
    expect(Math.abs(sampled.value - exact.value)).toBeLessThan(0.015);
    expect(majAtK(clusters, 2, 6, { exactBudget: 0, samples: 20000, seed: 7 }).value).toBe(sampled.value);
  });
});

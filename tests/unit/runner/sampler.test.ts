import { describe, expect, it } from 'vitest';
import { Prng, deriveSeed } from '../../../src/runner/prng.js';
import { logprobOf, sampleToken } from '../../../src/runner/sampler.js';

const logits = Float32Array.of(1, 3, 2, Math.log(3) + 3, -1);

describe('sampling', () => {
  it('greedy, top-k 1 and a tiny top-p all pick the argmax', () => {
    const rng = new Prng(1);
    expect(sampleToken(logits, { temperature: 0, topP: 1, topK: 0 }, rng)).toBe(3);
    for (let i = 0; i < 20; i++) {
      expect(sampleToken(logits, { temperature: 1, topP: 1, topK: 1 }, rng)).toBe(3);
      expect(sampleToken(logits, { temperature: 1, topP: 0.01, topK: 0 }, rng)).toBe(3);
    }
  });

  it('draws from softmax(logits / T), truncated by top-k', () => {
    const count = (opts: { temperature: number; topP: number; topK: number }): number[] => {
      const rng = new Prng(5), c = [0, 0, 0, 0, 0];
      for (let i = 0; i < 4000; i++) c[sampleToken(logits, opts, rng)]!++;
      return c.map((n) => n / 4000);
    };
    // top-2 keeps ids 3 and 1 with odds 3:1
    const k2 = count({ temperature: 1, topP: 1, topK: 2 });
    expect(k2[3]).toBeGreaterThan(0.72);
    expect(k2[3]).toBeLessThan(0.78);
    expect(k2[0]! + k2[2]! + k2[4]!).toBe(0);
    // T = 2 flattens: odds become sqrt(3):1
    const t2 = count({ temperature: 2, topP: 1, topK: 2 });
    expect(t2[3]).toBeGreaterThan(0.6);
    expect(t2[3]).toBeLessThan(0.66);
  });

  it('only samples ids below `allowed`', () => {
    const rng = new Prng(2);
    for (let i = 0; i < 50; i++) expect(sampleToken(logits, { temperature: 1, topP: 1, topK: 0 }, rng, 3)).toBeLessThan(3);
    expect(sampleToken(logits, { temperature: 0, topP: 1, topK: 0 }, rng, 3)).toBe(1);
  });

  it('log-prob is log softmax of the raw logits', () => {
    const z = Array.from(logits).reduce((a, v) => a + Math.exp(v), 0);
    expect(logprobOf(logits, 1)).toBeCloseTo(3 - Math.log(z), 6);
  });

  it('the PRNG is seeded and its derived streams differ', () => {
    const a = new Prng(42), b = new Prng(42), c = new Prng(deriveSeed(42, 1));
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('untruncated sampling', () => {
  it('draws each id with probability softmax(logits / T)', () => {
    const rng = new Prng(9), c = [0, 0, 0, 0, 0];
    for (let i = 0; i < 6000; i++) c[sampleToken(logits, { temperature: 1, topP: 1, topK: 0 }, rng)]!++;
    const z = Array.from(logits).reduce((a, v) => a + Math.exp(v), 0);
    Array.from(logits).forEach((v, i) => expect(Math.abs(c[i]! / 6000 - Math.exp(v) / z)).toBeLessThan(0.02));
  });
});

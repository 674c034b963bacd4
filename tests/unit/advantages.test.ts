// Each preset against values worked out by hand from the trainers' published formulas
// (TRL grpo_trainer, veRL core_algos, OpenRLHF experience_maker).
import { describe, expect, it } from 'vitest';
import { computeAdvantages } from '../../src/advantages/compute.js';
import type { AdvantageConfig } from '../../src/advantages/config.js';
import { RewardEngine } from '../../src/core/engine.js';
import { configWith } from '../helpers/engine.js';

const adv = (raw: object): AdvantageConfig => configWith(raw).advantage;
const G = ['a', 'a', 'a', 'a'];
// [1,0,0,0]: mean 0.25, unbiased std 0.5, population std sqrt(0.1875) = 0.4330127018922193
const R = [1, 0, 0, 0];

describe('grpo presets', () => {
  it('TRL: unbiased std, eps 1e-4', () => {
    const a = computeAdvantages(R, G, adv({ preset: 'trl' })).advantages;
    expect(a[0]).toBeCloseTo(0.75 / 0.5001, 12);
    expect(a[1]).toBeCloseTo(-0.25 / 0.5001, 12);
  });
  it('veRL: eps 1e-6 (the default config)', () => {
    expect(computeAdvantages(R, G, adv({})).advantages[0]).toBeCloseTo(0.75 / 0.500001, 12);
    expect(computeAdvantages(R, G, adv({ preset: 'verl' })).advantages[0]).toBeCloseTo(0.75 / 0.500001, 12);
  });
  it('OpenRLHF group_norm: eps 1e-9', () => {
    expect(computeAdvantages(R, G, adv({ preset: 'openrlhf' })).advantages[0]).toBeCloseTo(0.75 / (0.5 + 1e-9), 12);
  });
  it('TRL async: population std, eps 1e-8', () => {
    expect(computeAdvantages(R, G, adv({ preset: 'trl_async' })).advantages[0]).toBeCloseTo(0.75 / (0.4330127018922193 + 1e-8), 10);
  });
  it('Dr. GRPO: mean only', () => {
    expect(computeAdvantages(R, G, adv({ preset: 'dr_grpo' })).advantages).toEqual([0.75, -0.25, -0.25, -0.25]);
  });
  it('keys written beside a preset win over it', () => {
    expect(computeAdvantages(R, G, adv({ preset: 'trl', advantage: { eps: 0 } })).advantages[0]).toBeCloseTo(1.5, 12);
  });
  it('batch scale: group mean over the batch std (TRL scale_rewards="batch")', () => {
    // all eight rewards: four 1s and four 0s -> unbiased std sqrt(2/7)
    const r = [1, 0, 0, 0, 1, 1, 1, 0];
    const g = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
    const a = computeAdvantages(r, g, adv({ advantage: { scale: 'batch', eps: 1e-4 } })).advantages;
    const s = Math.sqrt(2 / 7) + 1e-4;
    expect(a[0]).toBeCloseTo(0.75 / s, 12);
    expect(a[4]).toBeCloseTo(0.25 / s, 12);
    expect(a[7]).toBeCloseTo(-0.75 / s, 12);
  });
});

describe('other estimators', () => {
  it('rloo: reward minus the mean of the others', () => {
    const a = computeAdvantages(R, G, adv({ advantage: { estimator: 'rloo' } })).advantages;
    expect(a[0]).toBeCloseTo(1, 12);
    expect(a[1]).toBeCloseTo(-1 / 3, 12);
  });
  it('reinforce_baseline: group mean removed, then batch whitening', () => {
    const r = [1, 0, 0, 0, 1, 1, 1, 0];
    const g = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
    // centred: .75 -.25 -.25 -.25 | .25 .25 .25 -.75; mean 0; unbiased var 1.5/7
    const k = 1 / Math.sqrt(1.5 / 7 + 1e-8);
    const a = computeAdvantages(r, g, adv({ advantage: { estimator: 'reinforce_baseline' } })).advantages;
    expect(a[0]).toBeCloseTo(0.75 * k, 10);
    expect(a[7]).toBeCloseTo(-0.75 * k, 10);
    expect(a[4]).toBeCloseTo(0.25 * k, 10);
  });
  it("reinforce_baseline whitens over tokens, as veRL's masked_whiten, when every rollout carries completion_tokens", () => {
    const r = [1, 0, 0, 0, 1, 1, 1, 0];
    const g = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];
    const len = [120, 300, 80, 410, 95, 260, 150, 330];
    // veRL: the centred score broadcast over each response's tokens, then mean and unbiased var over all tokens
    const centred = [0.75, -0.25, -0.25, -0.25, 0.25, 0.25, 0.25, -0.75];
    const flat = centred.flatMap((x, i) => new Array<number>(len[i]!).fill(x));
    const m = flat.reduce((a, b) => a + b, 0) / flat.length;
    const v = flat.reduce((a, b) => a + (b - m) ** 2, 0) / (flat.length - 1);
    const want = centred.map((x) => (x - m) / Math.sqrt(v + 1e-8));
    const cfg = adv({ advantage: { estimator: 'reinforce_baseline' } });
    const a = computeAdvantages(r, g, cfg, len).advantages;
    a.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 12));
    // per rollout (no lengths, or one missing) it is the old rule, which differs by more than 0.1 %
    const plain = computeAdvantages(r, g, cfg).advantages;
    expect(computeAdvantages(r, g, cfg, [...len.slice(0, 7), null]).advantages).toEqual(plain);
    expect(Math.abs(plain[0]! - a[0]!) / Math.abs(a[0]!)).toBeGreaterThan(1e-3);
  });
  it('the scoring pipeline passes each rollout\'s completion_tokens to the whitening', async () => {
    const engine = new RewardEngine();
    const rows = [
      { group: 'a', completion: '<think>r</think>A', completion_tokens: 50 },
      { group: 'a', completion: 'A', completion_tokens: 400 },
      { group: 'b', completion: '<think>r</think>A', completion_tokens: 90 },
      { group: 'b', completion: '<think>r</think>A', completion_tokens: 30 },
      { group: 'b', completion: 'A', completion_tokens: 700 },
    ];
    const config = engine.config({ advantage: { estimator: 'reinforce_baseline' } });
    const res = await engine.score(rows, config);
    const want = computeAdvantages(res.results.map((r) => r.reward), ['a', 'a', 'b', 'b', 'b'], config.advantage, rows.map((r) => r.completion_tokens)).advantages;
    expect(res.results.map((r) => r.advantage)).toEqual(want);
    expect(want).not.toEqual(computeAdvantages(res.results.map((r) => r.reward), ['a', 'a', 'b', 'b', 'b'], config.advantage).advantages);
  });
  it('passk: only the best of the group, by its margin over the second', () => {
    const r = [0.2, 0.9, 0.5];
    const g = ['a', 'a', 'a'];
    const a = computeAdvantages(r, g, adv({ advantage: { estimator: 'passk', eps: 1e-6 } })).advantages;
    const sd = Math.sqrt(((0.2 - 1.6 / 3) ** 2 + (0.9 - 1.6 / 3) ** 2 + (0.5 - 1.6 / 3) ** 2) / 2);
    expect(a[0]).toBe(0);
    expect(a[2]).toBe(0);
    expect(a[1]).toBeCloseTo(0.4 / (sd + 1e-6), 10);
    expect(computeAdvantages(r, g, adv({ advantage: { estimator: 'passk', scale: 'none' } })).advantages[1]).toBeCloseTo(0.4, 12);
  });
});

describe('nulls, singletons and statistics', () => {
  it('leaves null rewards out of the statistics and gives them 0', () => {
    const out = computeAdvantages([1, null, 0], ['a', 'a', 'a'], adv({ advantage: { eps: 0 } }));
    expect(out.advantages[1]).toBe(0);
    expect(out.advantages[0]).toBeCloseTo(0.5 / Math.SQRT1_2, 12);
    expect(out.groups[0]).toMatchObject({ size: 3, scored: 2, mean: 0.5, zero_variance: false });
  });
  it('gives a singleton 0 by default and its reward under the veRL convention', () => {
    expect(computeAdvantages([0.7], ['x'], adv({})).advantages).toEqual([0]);
    // veRL: mean 0, std 1 -> (0.7 - 0) / (1 + 1e-6)
    expect(computeAdvantages([0.7], ['x'], adv({ preset: 'verl' })).advantages[0]).toBeCloseTo(0.7 / (1 + 1e-6), 15);
    expect(computeAdvantages([0.7], ['x'], adv({ advantage: { singleton: 'reward', estimator: 'rloo' } })).advantages).toEqual([0.7]);
    // reinforce_baseline: the singleton enters the batch whitening as x = r
    const rb = computeAdvantages([1, 0, 0.5], ['a', 'a', 'b'], adv({ advantage: { singleton: 'reward', estimator: 'reinforce_baseline' } })).advantages;
    const xs = [0.5, -0.5, 0.5];
    const m = xs.reduce((p, c) => p + c, 0) / 3;
    const v = xs.reduce((p, c) => p + (c - m) ** 2, 0) / 2;
    expect(rb[2]).toBeCloseTo((0.5 - m) / Math.sqrt(v + 1e-8), 10);
    expect(computeAdvantages([0.7, null], ['x', 'x'], adv({})).advantages).toEqual([0, 0]);
  });
  it('flags zero-variance groups and gives them 0 advantages', () => {
    const out = computeAdvantages([1, 1, 1, 0, 0], ['a', 'a', 'a', 'b', 'b'], adv({}));
    expect(out.advantages).toEqual([0, 0, 0, 0, 0]);
    expect(out.groups.map((g) => g.zero_variance)).toEqual([true, true]);
    expect(out.groups[0]).toMatchObject({ std: 0, mean: 1 });
  });
  it('keeps groups in order of first appearance and members in input order', () => {
    const out = computeAdvantages([0, 1, 1, 0], ['b', 'a', 'b', 'a'], adv({ advantage: { scale: 'none' } }));
    expect(out.groups.map((g) => g.group)).toEqual(['b', 'a']);
    expect(out.advantages).toEqual([-0.5, 0.5, 0.5, -0.5]);
  });
});

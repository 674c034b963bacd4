import { describe, expect, it } from 'vitest';
import { routeTokens, tokensPerExpert, type GateConfig } from '../../../src/runner/moe-gate.js';

const V3: GateConfig = { nRoutedExperts: 8, numExpertsPerTok: 2, nGroup: 4, topkGroup: 2, topkMethod: 'noaux_tc', scoringFunc: 'sigmoid', normTopkProb: true, routedScalingFactor: 2.5 };
const logit = (p: number): number => Math.log(p / (1 - p));

describe('DeepSeekMoE routing', () => {
  it('sigmoid + bias for choice only, groups by top-2 sums, normalised weights × routed_scaling_factor', () => {
    // unbiased scores s, bias b; biased sel = s + b = [.8 .5 | .85 .6 | .5 .5 | .75 .3]
    const s = [0.5, 0.5, 0.75, 0.5, 0.5, 0.5, 0.5, 0.5];
    const b = Float32Array.of(0.3, 0, 0.1, 0.1, 0, 0, 0.25, -0.2);
    const r = routeTokens(Float32Array.from(s.map(logit)), V3, b);
    // group sums: g0 1.3, g1 1.45, g2 1.0, g3 1.05 -> keep g1, g0; expert 6 (sel .75) is excluded by its group
    expect(Array.from(r.experts)).toEqual([2, 0]);
    // weights from unbiased s: .75, .5 -> normalised .6, .4 -> × 2.5
    expect(r.weights[0]).toBeCloseTo(1.5, 5);
    expect(r.weights[1]).toBeCloseTo(1.0, 5);
  });

  it('ranks groups by the sum of their top two, not their max', () => {
    const cfg: GateConfig = { ...V3, nRoutedExperts: 4, nGroup: 2, topkGroup: 1, numExpertsPerTok: 1, normTopkProb: false, routedScalingFactor: 1 };
    // group 0: [.9, .01] (sum .91, max .9); group 1: [.6, .6] (sum 1.2, max .6)
    const r = routeTokens(Float32Array.from([0.9, 0.01, 0.6, 0.6].map(logit)), cfg);
    expect(Array.from(r.experts)).toEqual([2]);
    expect(r.weights[0]).toBeCloseTo(0.6, 5);
    // V2's group_limited_greedy ranks by max instead and keeps group 0
    const v2 = routeTokens(Float32Array.from([0.9, 0.01, 0.6, 0.6].map(logit)), { ...cfg, topkMethod: 'group_limited_greedy' });
    expect(Array.from(v2.experts)).toEqual([0]);
  });

  it('softmax scoring (V2): no bias, no renormalisation unless asked, scaled', () => {
    const cfg: GateConfig = { nRoutedExperts: 4, numExpertsPerTok: 2, nGroup: 1, topkGroup: 1, topkMethod: 'greedy', scoringFunc: 'softmax', normTopkProb: false, routedScalingFactor: 1 };
    const logits = Float32Array.from([1, 2, 3, 4].map(Math.log)); // softmax = .1 .2 .3 .4
    const r = routeTokens(logits, cfg, Float32Array.of(10, 0, 0, 0)); // bias ignored outside noaux_tc
    expect(Array.from(r.experts)).toEqual([3, 2]);
    expect(r.weights[0]).toBeCloseTo(0.4, 6);
    expect(r.weights[1]).toBeCloseTo(0.3, 6);
    const n = routeTokens(logits, { ...cfg, normTopkProb: true, routedScalingFactor: 2 });
    expect(n.weights[0]).toBeCloseTo((2 * 4) / 7, 6);
    expect(n.weights[1]).toBeCloseTo((2 * 3) / 7, 6);
  });

  it('routes several tokens independently and inverts to rows per expert', () => {
    const cfg: GateConfig = { nRoutedExperts: 4, numExpertsPerTok: 2, nGroup: 1, topkGroup: 1, topkMethod: 'greedy', scoringFunc: 'softmax', normTopkProb: false, routedScalingFactor: 1 };
    const r = routeTokens(Float32Array.of(4, 3, 0, 0, /* token 1 */ 0, 5, 0, 6), cfg);
    expect(Array.from(r.experts)).toEqual([0, 1, 3, 1]);
    const inv = tokensPerExpert(r, 2);
    expect([...inv.keys()]).toEqual([0, 1, 3]);
    expect(Array.from(inv.get(1)!.rows)).toEqual([0, 1]);
    expect(inv.get(1)!.weights[0]).toBeCloseTo(r.weights[1]!, 7);
    expect(inv.get(1)!.weights[1]).toBeCloseTo(r.weights[3]!, 7);
    expect(() => routeTokens(Float32Array.of(1, 2, 3), cfg)).toThrow(/not rows of 4 experts/);
  });
});

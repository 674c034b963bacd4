import { describe, expect, it } from 'vitest';
import { computeAdvantages } from '../../src/advantages/compute.js';
import { AdvantageConfigSchema, type AdvantageConfig } from '../../src/advantages/config.js';
import { Value } from '@sinclair/typebox/value';

const cfg = (over: Partial<AdvantageConfig> = {}): AdvantageConfig => ({ ...Value.Default(AdvantageConfigSchema, {}) as AdvantageConfig, ...over });

describe('grpo', () => {
  it('normalises by the unbiased group std plus eps', () => {
    // group a: [1, 0, 1, 0] mean 0.5, unbiased std sqrt(1/3)
    const s = Math.sqrt(1 / 3);
    const { advantages } = computeAdvantages([1, 0, 1, 0], ['a', 'a', 'a', 'a'], cfg({ eps: 1e-4 }));
    expect(advantages[0]).toBeCloseTo(0.5 / (s + 1e-4), 12);
    expect(advantages[1]).toBeCloseTo(-0.5 / (s + 1e-4), 12);
  });
});

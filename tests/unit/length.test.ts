import { describe, expect, it } from 'vitest';
import { cosineScaled, lengthReward, overlongPunishment } from '../../src/rewards/length.js';
import { configWith } from '../helpers/engine.js';

describe('DAPO soft overlong punishment', () => {
  it('is 0, then linear to -1, then -1', () => {
    // Lmax 20480, Lcache 4096: free up to 16384
    expect(overlongPunishment(16384, 20480, 4096)).toBe(0);
    expect(overlongPunishment(18432, 20480, 4096)).toBe(-0.5);
    expect(overlongPunishment(20480, 20480, 4096)).toBe(-1);
    expect(overlongPunishment(30000, 20480, 4096)).toBe(-1);
  });
});

describe('cosine-scaled length reward', () => {
  const cfg = { ...configWith().length, kind: 'cosine' as const, max_length: 1000 };
  it('matches open-r1 at the ends and the middle', () => {
    expect(cosineScaled(0, true, cfg)).toBeCloseTo(1, 12);
    expect(cosineScaled(1000, true, cfg)).toBeCloseTo(0.5, 12);
    expect(cosineScaled(500, true, cfg)).toBeCloseTo(0.75, 12);
    expect(cosineScaled(0, false, cfg)).toBeCloseTo(-1, 12);
    expect(cosineScaled(1000, false, cfg)).toBeCloseTo(-0.5, 12);
  });
  it('needs an accuracy, and estimates tokens from characters when none are given', () => {
    expect(lengthReward('abcd'.repeat(10), undefined, null, cfg).score).toBeNull();
    expect(lengthReward('abcd'.repeat(10), undefined, 1, cfg)).toMatchObject({ tokens: 10, estimated: true });
    expect(lengthReward('x', 250, 0, cfg)).toMatchObject({ tokens: 250, estimated: false });
  });
});

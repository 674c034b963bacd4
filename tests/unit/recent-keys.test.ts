import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../../src/core/recent-keys.js';

describe('RecentKeys', () => {
  it('keeps only the newest `capacity` keys', () => {
    const k = new RecentKeys(3);
    for (let i = 0; i < 1000; i++) k.add(`g${i}`);
    expect(k.size).toBe(3);
    expect(['g996', 'g997', 'g998', 'g999'].map((x) => k.has(x))).toEqual([false, true, true, true]);
  });

  it('re-adding a key makes it the newest', () => {
    const k = new RecentKeys(2);
    k.add('a');
    k.add('b');
    k.add('a');
    k.add('c');
    expect([k.has('a'), k.has('b'), k.has('c')]).toEqual([true, false, true]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RecentKeys(0)).toThrow(RangeError);
  });
});

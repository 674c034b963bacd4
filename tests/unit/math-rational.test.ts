import { describe, expect, it } from 'vitest';
import * as Q from '../../src/math/rational.js';

describe('exact rationals', () => {
  it('reduces and keeps the sign on the numerator', () => {
    expect(Q.rat(2n, -4n)).toEqual({ n: -1n, d: 2n });
    expect(Q.toString(Q.add(Q.rat(1n, 3n), Q.rat(1n, 6n)))).toBe('1/2');
  });
  it('parses decimal literals exactly, including exponents', () => {
    expect(Q.parseDecimal('-12.50')).toEqual(Q.rat(-25n, 2n));
    expect(Q.parseDecimal('6.02e23')).toEqual(Q.rat(602000000000000000000000n));
    expect(Q.parseDecimal('1e-3')).toEqual(Q.rat(1n, 1000n));
    expect(Q.parseDecimal('abc')).toBeNull();
  });
  it('tells 1/2004! from 1/2006! (float underflow would not)', () => {
    const a = Q.div(Q.ONE, Q.rat(Q.factorial(2004n, 5000n)!))!;
    const b = Q.div(Q.ONE, Q.rat(Q.factorial(2006n, 5000n)!))!;
    expect(Q.toNumber(a)).toBe(Q.toNumber(b)); // both underflow to 0 as doubles
    expect(Q.eq(a, b)).toBe(false);
  });
  it('refuses powers whose result would be too large instead of computing them', () => {
    expect(Q.pow(Q.rat(10n), 10n ** 10n, 1 << 17)).toBeNull();
    expect(Q.pow(Q.rat(2n), 10n, 1 << 17)).toEqual(Q.rat(1024n));
    expect(Q.pow(Q.rat(-1n), 10n ** 30n + 1n, 16)).toEqual(Q.rat(-1n));
    expect(Q.pow(Q.rat(2n, 3n), -2n, 64)).toEqual(Q.rat(9n, 4n));
  });
  it('caps factorials', () => {
    expect(Q.factorial(5n, 10n)).toBe(120n);
    expect(Q.factorial(11n, 10n)).toBeNull();
  });
  it('takes exact square roots only of perfect squares', () => {
    expect(Q.sqrtExact(Q.rat(9n, 4n))).toEqual(Q.rat(3n, 2n));
    expect(Q.sqrtExact(Q.rat(2n))).toBeNull();
    expect(Q.isqrt(10n ** 40n)).toBe(10n ** 20n);
    expect(Q.isqrt(10n ** 40n - 1n)).toBe(10n ** 20n - 1n);
  });
});

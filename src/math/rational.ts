// Exact rationals over BigInt: 1/2004! and 1/2006! stay different, 10^30+1 stays odd. Always reduced, den > 0.

export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

export function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

export function rat(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export const ZERO = rat(0n);
export const ONE = rat(1n);

export const add = (a: Rational, b: Rational): Rational => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rat(a.n * b.n, a.d * b.d);
export const neg = (a: Rational): Rational => ({ n: -a.n, d: a.d });
export function div(a: Rational, b: Rational): Rational | null {
  return b.n === 0n ? null : rat(a.n * b.d, a.d * b.n);
}
export const eq = (a: Rational, b: Rational): boolean => a.n === b.n && a.d === b.d;
export const cmp = (a: Rational, b: Rational): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const isInt = (a: Rational): boolean => a.d === 1n;

/** Bits of the larger of numerator and denominator: the size that arithmetic cost grows with. */
export function bits(a: Rational): number {
  const n = abs(a.n);
  const m = n > a.d ? n : a.d;
  return m.toString(16).length * 4;
}

/** a^k for an integer k, or null when the result would exceed `maxBits` (checked before computing). */
export function pow(a: Rational, k: bigint, maxBits: number): Rational | null {
  if (k === 0n) return ONE;
  if (a.n === 0n) return k > 0n ? ZERO : null;
  if ((a.n === 1n || a.n === -1n) && a.d === 1n) return rat(a.n === -1n && k % 2n !== 0n ? -1n : 1n);
  const e = abs(k);
  if (BigInt(bits(a)) * e > BigInt(maxBits)) return null;
  const r = rat(a.n ** e, a.d ** e);
  return k > 0n ? r : div(ONE, r);
}

/** Exact decimal literal ("-12.50", "1e-3", "6.02e23") as a rational; null when the exponent is absurd. */
export function parseDecimal(s: string): Rational | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/.exec(s);
  if (!m || (!m[2] && !m[3])) return null;
  const frac = m[3] ?? '';
  let n = BigInt((m[2] || '0') + frac);
  let d = 10n ** BigInt(frac.length);
  const e = Number(m[4] ?? 0);
  if (Math.abs(e) > 4000) return null;
  if (e > 0) n *= 10n ** BigInt(e);
  else if (e < 0) d *= 10n ** BigInt(-e);
  return rat(m[1] === '-' ? -n : n, d);
}

/** Floating value; ±Infinity or 0 when out of double range (callers treat those as "not comparable as floats"). */
export function toNumber(a: Rational): number {
  const n = Number(a.n);
  const d = Number(a.d);
  if (Number.isFinite(n) && Number.isFinite(d)) return n / d;
  // scale both down to keep precision when they are huge
  const shift = BigInt(Math.max(0, bits(a) - 1000));
  return Number(a.n >> shift) / Number(a.d >> shift);
}

export function toString(a: Rational): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}

/** |a - b| <= tol, all exact. */
export function within(a: Rational, b: Rational, tol: Rational): boolean {
  const d = sub(a, b);
  return cmp(d.n < 0n ? neg(d) : d, tol) <= 0;
}

/** n! exactly, or null above `max` (2006! has 5,760 digits; the cap keeps the work bounded). */
export function factorial(n: bigint, max: bigint): bigint | null {
  if (n < 0n || n > max) return null;
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return r;
}

/** Exact square root of a rational when both parts are perfect squares, else null. */
export function sqrtExact(a: Rational): Rational | null {
  if (a.n < 0n) return null;
  const rn = isqrt(a.n);
  const rd = isqrt(a.d);
  return rn * rn === a.n && rd * rd === a.d ? rat(rn, rd) : null;
}

export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton from above: start at a power of two >= sqrt(n), decrease until it stops
  let x = 1n << BigInt(Math.ceil((n.toString(2).length + 1) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

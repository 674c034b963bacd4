export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Standard deviation; `unbiased` divides by n-1 (Bessel). NaN when there are too few values. */
export function std(xs: readonly number[], kind: 'unbiased' | 'population', m = mean(xs)): number {
  const n = xs.length;
  const d = kind === 'unbiased' ? n - 1 : n;
  if (d <= 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / d);
}

/** Every value equal, up to float noise (TRL's isclose(std, 0)). */
export function allEqual(xs: readonly number[]): boolean {
  if (xs.length === 0) return true;
  let lo = xs[0]!;
  let hi = lo;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return hi - lo <= 1e-12 * Math.max(1, Math.abs(hi), Math.abs(lo));
}

// Closed-form estimators for evaluation: unbiased pass@k (Chen et al. 2021) and 95 % intervals.

/** C(n, k) as a float (multiplicative form; exact for the sizes evaluation meets, Infinity past 1e308). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const m = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= m; i++) r = (r * (n - m + i)) / i;
  return r <= 2 ** 53 ? Math.round(r) : r;
}

/**
 * pass@k = 1 − C(n−c, k) / C(n, k): the chance that at least one of k samples drawn without replacement from
 * n (c of them correct) is correct. Computed as 1 − Π_{i=n−c+1..n} (1 − k/i), which never overflows.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || k < 1 || k > n || c < 0 || c > n) {
    throw new RangeError(`pass@k needs integers 1 <= k <= n and 0 <= c <= n (n=${n}, c=${c}, k=${k})`);
  }
  if (n - c < k) return 1;
  let p = 1;
  for (let i = n - c + 1; i <= n; i++) p *= 1 - k / i;
  return 1 - p;
}

export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

const Z95 = 1.959963984540054;

/** Wilson score interval for `successes` out of `n` (successes may be fractional: a sum of accuracies). */
export function wilson(successes: number, n: number, z = Z95): Interval {
  if (n <= 0) return { value: 0, lo: 0, hi: 1 };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { value: p, lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** Mean with a normal-approximation 95 % interval (standard error of the mean over the values, clamped to [0, 1]). */
export function meanInterval(values: readonly number[], z = Z95): Interval {
  const n = values.length;
  if (n === 0) return { value: 0, lo: 0, hi: 1 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { value: mean, lo: mean, hi: mean };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = z * Math.sqrt(variance / n);
  return { value: mean, lo: Math.max(0, mean - half), hi: Math.min(1, mean + half) };
}

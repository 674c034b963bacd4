// Asserting "linear" by a measured ratio, not by a timeout: the CPU time at size k·n over the CPU time at
// size n. CPU time of this process (not wall time) does not count the time other processes held the cores;
// runs at both sizes are interleaved and each size keeps its minimum, the least noisy estimate. Linear work
// gives about k; quadratic work about k².

/** CPU milliseconds (user + system) that `fn` took. */
function time(fn: () => unknown): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

/** t(k·n) / t(n) for `run(size)`, after a warm-up run at each size (JIT, allocation). */
export function growthRatio(run: (size: number) => unknown, n: number, k = 4, reps = 7): number {
  run(n);
  run(k * n);
  let small = Infinity;
  let big = Infinity;
  for (let i = 0; i < reps; i++) {
    small = Math.min(small, time(() => run(n)));
    big = Math.min(big, time(() => run(k * n)));
  }
  return big / Math.max(small, 0.05);
}

// npm run bench:math — throughput and latency of the math verifier, side by side in one run:
//   simple numeric golds (in-process fast path), LaTeX expressions (worker pool), p50/p99 per item,
//   and a batch with pathological items under the default 2 s budget.
import os from 'node:os';
import { RewardEngine } from '../src/core/engine.js';
import type { Verifier, VerifyOutcome } from '../src/verifiers/types.js';
import { createRegistry } from '../src/verifiers/index.js';

const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${cpu}, ${os.availableParallelism()} cores, node ${process.version}, ${os.platform()}`);

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

const LATEX: [string, string][] = [
  ['\\sqrt{8}', '2\\sqrt{2}'],
  ['\\frac{1}{2}', '\\dfrac{2}{4}'],
  ['x^2+2x+1', '(x+1)^2'],
  ['\\{1,3\\}', '\\{3,1\\}'],
  ['[2,5)', '[2,5)'],
  ['y=2x+1', '2x+1=y'],
  ['\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}'],
  ['12\\frac{3}{5}', '\\frac{63}{5}'],
  ['\\frac{\\sqrt{3}}{2}', '\\sin(\\pi/3)'],
  ['1\\pm\\sqrt{2}', '1+\\sqrt{2}, 1-\\sqrt{2}'],
  ['(-\\infty, 2) \\cup (3, \\infty)', '(3,\\infty)\\cup(-\\infty,2)'],
  ['25\\%', '25'],
];
const completion = (a: string): string => `Let us reason step by step. After simplifying we find the value.\n\nTherefore the answer is $\\boxed{${a}}$.`;

async function main(): Promise<void> {
  const workers = Number(process.env['MATH_WORKERS'] ?? 1);
  const registry = createRegistry({ workers });
  const engine = new RewardEngine({ registry });
  const verifier = registry.get('math') as Verifier;
  const config = engine.config();
  const signal = new AbortController().signal;
  const verify = (answer: string, gold: string | number): Promise<VerifyOutcome> =>
    Promise.resolve(verifier.verify({ rollout: { completion: answer }, task: { type: 'math', answer: gold }, answer, config, signal }));
  try {
    // warm up: start the workers and JIT both paths
    for (let k = 0; k < 2000; k++) await verify(completion(String(k % 97)), k % 97);
    for (let k = 0; k < 600; k++) await verify(completion(LATEX[k % LATEX.length]![1]), LATEX[k % LATEX.length]![0]);

    // 1. simple numeric golds: in-process fast path, one core
    const N = 100_000;
    const items = Array.from({ length: 1000 }, (_, k) => completion(String(1000 + k)));
    let ok = 0;
    let t0 = performance.now();
    for (let k = 0; k < N; k++) if ((await verify(items[k % 1000]!, 1000 + (k % 1000))).accuracy === 1) ok++;
    let dt = performance.now() - t0;
    console.log(`numeric golds ("42" vs …\\boxed{42}): ${(N / (dt / 1000)).toFixed(0)} verifications/s on one core (${ok}/${N} correct)`);

    // 2. LaTeX expressions through the worker pool: throughput with 64 in flight, latency one at a time
    const M = 20_000;
    t0 = performance.now();
    let next = 0;
    ok = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < M) {
          const [g, p] = LATEX[next++ % LATEX.length]!;
          if ((await verify(completion(p), g)).accuracy === 1) ok++;
        }
      }),
    );
    dt = performance.now() - t0;
    console.log(`LaTeX expressions (worker pool, ${workers} worker${workers > 1 ? 's' : ''}): ${(M / (dt / 1000)).toFixed(0)} verifications/s (${ok}/${M} correct)`);
    const lat: number[] = [];
    const latFast: number[] = [];
    for (let k = 0; k < 3000; k++) {
      const [g, p] = LATEX[k % LATEX.length]!;
      let t = performance.now();
      const r = await verify(completion(p), g);
      if (r.status !== 'timeout') lat.push(performance.now() - t);
      t = performance.now();
      await verify(items[k % 1000]!, 1000 + (k % 1000));
      latFast.push(performance.now() - t);
    }
    console.log(`latency per item, LaTeX (worker): p50 ${quantile(lat, 0.5).toFixed(3)} ms, p99 ${quantile(lat, 0.99).toFixed(3)} ms, max ${Math.max(...lat).toFixed(3)} ms`);
    console.log(`latency per item, numeric (fast path): p50 ${quantile(latFast, 0.5).toFixed(4)} ms, p99 ${quantile(latFast, 0.99).toFixed(4)} ms`);

    // 3. pathological items in one batch with normal ones, default budget (math.timeout_ms = 2000)
    const budget = config['math'] as { timeout_ms: number };
    const terms: string[] = [];
    for (let k = 5000; terms.join('+').length < 1980; k--) terms.push(`${k}!`);
    const patho: [string, string, string][] = [
      ['power tower \\boxed{5^{5^{5^{5^5}}}}', completion('5^{5^{5^{5^5}}}'), '5'],
      ['10^{10^{10}} vs 10^{10^{10}}+1', completion('10^{10^{10}}'), '10^{10^{10}}+1'],
      ['100 kB of nested braces', completion(`${'{'.repeat(50_000)}1${'}'.repeat(50_000)}`), '1'],
      ['1 MB completion', `${'We check the case n = 1 again. '.repeat(33_000)}\\boxed{7}`, '7'],
      ['sum of 330 factorials near 5000! (slow BigInt work)', completion(terms.join('+')), '1'],
    ];
    const normal = LATEX.map(([g, p]) => [completion(p), g] as const);
    for (const timeout of [budget.timeout_ms, 200]) {
    const cfg = engine.config({ math: { timeout_ms: timeout } });
    const run = (answer: string, gold: string): Promise<VerifyOutcome> =>
      Promise.resolve(verifier.verify({ rollout: { completion: answer }, task: { type: 'math', answer: gold }, answer, config: cfg, signal }));
    const t1 = performance.now();
    const done = await Promise.all([
      ...patho.map(async ([name, c, g]) => {
        const r = await run(c, g);
        return { name, ms: performance.now() - t1, status: r.status, acc: r.accuracy };
      }),
      ...normal.map(async ([c, g]) => {
        const r = await run(c, g);
        return { name: 'normal', ms: performance.now() - t1, status: r.status, acc: r.accuracy };
      }),
    ]);
    console.log(`pathological batch (${patho.length} pathological + ${normal.length} normal items, math.timeout_ms ${timeout}, limit budget + 100 ms):`);
    for (const d of done.slice(0, patho.length)) console.log(`  ${d.name}: ${d.ms.toFixed(1)} ms, status ${d.status}, accuracy ${d.acc}`);
    const normals = done.slice(patho.length);
    console.log(`  normal items: all correct ${normals.every((d) => d.acc === 1)}, slowest ${Math.max(...normals.map((d) => d.ms)).toFixed(1)} ms`);
    console.log(`  whole batch: ${(performance.now() - t1).toFixed(1)} ms`);
    }
  } finally {
    await engine.close();
  }
}

await main();

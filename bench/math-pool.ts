// npm run bench:math-pool — how slow math items of one request affect everyone else's (issue 10, item 8).
//   1. two requests at once: A holds SLOW items that each run out of math.timeout_ms, B holds 20 normal
//      LaTeX items; B's wall time is what another tenant of the service sees.
//   2. one request mixing SLOW slow items and 10 normal ones under limits.deadline_ms: how many normal
//      items still get a reward.
// Environment: MATH_WORKERS (default: the verifier's own default), MATH_TIMEOUT_MS (1000), SLOW (24), DEADLINE_MS (20000).
// Runs the built dist/ (npm run build): workers boot as in production, not through the TypeScript loader.
import os from 'node:os';
import { RewardEngine } from '../dist/core/engine.js';
import type { ScoreResponse } from '../src/contract/types.js';

const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${cpu}, ${os.availableParallelism()} cores, node ${process.version}, ${os.platform()}`);

const env = (k: string, d: number): number => Number(process.env[k] ?? d);
const timeoutMs = env('MATH_TIMEOUT_MS', 1000);
const slowN = env('SLOW', 24);
const deadlineMs = env('DEADLINE_MS', 20_000);
const workers = process.env['MATH_WORKERS'] ? Number(process.env['MATH_WORKERS']) : undefined;

const completion = (a: string): string => `<think>We simplify step by step.</think>The answer is $\\boxed{${a}}$.`;
// A sum of large factorials: exact BigInt work far past any budget, yet a short, well-formed answer.
const terms: string[] = [];
for (let k = 5000; terms.join('+').length < 1900; k--) terms.push(`${k}!`);
const slow = (i: number) => ({ group: `slow${i}`, completion: completion(terms.join('+')), task: { type: 'math', answer: '1' } });
const LATEX: [string, string][] = [
  ['\\sqrt{8}', '2\\sqrt{2}'],
  ['\\frac{1}{2}', '\\dfrac{2}{4}'],
  ['x^2+2x+1', '(x+1)^2'],
  ['\\{1,3\\}', '\\{3,1\\}'],
  ['12\\frac{3}{5}', '\\frac{63}{5}'],
];
const normal = (i: number) => {
  const [gold, answer] = LATEX[i % LATEX.length]!;
  return { group: `normal${i}`, completion: completion(answer), task: { type: 'math', answer: gold } };
};

const engine = new RewardEngine(workers === undefined ? {} : { workers });
const summary = (res: ScoreResponse, from: number, to: number) => {
  const part = res.results.slice(from, to);
  return `${part.filter((r) => r.rewards.accuracy === 1).length}/${part.length} correct, statuses ${JSON.stringify(
    part.reduce<Record<string, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {}),
  )}`;
};

try {
  const config = engine.config({ math: { timeout_ms: timeoutMs }, limits: { deadline_ms: 60_000 } });
  // warm up the pool (workers booted, mathjs loaded)
  await engine.score(Array.from({ length: 8 }, (_, i) => normal(i)), config);
  console.log(`math.timeout_ms ${timeoutMs}, ${slowN} slow items, workers ${workers ?? 'default'}`);

  const t0 = performance.now();
  let aMs = 0;
  const a = engine.score(Array.from({ length: slowN }, (_, i) => slow(i)), config).then((r) => ((aMs = performance.now() - t0), r));
  await new Promise((r) => setTimeout(r, 50)); // A's items are queued first
  const tb = performance.now();
  const b = await engine.score(Array.from({ length: 20 }, (_, i) => normal(i)), config);
  const bDone = performance.now() - tb;
  const ra = await a;
  console.log(`1. request B (20 normal items) beside request A (${slowN} slow): B took ${bDone.toFixed(0)} ms (${summary(b, 0, 20)}); A took ${aMs.toFixed(0)} ms (${summary(ra, 0, slowN)})`);

  const mixed = [...Array.from({ length: slowN }, (_, i) => slow(i)), ...Array.from({ length: 10 }, (_, i) => normal(i))];
  const t1 = performance.now();
  const m = await engine.score(mixed, engine.config({ math: { timeout_ms: timeoutMs }, limits: { deadline_ms: deadlineMs } }));
  console.log(
    `2. one request, ${slowN} slow then 10 normal, limits.deadline_ms ${deadlineMs}: normal items ${summary(m, slowN, slowN + 10)}; took ${(performance.now() - t1).toFixed(0)} ms`,
  );
} finally {
  await engine.close();
}

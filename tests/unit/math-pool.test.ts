// The math worker pool's scheduling (issue 10, item 8): one request's slow items do not hold another's
// behind them, and a killed worker's place is taken by a warm spare instead of waiting for a boot.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WorkerPool, type PoolOutcome } from '../../src/math/pool.js';
import { gradeOptions, type MathConfig } from '../../src/math/verifier.js';
import { RewardEngine } from '../../src/core/engine.js';

const opts = gradeOptions(new RewardEngine().config()['math'] as MathConfig);
/** A sum of big exact factorials: seconds of BigInt work, far past the budgets below. */
const terms: string[] = [];
for (let k = 5000; terms.join('+').length < 1900; k--) terms.push(`${k}!`);
const slow = { answer: `\\boxed{${terms.join('+')}}`, gold: '1', opts };
const quick = { answer: '\\boxed{\\frac{1}{2}}', gold: '\\dfrac{2}{4}', opts };

/** One worker grading, one warm spare. */
const pool = new WorkerPool({ size: 1, heapMb: 256, spares: 1 });
/** How long a worker takes to load (the wait a killed worker's replacement would impose), ms. */
let boot = 0;

async function allReady(): Promise<void> {
  while (pool.readyWorkers() < 2) await new Promise((r) => setTimeout(r, 10));
}

beforeAll(async () => {
  const t0 = performance.now();
  await allReady();
  boot = performance.now() - t0;
}, 120_000);
beforeEach(allReady, 120_000);
afterAll(() => pool.close());

describe('math worker pool', () => {
  it("serves another request's item at once while one request's slow items hold every worker", async () => {
    const a = new AbortController();
    const order: string[] = [];
    const track = (name: string, p: Promise<PoolOutcome>) => p.then((o) => (order.push(name), o));
    const slowOnes = [0, 1, 2].map((i) => track(`a${i}`, pool.run(slow, 1500, a.signal)));
    const mine = track('b', pool.run(quick, 60_000, new AbortController().signal));
    expect((await mine).kind).toBe('done');
    expect(order[0]).toBe('b'); // not behind a's three (FIFO: after about three budgets and restarts)
    a.abort();
    expect((await Promise.all(slowOnes)).map((o) => o.kind)).toEqual(['aborted', 'aborted', 'aborted']);
  }, 120_000);

  it('hands the next item to a warm spare when a worker is killed, instead of waiting for a boot', async () => {
    const a = new AbortController().signal;
    const restarts = pool.restarts;
    const t0 = performance.now();
    const first = pool.run(slow, 300, a);
    const next = pool.run(quick, 60_000, a);
    expect((await first).kind).toBe('timeout');
    const tFirst = performance.now() - t0;
    expect((await next).kind).toBe('done');
    const gap = performance.now() - t0 - tFirst;
    // without a spare the next item waits for a replacement to load mathjs (the boot measured above)
    expect(gap, `boot ${boot.toFixed(0)} ms, gap ${gap.toFixed(0)} ms`).toBeLessThan(boot / 2);
    expect(pool.restarts).toBe(restarts + 1);
  }, 120_000);

  it('drops every queued item of a request that goes away, and keeps serving', async () => {
    const c = new AbortController();
    const items = [pool.run(slow, 60_000, c.signal), pool.run(slow, 60_000, c.signal), pool.run(quick, 60_000, c.signal)];
    setTimeout(() => c.abort(), 50);
    expect((await Promise.all(items)).map((o) => o.kind)).toEqual(['aborted', 'aborted', 'aborted']);
    expect((await pool.run(quick, 60_000)).kind).toBe('done');
  }, 120_000);
});

// Large accepted inputs do not hold the event loop (issue 10, item 10): while one request's long language
// scan runs, /healthz keeps being answered. The bound is relative to the scan's own duration (reported in
// details.timings_ms), not a wall-clock target: on a held loop, one probe waits out the whole scan.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Probes /healthz one after another until `done` settles; returns the slowest probe's round trip, ms. */
async function slowestProbeDuring(done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true));
  let slowest = 0;
  while (!finished) {
    const t0 = performance.now();
    await (await fetch(`${server.url}/healthz`)).text();
    slowest = Math.max(slowest, performance.now() - t0);
  }
  return slowest;
}

interface Result {
  status: string;
  rewards: { language: number };
  details: { timings_ms: { language: number } };
}

const prose = 'We add the two numbers, then we check the sum once more before writing it down. ';
const text = (chars: number) => prose.repeat(Math.ceil(chars / prose.length)).slice(0, chars);

it('answers /healthz during a long language scan of a completion, and of a prompt', async () => {
  for (const rollout of [
    { completion: `<think>${text(1_500_000)}</think>done` },
    { prompt: text(900_000), completion: `<think>${prose}</think>done` },
  ]) {
    const scoring = fetch(`${server.url}/v1/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rollouts: [rollout], config: { weights: { language: 1 } } }),
    }).then((r) => r.json() as Promise<{ results: Result[] }>);
    const slowest = await slowestProbeDuring(scoring);
    const r = (await scoring).results[0]!;
    expect(r.status).toBe('ok');
    expect(r.rewards.language).toBe(1);
    const scan = r.details.timings_ms.language;
    expect(scan).toBeGreaterThan(100); // long enough for the comparison to mean something
    expect(slowest, `slowest probe ${slowest} ms, scan ${scan} ms`).toBeLessThan(scan / 3);
  }
});

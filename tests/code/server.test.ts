// The real HTTP server keeps answering /healthz within 1 s while hostile programs run in its sandboxes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { codeEngine, fence, leftoverPids } from './helpers.js';

const BASE = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 2200;
const { engine, verifier } = codeEngine(BASE, 2);
let app: FastifyInstance;
let url = '';

beforeAll(async () => {
  app = await buildApp({ engine, options: { logLevel: false } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await app.close();
  await engine.close();
});

it('answers /healthz within 1 s while hostile code runs', async () => {
  const io = { tests: [{ stdin: '1 2\n', stdout: '3\n' }], time_limit_ms: 1000 };
  const hostile = [
    fence('python', 'while True: pass'),
    fence('python', 'import os\nwhile True:\n    try: os.fork()\n    except OSError: pass'),
    fence('python', 'a = []\nwhile True: a.append(bytearray(10**6))'),
    fence('python', 'import sys\nwhile True: sys.stdout.write("x" * 65536)'),
  ].map((completion) => ({ completion, task: { type: 'code', language: 'python', ...io } }));
  hostile.push({ completion: fence('js', 'while (true) {}'), task: { type: 'code', language: 'javascript', ...io } });
  hostile.push({ completion: fence('js', 'const f = () => Promise.resolve().then(f); f();'), task: { type: 'code', language: 'javascript', ...io } });
  const scoring = fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts: hostile }) });
  const latencies: number[] = [];
  let done = false;
  void scoring.finally(() => (done = true));
  await new Promise((r) => setTimeout(r, 100));
  while (!done || latencies.length < 5) {
    const t0 = performance.now();
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    expect(res.status).toBe(200);
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(Math.max(...latencies)).toBeLessThan(1000);
  const body = (await (await scoring).json()) as { results: { rewards: { accuracy: number | null }; status: string }[] };
  expect(body.results.map((r) => r.status)).toEqual(hostile.map(() => 'ok'));
  expect(body.results.map((r) => r.rewards.accuracy)).toEqual(hostile.map(() => 0));
  expect(await leftoverPids(BASE, 2, verifier)).toEqual([]);
});

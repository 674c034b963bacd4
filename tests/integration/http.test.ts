import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { RewardEngine } from '../../src/core/engine.js';
import { VerifierRegistry } from '../../src/verifiers/registry.js';
import { post, startServer, type TestServer } from '../helpers/server.js';

const ok = '<think>I reason about it.</think>The answer is A.';

describe('HTTP service over a real socket', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ maxRollouts: 50, bodyLimit: 64 * 1024 });
  });
  afterAll(async () => s.close());

  it('answers health, readiness, metrics and OpenAPI', async () => {
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    const doc = (await (await fetch(`${s.url}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/score', '/v1/advantages']));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking an arbitrary OpenAPI document
    const score = (doc.paths['/v1/score'] as any).post;
    const body = score.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties.config.properties)).toEqual(expect.arrayContaining(['weights', 'advantage', 'format', 'language', 'math', 'code']));
    const ok200 = score.responses['200'].content['application/json'].schema;
    // every documented key of a scored rollout and of the stats is in a real response
    const real = (await post(`${s.url}/v1/score`, { rollouts: [{ completion: 'x' }] })).json;
    for (const k of Object.keys(ok200.properties.results.items.properties)) if (k !== 'error') expect(real.results[0]).toHaveProperty(k);
    for (const k of ok200.properties.stats.required) expect(real.stats).toHaveProperty(k);
  });

  it('writes reward-like numbers as floats (a trainer builds float tensors) and echoes the input as sent', async () => {
    const rollouts = [
      { id: 'a', n: 5, prompt: 'p', completion: ok, task: { type: 'exact', answer: 'A' } },
      { id: 'b', n: 6, prompt: 'p', completion: ok, task: { type: 'exact', answer: 'A' } },
    ];
    const res = await fetch(`${s.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts }) });
    const text = await res.text();
    expect(text).toContain('"reward":2.0');
    expect(text).toContain('"rewards":{"accuracy":1.0,"format":1.0,"language":null,"length":null}');
    expect(text).toContain('"advantage":0.0');
    expect(text).toContain('"n":5');
    expect(text).toContain('"rollouts":2,');
    expect(JSON.parse(text)).toMatchObject({ results: [{ id: 'a', n: 5, reward: 2 }, { id: 'b', n: 6 }] });
    const adv = await fetch(`${s.url}/v1/advantages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rewards: [1, 1, 0, 2], groups: ['g', 'g', 'h', 'h'] }),
    });
    const advText = await adv.text();
    expect(advText).toMatch(/^\{"advantages":\[0\.0,0\.0,-[0-9.]+,[0-9.]+\],"groups":\[\{"group":"g","size":2,/);
  });

  it('scores a batch: results, groups, stats', async () => {
    const rollouts = [
      { id: 'a', prompt: 'p', completion: ok, task: { type: 'exact', answer: 'A' } },
      { id: 'b', prompt: 'p', completion: '<think>hm</think>B', task: { type: 'exact', answer: 'A' } },
    ];
    const { status, json } = await post(`${s.url}/v1/score`, { rollouts, config: { advantage: { preset: undefined, eps: 0 } } });
    expect(status).toBe(200);
    expect(json.results.map((r: { id: string; reward: number }) => [r.id, r.reward])).toEqual([['a', 2], ['b', 1]]);
    // two rewards 2 and 1: mean 1.5, unbiased std sqrt(0.5)
    expect(json.results[0].advantage).toBeCloseTo(0.5 / Math.SQRT1_2, 10);
    expect(json.groups).toHaveLength(1);
    expect(json.stats).toMatchObject({ rollouts: 2, scored: 2, errors: 0 });
  });

  it('400 lists every offending path of a malformed request', async () => {
    const { status, json } = await post(`${s.url}/v1/score`, { rollout: [], config: { weights: { formatt: 1 } } });
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_request');
    // shape and config errors together: every offending path in one answer
    expect(json.fields.map((f: { path: string }) => f.path).sort()).toEqual(['config.weights.formatt', 'rollout', 'rollouts']);
    const bad = await post(`${s.url}/v1/score`, { rollouts: [], config: { weights: { formatt: 1 }, limits: { concurrency: -1 } } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields.map((f: { path: string }) => f.path).sort()).toEqual(['config.limits.concurrency', 'config.weights.formatt']);
  });

  it('400 on invalid JSON and on too many rollouts; 413 on a body over the limit', async () => {
    const broken = await post(`${s.url}/v1/score`, '{"rollouts": [');
    expect(broken.status).toBe(400);
    const many = await post(`${s.url}/v1/score`, { rollouts: Array.from({ length: 51 }, () => ({ completion: ok })) });
    expect(many.status).toBe(400);
    expect(many.json.message).toContain('limit is 50');
    const big = await post(`${s.url}/v1/score`, { rollouts: [{ completion: 'x'.repeat(70 * 1024) }] });
    expect(big.status).toBe(413);
    expect(big.json.error).toBe('payload_too_large');
  });

  it('a bad rollout is marked and the rest are scored', async () => {
    const { status, json } = await post(`${s.url}/v1/score`, { rollouts: [{ completion: ok }, { text: 'no completion' }, { completion: ok }] });
    expect(status).toBe(200);
    expect(json.results.map((r: { status: string }) => r.status)).toEqual(['ok', 'invalid_rollout', 'ok']);
    expect(json.results[1].error).toContain('rollouts[1].completion');
    expect(json.results[1].text).toBe('no completion');
  });

  it('computes advantages for rewards from elsewhere', async () => {
    const { status, json } = await post(`${s.url}/v1/advantages`, {
      rewards: [1, 0, null, 0.5],
      groups: ['a', 'a', 'a', 'b'],
      config: { preset: 'dr_grpo' },
    });
    expect(status).toBe(200);
    expect(json.advantages).toEqual([0.5, -0.5, 0, 0]);
    const bad = await post(`${s.url}/v1/advantages`, { rewards: [1, 'x'], groups: ['a'] });
    expect(bad.status).toBe(400);
    expect(bad.json.fields.map((f: { path: string }) => f.path)).toEqual(['rewards[1]', 'groups']);
  });

  it('exports Prometheus metrics, per-component means included', async () => {
    await post(`${s.url}/v1/score`, { rollouts: [{ completion: ok }] });
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(/r1_reward_requests_total\{route="\/v1\/score",code="200"\} \d+/);
    expect(text).toMatch(/r1_reward_component_last_batch_mean\{component="format"\} 1/);
    expect(text).toContain('r1_reward_inflight_rollouts');
    expect(text).toMatch(/r1_reward_rollouts_total\{status="invalid_rollout"\} \d+/);
  });
});

describe('saturation', () => {
  it('503 with Retry-After when rollouts in flight would pass the bound', async () => {
    // A verifier held open by the test keeps the first request's rollouts in flight.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const started = new Promise<void>((r) => (entered = r));
    const registry = new VerifierRegistry().register({
      type: 'gate',
      description: 'test double',
      taskSchema: Type.Object({ type: Type.Literal('gate') }),
      verify: async () => {
        entered();
        await gate;
        return { accuracy: 1, status: 'ok', details: {} };
      },
    });
    const s = await startServer({ maxInflight: 10 }, new RewardEngine({ registry }));
    try {
      const slow = post(`${s.url}/v1/score`, { rollouts: Array.from({ length: 8 }, () => ({ completion: ok, task: { type: 'gate' } })) });
      await started;
      const refused = await post(`${s.url}/v1/score`, { rollouts: Array.from({ length: 5 }, () => ({ completion: ok })) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.json.error).toBe('saturated');
      // small enough to fit beside the first: admitted
      expect((await post(`${s.url}/v1/score`, { rollouts: [{ completion: ok }] })).status).toBe(200);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      release();
      expect((await slow).status).toBe(200);
      // capacity comes back once the first finished
      expect((await post(`${s.url}/v1/score`, { rollouts: Array.from({ length: 5 }, () => ({ completion: ok })) })).status).toBe(200);
    } finally {
      release();
      await s.close();
    }
  });
});

describe('cancellation', () => {
  it('a client that disconnects aborts the work of its request', async () => {
    let aborted!: () => void;
    const sawAbort = new Promise<void>((r) => (aborted = r));
    let entered!: () => void;
    const started = new Promise<void>((r) => (entered = r));
    const registry = new VerifierRegistry().register({
      type: 'wait',
      description: 'test double: waits for its signal',
      taskSchema: Type.Object({ type: Type.Literal('wait') }),
      verify: ({ signal }) =>
        new Promise((_, reject) => {
          entered();
          signal.addEventListener('abort', () => {
            aborted();
            reject(new Error('aborted'));
          });
        }),
    });
    const s = await startServer({}, new RewardEngine({ registry }));
    try {
      const c = new AbortController();
      const req = fetch(`${s.url}/v1/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rollouts: [{ completion: ok, task: { type: 'wait' } }] }),
        signal: c.signal,
      }).catch((e: Error) => e);
      await started;
      c.abort();
      await sawAbort; // resolves only if the server aborted the verifier's signal
      expect(await req).toBeInstanceOf(Error);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('event loop', () => {
  it('answers /healthz while a CPU-heavy batch is being scored', async () => {
    const s = await startServer();
    try {
      const text = 'We add the numbers and divide the sum by three to find the mean. '.repeat(300);
      const body = { rollouts: Array.from({ length: 256 }, (_, i) => ({ completion: `<think>${text} ${i}</think>x` })), config: { weights: { language: 1 } } };
      let batchDone = false;
      const batch = post(`${s.url}/v1/score`, body).then((r) => {
        batchDone = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 50));
      const health = await fetch(`${s.url}/healthz`);
      const healthBeforeBatch = !batchDone;
      expect(health.status).toBe(200);
      expect((await batch).status).toBe(200);
      expect(healthBeforeBatch).toBe(true);
    } finally {
      await s.close();
    }
  });
});

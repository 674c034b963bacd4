// Hostile input shapes over real sockets (issue 10, items 4, 6, 10, 11): too deep a value marks only its
// rollout, a deep or wrong-typed config is a 400 / INVALID_ARGUMENT naming the field, a nested
// `__proto__` is refused on every transport, and every number sent back is finite.
import { Readable, Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreStream } from '../../src/cli/score-file.js';
import { MAX_NESTING_DEPTH } from '../../src/contract/limits.js';
import { runCli } from '../helpers/cli.js';
import { post } from '../helpers/server.js';
import { grpcError, rewardClient, startService } from '../helpers/service.js';

type Svc = Awaited<ReturnType<typeof startService>>;
type Obj = Record<string, unknown>;

const OK = '<think>reasoning</think>\nThe answer is \\boxed{B}';

/** `[[[…1…]]]` nested `levels` deep, built as text (building it as an object and stringifying would overflow). */
const deepText = (levels: number): string => '['.repeat(levels) + '1' + ']'.repeat(levels);
const deepValue = (levels: number): unknown => JSON.parse(deepText(levels));

async function http(svc: Svc, path: string, body: string): Promise<{ status: number; json: Obj }> {
  return post(svc.httpUrl + path, body);
}

let svc: Svc;
let client: ReturnType<typeof rewardClient>;

beforeAll(async () => {
  svc = await startService();
  client = rewardClient(svc.grpcAddress);
});
afterAll(async () => {
  client.close();
  await svc.close();
});

describe('nesting depth (a documented limit)', () => {
  const good = { id: 'good', group: 'g', completion: OK, task: { type: 'exact', answer: 'B' } };

  it('HTTP: a too-deep extra key, task field or config is named; the good rollouts of the batch are scored', async () => {
    const body = `{"rollouts":[${JSON.stringify(good)},{"id":"deep-extra","group":"g","completion":"x","meta":${deepText(5000)}},` +
      `{"id":"deep-task","group":"g","completion":"x","task":{"type":"exact","answer":"B","args":${deepText(5000)}}},` +
      `{"id":"at-limit","group":"g","completion":${JSON.stringify(OK)},"meta":${deepText(MAX_NESTING_DEPTH - 1)}}]}`;
    const res = await http(svc, '/v1/score', body);
    expect(res.status).toBe(200);
    const results = res.json['results'] as Obj[];
    expect(results.map((r) => [r['id'], r['status']])).toEqual([
      ['good', 'ok'],
      ['deep-extra', 'invalid_rollout'],
      ['deep-task', 'invalid_rollout'],
      ['at-limit', 'ok'],
    ]);
    expect(results[0]!['reward']).toBe(2);
    expect(results[1]!['error']).toMatch(/rollouts\[1\]\.meta[[\]0]*: nests deeper than 64 levels/);
    expect(results[1]).not.toHaveProperty('meta'); // too deep to echo; the error names it
    expect(results[2]!['error']).toMatch(/rollouts\[2\]\.task\.args[[\]0]*: nests deeper/);
    expect(results[3]!['meta']).toEqual(deepValue(MAX_NESTING_DEPTH - 1));

    const cfg = await http(svc, '/v1/score', `{"rollouts":[${JSON.stringify(good)}],"config":{"format":${deepText(5000)}}}`);
    expect(cfg.status).toBe(400);
    expect(cfg.json['message']).toMatch(/config\.format[[\]0]*: nests deeper than 64 levels/);
    const adv = await http(svc, '/v1/advantages', `{"rewards":[1],"groups":["a"],"config":{"x":${deepText(5000)}}}`);
    expect(adv.status).toBe(400);
  });

  it('gRPC: a too-deep task_json marks its rollout; a deep config_json is INVALID_ARGUMENT', async () => {
    const res = await client.score<{ results: Obj[] }>({
      rollouts: [
        { id: 'good', group: 'g', completion: OK, task_json: JSON.stringify(good.task) },
        { id: 'deep', group: 'g', completion: OK, task_json: `{"type":"exact","answer":"B","x":${deepText(5000)}}` },
      ],
    });
    expect(res.results.map((r) => r['status'])).toEqual(['ok', 'invalid_rollout']);
    expect(res.results[1]!['error']).toMatch(/rollouts\[1\]\.task\.x[[\]0]*: nests deeper/);
    const err = await grpcError(client.score({ rollouts: [{ completion: OK }], config_json: `{"weights":${deepText(5000)}}` }));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/config\.weights[[\]0]*: nests deeper/);
  });

  it('CLI core: a too-deep line becomes an error row; the other rows are written', async () => {
    const input = Readable.from([`{"id":"a","completion":"x"}\n`, `{"id":"b","completion":"x","meta":${deepText(5000)}}\n`, `{"id":"c","completion":"x"}\n`]);
    let text = '';
    const output = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    const res = await scoreStream(svc.engine, svc.engine.config(), input, output);
    const rows = text.trim().split('\n').map((l) => JSON.parse(l) as Obj);
    expect(rows.map((r) => [r['id'], r['status']])).toEqual([
      ['a', 'ok'],
      ['b', 'invalid_rollout'],
      ['c', 'ok'],
    ]);
    expect(rows[1]!['error']).toMatch(/\.meta[[\]0]*: nests deeper/);
    expect(res.stats.status_counts).toEqual({ ok: 2, invalid_rollout: 1 });
  });
});

describe('nesting depth through the CLI', () => {
  it('r1-reward score writes an error row for a too-deep line and exits 0', async () => {
    const stdin = `{"id":"a","completion":"x"}\n{"id":"b","completion":"x","meta":${deepText(5000)}}\n{"id":"c","completion":"x"}\n`;
    const res = await runCli(['score', '-', '-o', '-'], stdin);
    expect(res.code, res.stderr).toBe(0);
    const rows = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as Obj);
    expect(rows.map((r) => [r['id'], r['status']])).toEqual([
      ['a', 'ok'],
      ['b', 'invalid_rollout'],
      ['c', 'ok'],
    ]);
  }, 60_000);
});

describe('config values', () => {
  it('a nested __proto__ in gRPC config_json is refused as over HTTP, and is never applied', async () => {
    const json = '{"weights":{"__proto__":{"polluted":1}}}';
    const err = await grpcError(client.score({ rollouts: [{ completion: OK }], config_json: json }));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/config\.weights\.__proto__: unknown key/);
    const res = await http(svc, '/v1/score', `{"rollouts":[{"completion":"x"}],"config":${json}}`);
    expect(res.status).toBe(400);
  });

  it('wrong-typed values are a 400 naming the field, not silently the defaults', async () => {
    for (const [config, path] of [
      [{ compute: {} }, 'config.compute'],
      [{ language: { candidates: { a: 1 } } }, 'config.language.candidates'],
      [{ limits: [] }, 'config.limits'],
    ] as const) {
      const res = await http(svc, '/v1/score', JSON.stringify({ rollouts: [{ completion: OK }], config }));
      expect(res.status, path).toBe(400);
      expect((res.json['fields'] as Obj[]).map((f) => f['path'])).toContain(path);
    }
    const err = await grpcError(client.score({ rollouts: [{ completion: OK }], config_json: '{"compute":{}}' }));
    expect(err.details).toMatch(/config\.compute: must be an array/);
  });
});

describe('every number leaving the service is finite', () => {
  const group = (n: number, completion = OK) =>
    Array.from({ length: n }, (_, i) => ({ id: `r${i}`, group: 'z', completion, task: { type: 'exact', answer: 'B' } }));

  it('advantage.eps 0 with a zero-variance group: advantage 0, over HTTP and gRPC', async () => {
    for (const estimator of ['grpo', 'passk', 'reinforce_baseline']) {
      const config = { advantage: { estimator, eps: 0, whiten_eps: 0 } };
      const res = await http(svc, '/v1/score', JSON.stringify({ rollouts: group(4), config }));
      expect(res.status).toBe(200);
      expect((res.json['results'] as Obj[]).map((r) => [r['status'], r['advantage']]), estimator).toEqual(Array(4).fill(['ok', 0]));
      const g = await client.score<{ results: Obj[] }>({ rollouts: group(4).map(({ task, ...r }) => ({ ...r, task_json: JSON.stringify(task) })), config_json: JSON.stringify(config) });
      expect(g.results.map((r) => r['advantage']), estimator).toEqual([0, 0, 0, 0]);
    }
    const adv = await http(svc, '/v1/advantages', JSON.stringify({ rewards: [0.1, 0.1, 0.1], groups: ['a', 'a', 'a'], config: { advantage: { eps: 0 } } }));
    expect(adv.json['advantages']).toEqual([0, 0, 0]);
  });

  it('weights and rewards too large to sum finitely are refused, naming the field', async () => {
    const res = await http(svc, '/v1/score', JSON.stringify({ rollouts: group(2), config: { weights: { accuracy: 1e308, format: 1e308 } } }));
    expect(res.status).toBe(400);
    expect((res.json['fields'] as Obj[]).map((f) => f['path'])).toEqual(['config.weights.accuracy', 'config.weights.format']);
    for (const config of [{ accuracy: { timeout_reward: 1e308 } }, { language: { empty: -1e308 } }, { length: { kind: 'cosine', max_value_correct: 1e308 } }]) {
      expect((await http(svc, '/v1/score', JSON.stringify({ rollouts: group(1), config }))).status, JSON.stringify(config)).toBe(400);
    }
    const err = await grpcError(client.score({ rollouts: [{ completion: OK }], config_json: '{"weights":{"format":1e308}}' }));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    const adv = await http(svc, '/v1/advantages', JSON.stringify({ rewards: [1.7e308, 1.7e308], groups: ['a', 'a'] }));
    expect(adv.status).toBe(400);
    expect(adv.json['message']).toMatch(/rewards\[0\]: must be a number within/);
  });
});

describe('result keys and prompt size', () => {
  it('an input key named like a result key is replaced, never echoed beside status ok, and details say so', async () => {
    const body = { rollouts: [{ id: 'e', completion: OK, error: 'from the client', status: 'whatever' }] };
    const res = await http(svc, '/v1/score', JSON.stringify(body));
    const r = (res.json['results'] as Obj[])[0]!;
    expect(r['status']).toBe('ok');
    expect(r).not.toHaveProperty('error');
    expect((r['details'] as Obj)['replaced_input_keys']).toEqual(['status', 'error']);
  });

  it('a prompt over limits.max_prompt_chars marks its rollout invalid, naming the field', async () => {
    const body = { rollouts: [{ id: 'long', prompt: 'p'.repeat(101), completion: OK }, { id: 'fine', prompt: 'p', completion: OK }], config: { limits: { max_prompt_chars: 100 } } };
    const res = await http(svc, '/v1/score', JSON.stringify(body));
    const results = res.json['results'] as Obj[];
    expect(results.map((r) => r['status'])).toEqual(['invalid_rollout', 'ok']);
    expect(results[0]!['error']).toBe('rollouts[0].prompt: longer than limits.max_prompt_chars (100)');
  });
});

// RewardService over a real socket with the Node client: same results as HTTP, status codes, deadlines,
// cancellation, streaming, health and reflection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { grpcError, rewardClient, startService } from '../helpers/service.js';

type Svc = Awaited<ReturnType<typeof startService>>;
type Client = ReturnType<typeof rewardClient>;
type Obj = Record<string, unknown>;

const THINK = (a: string) => `<think>reasoning</think>\nThe answer is \\boxed{${a}}`;

function batch(): Obj[] {
  return [
    { id: 'a1', group: 'a', prompt: 'p', completion: THINK('B'), task: { type: 'exact', answer: 'B' } },
    { id: 'a2', group: 'a', prompt: 'p', completion: THINK('C'), task: { type: 'exact', answer: 'B' } },
    { id: 'a3', group: 'a', prompt: 'p', completion: 'no think', task: { type: 'exact', answer: 'B' } },
    { id: 'b1', group: 'b', completion: THINK('7'), task: { type: 'exact', answer: ['7', 'seven'] } },
    { id: 'b2', group: 'b', completion: THINK('8'), task: { type: 'nope' } },
    { id: 'c1', completion: THINK('x') },
  ];
}

/** The JSON rollout as a proto Rollout: task travels as JSON text. */
function toMsg(r: Obj): Obj {
  const { task, ...rest } = r;
  return task === undefined ? rest : { ...rest, task_json: JSON.stringify(task) };
}

async function http(svc: Svc, path: string, body: unknown): Promise<{ status: number; json: Obj }> {
  const res = await fetch(svc.httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Obj };
}

let svc: Svc;
let client: Client;

beforeAll(async () => {
  svc = await startService({ maxRollouts: 50, maxInflight: 4 });
  client = rewardClient(svc.grpcAddress);
});
afterAll(async () => {
  client.close();
  await svc.close();
});

describe('Score', () => {
  it('returns what POST /v1/score returns for the same batch', async () => {
    const config = { weights: { accuracy: 1, format: 0.5 } };
    const viaHttp = await http(svc, '/v1/score', { rollouts: batch(), config });
    expect(viaHttp.status).toBe(200);
    const viaGrpc = await client.score<{ results: Obj[]; groups: Obj[]; stats: Obj }>({ rollouts: batch().map(toMsg), config_json: JSON.stringify(config) });
    const h = viaHttp.json['results'] as Obj[];
    expect(viaGrpc.results).toHaveLength(h.length);
    viaGrpc.results.forEach((g, i) => {
      expect(g['index']).toBe(i);
      expect(g['id']).toBe(h[i]!['id']);
      expect(g['status']).toBe(h[i]!['status']);
      expect(g['reward'] ?? null).toBe(h[i]!['reward']);
      expect(g['advantage'] ?? 0).toBeCloseTo(h[i]!['advantage'] as number, 12);
      const d = JSON.parse(g['details_json'] as string) as Obj;
      expect(d['accuracy']).toEqual((h[i]!['details'] as Obj)['accuracy']);
    });
    // a1 right, a2 wrong, b2 unknown task type: no reward, not a zero
    expect(viaGrpc.results[0]!['reward']).toBe(1.5);
    expect(viaGrpc.results[1]!['reward']).toBe(0.5);
    expect(viaGrpc.results[4]!['status']).toBe('unknown_task_type');
    expect(viaGrpc.results[4]!['reward']).toBeUndefined();
    expect((viaGrpc.results[4]!['rewards'] as Obj)['accuracy']).toBeUndefined();
    expect(viaGrpc.results[0]!['group']).toBe('a');
    const hs = viaHttp.json['stats'] as Obj;
    expect(viaGrpc.stats['rollouts']).toBe(hs['rollouts']);
    expect(viaGrpc.stats['scored']).toBe(hs['scored']);
    expect(viaGrpc.stats['mean_reward']).toBeCloseTo(hs['mean_reward'] as number, 12);
    const counts = Object.fromEntries((viaGrpc.stats['status_counts'] as { status: string; count: number }[]).map((c) => [c.status, c.count]));
    expect(counts).toEqual(hs['status_counts']);
    expect(viaGrpc.groups.map((g) => g['group'])).toEqual((viaHttp.json['groups'] as Obj[]).map((g) => g['group']));
  });

  it('accepts an empty batch', async () => {
    const res = await client.score<{ results?: Obj[]; stats: Obj }>({ rollouts: [] });
    expect(res.results ?? []).toEqual([]);
    expect(res.stats['rollouts'] ?? 0).toBe(0);
  });

  it('answers INVALID_ARGUMENT naming every bad field of the request', async () => {
    const c = await grpcError(client.score({ rollouts: [toMsg(batch()[0]!)], config_json: JSON.stringify({ weights: { acuracy: 1 }, limits: { concurrency: 0 } }) }));
    expect(c.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(c.details).toContain('config.weights.acuracy');
    const fields = JSON.parse(c.metadata.get('r1-fields-bin')[0]!.toString()) as { path: string }[];
    expect(fields.map((f) => f.path)).toEqual(expect.arrayContaining(['config.weights.acuracy', 'config.limits.concurrency']));
    const j = await grpcError(client.score({ rollouts: [], config_json: '{"weights":' }));
    expect(j.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(j.details).toContain('config_json: is not valid JSON');
    const many = await grpcError(client.score({ rollouts: Array.from({ length: 51 }, () => ({ completion: 'x' })) }));
    expect(many.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(many.details).toMatch(/rollouts: has 51 items; the limit is 50/);
  });

  it('marks a rollout whose task_json is not JSON invalid_rollout and scores the rest', async () => {
    const good = batch().slice(0, 3).map(toMsg);
    const res = await client.score<{ results: Obj[]; stats: Obj; groups: Obj[] }>({
      rollouts: [good[0], { id: 'bad', group: 'a', prompt: 'p', completion: THINK('B'), task_json: '{"type":' }, good[1], good[2]],
    });
    expect(res.results.map((r) => r['status'])).toEqual(['ok', 'invalid_rollout', 'ok', 'ok']);
    const bad = res.results[1]!;
    expect(bad['id']).toBe('bad');
    expect(bad['group']).toBe('a');
    expect(bad['error']).toMatch(/^rollouts\[1\]\.task_json: is not valid JSON/);
    expect(bad['reward']).toBeUndefined();
    expect(JSON.parse(bad['details_json'] as string)['fields'][0]['path']).toBe('rollouts[1].task_json');
    // the group's statistics leave the unscored rollout out, exactly as HTTP's would
    const h = await http(svc, '/v1/score', { rollouts: [batch()[0], { id: 'bad', group: 'a', prompt: 'p', completion: THINK('B'), task: 'x' }, batch()[1], batch()[2]] });
    expect(res.results.map((r) => r['advantage'] ?? 0)).toEqual((h.json['results'] as Obj[]).map((r) => r['advantage']));
    expect(res.stats['errors']).toBe(1);
  });

  it('marks a rollout without completion invalid_rollout; an empty completion is scored', async () => {
    const res = await client.score<{ results: Obj[] }>({ rollouts: [{ id: 'none', task_json: '{"type":"exact","answer":"B"}' }, { id: 'empty', completion: '' }] });
    expect(res.results[0]!['status']).toBe('invalid_rollout');
    expect(res.results[0]!['error']).toContain('rollouts[0].completion');
    expect(res.results[1]!['status']).toBe('ok');
    expect((res.results[1]!['rewards'] as Obj)['format']).toBe(0);
  });

  it('marks a bad rollout without spoiling its batch', async () => {
    const res = await client.score<{ results: Obj[] }>({ rollouts: [toMsg(batch()[0]!), { completion: 'x', language: 'English!' }] });
    expect(res.results[0]!['status']).toBe('ok');
    expect(res.results[1]!['status']).toBe('invalid_rollout');
    expect(res.results[1]!['error']).toContain('rollouts[1].language');
  });

  it('answers RESOURCE_EXHAUSTED while the admission bound is full', async () => {
    const slow = client.score({ rollouts: Array.from({ length: 4 }, () => ({ completion: 'x', task_json: '{"type":"sleep","ms":400}' })) });
    await new Promise((r) => setTimeout(r, 100));
    const e = await grpcError(client.score({ rollouts: [{ completion: 'y' }] }));
    expect(e.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // HTTP shares the same bound
    const h = await http(svc, '/v1/score', { rollouts: [{ completion: 'y' }] });
    expect(h.status).toBe(503);
    const done = await slow;
    expect((done as { results: Obj[] }).results.every((r) => r['status'] === 'ok')).toBe(true);
  });

  it('honours the call deadline: DEADLINE_EXCEEDED, and the scoring signal aborts', async () => {
    const before = svc.probe.aborted;
    const e = await grpcError(client.score({ rollouts: [{ completion: 'x', task_json: '{"type":"sleep","ms":10000}' }] }, { deadline: Date.now() + 300 }));
    expect(e.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await expect.poll(() => svc.probe.aborted, { timeout: 2000 }).toBe(before + 1);
  });

  it('a cancelled call aborts its scoring', async () => {
    const before = svc.probe.aborted;
    let call: grpc.ClientUnaryCall | undefined;
    const p = grpcError(client.score({ rollouts: [{ completion: 'x', task_json: '{"type":"sleep","ms":10000}' }] }, {}, (c) => (call = c)));
    await expect.poll(() => svc.probe.started > 0 && svc.probe.started - svc.probe.aborted - svc.probe.finished > 0, { timeout: 2000 }).toBe(true);
    call!.cancel();
    expect((await p).code).toBe(grpc.status.CANCELLED);
    await expect.poll(() => svc.probe.aborted, { timeout: 2000 }).toBe(before + 1);
  });
});

describe('ComputeAdvantages', () => {
  it('matches POST /v1/advantages; NaN is an unscored reward', async () => {
    const rewards = [1, 0, 1, NaN, 0.5, 0.5];
    const groups = ['g', 'g', 'g', 'g', 'h', 'h'];
    const config = { preset: 'trl' };
    const g = await client.advantages<{ advantages: number[]; groups: Obj[] }>({ rewards, groups, config_json: JSON.stringify(config) });
    const h = await http(svc, '/v1/advantages', { rewards: rewards.map((r) => (Number.isNaN(r) ? null : r)), groups, config });
    expect(g.advantages).toHaveLength(6);
    g.advantages.forEach((a, i) => expect(a).toBeCloseTo((h.json['advantages'] as number[])[i]!, 12));
    expect(g.advantages[3]).toBe(0);
    expect(g.groups[0]!['scored']).toBe(3);
  });

  it('names mismatched lengths', async () => {
    const e = await grpcError(client.advantages({ rewards: [1, 2], groups: ['a'] }));
    expect(e.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(e.details).toContain('groups: has 1 items but rewards has 2');
  });
});

/** Runs a ScoreStream: `send` drives the requests and sees each response as it comes. */
function openStream(opts: grpc.CallOptions = {}, via: Client = client) {
  const call = via.stream(opts);
  const got: Obj[] = [];
  const waiters: { pred: (m: Obj) => boolean; resolve: (m: Obj) => void }[] = [];
  call.on('data', (m: Obj) => {
    got.push(m);
    for (const w of [...waiters]) {
      if (!w.pred(m)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    call.on('error', (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    call.on('status', (s: grpc.StatusObject) => s.code === grpc.status.OK && resolve({ code: 0, details: s.details }));
  });
  const next = (pred: (m: Obj) => boolean): Promise<Obj> => {
    const seen = got.find(pred);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  return { call, got, ended, next };
}

const scoredOf = (id: string) => (m: Obj) => (m['scored'] as Obj | undefined)?.['id'] === id;
const groupOf = (g: string) => (m: Obj) => (m['group'] as Obj | undefined)?.['group'] === g;

describe('ScoreStream', () => {
  it('sends each scored rollout as it is ready and a group as soon as it is complete', async () => {
    const s = openStream();
    s.call.write({ config: { config_json: JSON.stringify({ preset: 'trl' }) } });
    const b = batch();
    // One rollout at a time: its score must come back before the next is sent.
    s.call.write({ rollout: { rollout: toMsg(b[0]!), group_size: 3 } });
    const first = (await s.next(scoredOf('a1')))['scored'] as Obj;
    expect(first['index']).toBe(0);
    expect(first['reward']).toBe(2);
    s.call.write({ rollout: { rollout: toMsg(b[3]!) } }); // group b: closed by group_end
    s.call.write({ rollout: { rollout: toMsg(b[1]!) } });
    await s.next(scoredOf('a2'));
    expect(s.got.some(groupOf('a'))).toBe(false);
    s.call.write({ rollout: { rollout: toMsg(b[2]!) } });
    const ga = (await s.next(groupOf('a')))['group'] as Obj;
    expect(ga['ids']).toEqual(['a1', 'a2', 'a3']);
    expect(ga['indices']).toEqual([0, 2, 3]);
    // the same advantages as a whole-batch Score of that group
    const whole = await client.score<{ results: Obj[] }>({ rollouts: b.slice(0, 3).map(toMsg), config_json: JSON.stringify({ preset: 'trl' }) });
    (ga['advantages'] as number[]).forEach((a, i) => expect(a).toBeCloseTo((whole.results[i]!['advantage'] as number) ?? 0, 12));
    expect((ga['stats'] as Obj)['size']).toBe(3);
    s.call.write({ rollout: { rollout: toMsg(b[4]!) } });
    s.call.write({ group_end: { group: 'b' } });
    const gb = (await s.next(groupOf('b')))['group'] as Obj;
    expect(gb['ids']).toEqual(['b1', 'b2']);
    expect((gb['stats'] as Obj)['scored']).toBe(1); // b2 has an unknown task type: no reward
    s.call.write({ rollout: { rollout: { id: 'open', group: 'z', completion: 'x' } } });
    s.call.end();
    expect((await s.ended).code).toBe(0);
    // the open group was completed at half-close, after its member's score
    const zi = s.got.findIndex(groupOf('z'));
    expect(zi).toBeGreaterThan(s.got.findIndex(scoredOf('open')));
    expect(s.got.filter((m) => m['scored'])).toHaveLength(6);
    // every group's message comes after all its members' scores
    for (const m of s.got.filter((x) => x['group'])) {
      const g = m['group'] as Obj;
      const at = s.got.indexOf(m);
      for (const id of g['ids'] as string[]) expect(s.got.findIndex(scoredOf(id))).toBeLessThan(at);
    }
  });

  it('closes by group_end a group named like a default key (#1, prompt:…), keyed as the core keys it', async () => {
    for (const name of ['#1', 'prompt:abc']) {
      const s = openStream();
      s.call.write({ rollout: { rollout: { id: 'x1', group: name, completion: '<think>r</think>A' } } });
      s.call.write({ rollout: { rollout: { id: 'x2', group: name, completion: 'A' } } });
      s.call.write({ group_end: { group: name } });
      const g = (await s.next(groupOf(`group:${name}`)))['group'] as Obj;
      expect(g['ids']).toEqual(['x1', 'x2']);
      s.call.end();
      expect((await s.ended).code).toBe(0);
    }
  });

  it('answers a rollout with an unparsable task as invalid_rollout and goes on', async () => {
    const s = openStream();
    s.call.write({ rollout: { rollout: { id: 'bad', group: 'g', completion: 'x', task_json: '{' }, group_size: 2 } });
    s.call.write({ rollout: { rollout: toMsg({ ...batch()[0]!, group: 'g', id: 'good' }) } });
    const g = (await s.next(groupOf('g')))['group'] as Obj;
    expect(g['ids']).toEqual(['bad', 'good']);
    const bad = s.got.find(scoredOf('bad'))!['scored'] as Obj;
    expect(bad['status']).toBe('invalid_rollout');
    expect(bad['error']).toContain('rollouts[0].task_json');
    s.call.end();
    expect((await s.ended).code).toBe(0);
  });

  it('remembers only the newest completed groups (bounded memory on a long stream)', async () => {
    const small = await startService({}, { streamCompletedGroups: 2 });
    const c = rewardClient(small.grpcAddress);
    try {
      const s = openStream({}, c);
      for (const g of ['a', 'b', 'c']) {
        s.call.write({ rollout: { rollout: { id: `${g}0`, group: g, completion: 'x' }, group_size: 1 } });
        await s.next(groupOf(g));
      }
      // 'a' is forgotten (2 newest: b, c): reusing its key starts a new group
      s.call.write({ rollout: { rollout: { id: 'a-again', group: 'a', completion: 'x' }, group_size: 1 } });
      expect(((await s.next(scoredOf('a-again')))['scored'] as Obj)['status']).toBe('ok');
      await s.next((m) => groupOf('a')(m) && ((m['group'] as Obj)['ids'] as string[])[0] === 'a-again');
      // 'c' is remembered: a late rollout for it is refused
      s.call.write({ rollout: { rollout: { id: 'c-late', group: 'c', completion: 'x' } } });
      const end = await s.ended;
      expect(end.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(end.details).toContain("group 'c' is already complete");
    } finally {
      c.close();
      await small.close();
    }
  });

  it('rejects protocol errors with INVALID_ARGUMENT naming the field', async () => {
    const cases: [Obj[], string][] = [
      [[{ rollout: { rollout: { completion: 'x' } } }, { config: { config_json: '{}' } }], 'config: is only allowed as the first message'],
      [[{ config: { config_json: JSON.stringify({ advantage: { estimator: 'reinforce_baseline' } }) } }], 'config.advantage.estimator'],
      [[{ config: { config_json: JSON.stringify({ weights: { x: 1 } }) } }], 'config.weights.x'],
      [[{ rollout: { rollout: { group: 'g', completion: 'x' }, group_size: 2 } }, { rollout: { rollout: { group: 'g', completion: 'y' }, group_size: 3 } }], 'rollouts[1].group_size: is 3'],
      [[{ group_end: { group: 'never' } }], "group_end.group: no rollout of group 'never'"],
    ];
    for (const [msgs, want] of cases) {
      const s = openStream();
      for (const m of msgs) s.call.write(m);
      const end = await s.ended;
      expect(end.code, want).toBe(grpc.status.INVALID_ARGUMENT);
      expect(end.details).toContain(want);
      s.call.end();
    }
  });

  it('scores at most limits.concurrency at a time and loses nothing', async () => {
    svc.probe.maxConcurrent = 0;
    const s = openStream();
    s.call.write({ config: { config_json: JSON.stringify({ limits: { concurrency: 2 } }) } });
    for (let i = 0; i < 4; i++) s.call.write({ rollout: { rollout: { id: `s${i}`, group: 'c', completion: 'x', task_json: '{"type":"sleep","ms":40}' }, group_size: 4 } });
    s.call.end();
    expect((await s.ended).code).toBe(0);
    expect(s.got.filter((m) => m['scored'])).toHaveLength(4);
    expect(((s.got.find(groupOf('c'))!['group'] as Obj)['stats'] as Obj)['scored']).toBe(4);
    expect(svc.probe.maxConcurrent).toBe(2);
  });

  it('gives each rollout limits.deadline_ms from its arrival', async () => {
    const s = openStream();
    s.call.write({ config: { config_json: JSON.stringify({ limits: { deadline_ms: 100 } }) } });
    s.call.write({ rollout: { rollout: { id: 'late', completion: 'x', task_json: '{"type":"sleep","ms":5000}' } } });
    const late = (await s.next(scoredOf('late')))['scored'] as Obj;
    expect(late['status']).toBe('deadline_exceeded');
    expect(late['reward']).toBeUndefined();
    s.call.end();
    expect((await s.ended).code).toBe(0);
  });

  it('ends with RESOURCE_EXHAUSTED when the admission bound is full, and frees its slots', async () => {
    const s = openStream(); // the server admits 4 rollouts in flight
    for (let i = 0; i < 5; i++) s.call.write({ rollout: { rollout: { completion: 'x', task_json: '{"type":"sleep","ms":2000}' } } });
    const end = await s.ended;
    expect(end.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    s.call.end();
    await expect.poll(() => svc.app.r1.admission.current, { timeout: 3000 }).toBe(0);
  });

  it('a cancelled stream aborts its in-flight scoring', async () => {
    const before = svc.probe.aborted;
    const s = openStream();
    s.call.write({ rollout: { rollout: { completion: 'x', task_json: '{"type":"sleep","ms":10000}' } } });
    await expect.poll(() => svc.probe.started - svc.probe.aborted - svc.probe.finished > 0, { timeout: 2000 }).toBe(true);
    s.call.cancel();
    expect((await s.ended).code).toBe(grpc.status.CANCELLED);
    await expect.poll(() => svc.probe.aborted, { timeout: 2000 }).toBe(before + 1);
    await expect.poll(() => svc.app.r1.admission.current, { timeout: 2000 }).toBe(0);
  });
});

describe('health and reflection', () => {
  it('serves grpc.health.v1 Check: SERVING for the server and the service', async () => {
    const def = protoLoader.loadSync(healthProtoPath, { enums: String });
    const Health = grpc.makeClientConstructor(def['grpc.health.v1.Health'] as grpc.ServiceDefinition, 'Health');
    const h = new Health(svc.grpcAddress, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (req: unknown, cb: (e: Error | null, v?: { status: string }) => void) => void>;
    for (const service of ['', 'r1reward.v1.RewardService']) {
      const res = await new Promise<{ status: string }>((resolve, reject) => h['Check']!.call(h, { service }, (e, v) => (e ? reject(e) : resolve(v!))));
      expect(res.status).toBe('SERVING');
    }
    h.close();
  });

  it('lists RewardService and health through server reflection', async () => {
    const require = createRequire(import.meta.url);
    const reflPath = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
    const def = protoLoader.loadSync(reflPath, { keepCase: true, oneofs: true });
    const Refl = grpc.makeClientConstructor(def['grpc.reflection.v1.ServerReflection'] as grpc.ServiceDefinition, 'ServerReflection');
    const r = new Refl(svc.grpcAddress, grpc.credentials.createInsecure()) as grpc.Client & Record<string, () => grpc.ClientDuplexStream<unknown, Obj>>;
    const call = r['ServerReflectionInfo']!.call(r);
    const res = await new Promise<Obj>((resolve, reject) => {
      call.on('data', resolve);
      call.on('error', reject);
      call.write({ list_services: '' });
    });
    call.end();
    const names = ((res['list_services_response'] as Obj)['service'] as { name: string }[]).map((s) => s.name);
    expect(names).toContain('r1reward.v1.RewardService');
    expect(names).toContain('grpc.health.v1.Health');
    r.close();
  });
});

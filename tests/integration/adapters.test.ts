// The trainer protocols over a real socket: OpenRLHF's /get_reward and slime's remote reward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinary } from '../helpers/binary.js';
import { startService } from '../helpers/service.js';

type Svc = Awaited<ReturnType<typeof startService>>;
type Obj = Record<string, unknown>;
let svc: Svc;

beforeAll(async () => {
  svc = await startService({ labelTaskType: 'exact' });
});
afterAll(() => svc.close());

async function post(path: string, body: unknown): Promise<{ status: number; json: Obj; text: string }> {
  const res = await fetch(svc.httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Obj, text };
}

/** Every number in the JSON text written with a decimal point: what makes Python's json read a float. */
function numbersInText(text: string): string[] {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/-?\d[\d.eE+-]*/g) ?? [];
}

const PROMPT = '<|im_start|>user\nPick one<|im_end|>\n<|im_start|>assistant\n';

describe('OpenRLHF POST /get_reward', () => {
  it('scores {query, prompts, labels}: completion is query minus prompt', async () => {
    const { status, json } = await post('/get_reward', {
      query: [PROMPT + '<think>hm</think> The answer is (B).<|im_end|>', PROMPT + '<think>hm</think> The answer is C<|im_end|><|endoftext|>'],
      prompts: [PROMPT, PROMPT],
      labels: ['B', '{"type":"exact","answer":"C"}'],
    });
    expect(status).toBe(200);
    expect(json['rewards']).toEqual([2, 2]);
    expect(json['scores']).toEqual([1, 1]);
    expect((json['extra_logs'] as Obj)['r1_unscored']).toEqual([0, 0]);
    expect((json['extra_logs'] as Obj)['r1_accuracy']).toEqual([1, 1]);
  });

  it('accepts the empty lists OpenRLHF gives extra servers', async () => {
    const { status, json } = await post('/get_reward', { query: [], prompts: [], labels: [] });
    expect(status).toBe(200);
    const extra_logs = { r1_unscored: [], r1_prompt_not_found: [], r1_accuracy: [], r1_format: [], r1_language: [], r1_length: [] };
    expect(json).toEqual({ rewards: [], scores: [], extra_logs, details: [] });
  });

  it('scores the whole query when its prompt is not in it, flagged in extra_logs, details and the log', async () => {
    const query = ['<think>hm</think> B', PROMPT + '<think>hm</think> B<|im_end|>'];
    const body = { query, prompts: ['a prompt the query does not contain', PROMPT], labels: ['B', 'B'] };
    const { status, json } = await post('/get_reward', body);
    expect(status).toBe(200);
    expect(json['rewards']).toEqual([2, 2]); // still scored: the whole query is the completion
    expect((json['extra_logs'] as Obj)['r1_prompt_not_found']).toEqual([1, 0]);
    expect((json['details'] as Obj[]).map((d) => d['prompt_found'])).toEqual([false, true]);
    expect((json['details'] as Obj[]).map((d) => d['status'])).toEqual(['ok', 'ok']);
    // and the real server says so in its log
    const bin = await startBinary(['--label-task-type', 'exact']);
    try {
      const res = await fetch(`${bin.http}/get_reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      await expect.poll(() => bin.logs(), { timeout: 5000 }).toContain('prompt not found in its query');
      const line = JSON.parse(bin.logs().split('\n').find((l) => l.includes('prompt not found'))!) as Obj;
      expect(line['level']).toBe(40); // pino warn
      expect(line['index']).toBe(0);
    } finally {
      bin.child.kill('SIGKILL');
      await bin.exit;
    }
  }, 30_000);

  it('sends 0 for an unscorable rollout, flagged in extra_logs.r1_unscored', async () => {
    const { json } = await post('/get_reward', { query: ['<think>a</think> B', '<think>a</think> B'], labels: ['B', '{"type":"exact"}'] });
    expect(json['rewards']).toEqual([2, 0]);
    expect((json['extra_logs'] as Obj)['r1_unscored']).toEqual([0, 1]);
  });

  it('writes every reward, score and extra_logs value as a float (OpenRLHF builds its tensors from them)', async () => {
    const { text } = await post('/get_reward', { query: [PROMPT + '<think>hm</think> B<|im_end|>', 'no think'], prompts: [PROMPT, 'x'], labels: ['B', 'B'] });
    expect(text).toContain('"rewards":[2.0,0.0]');
    expect(text).toContain('"scores":[1.0,0.0]');
    const nums = numbersInText(text);
    expect(nums.length).toBeGreaterThan(10);
    expect(nums.filter((n) => !/[.eE]/.test(n))).toEqual([]);
  });

  it('answers every request with the same extra_logs keys, one value each, whatever went wrong (OpenRLHF stacks them)', async () => {
    // OpenRLHF v0.9.1+ sends one rollout per request: a labelled row, an unlabelled one, an unparseable
    // gold, an unknown task type, a prompt not found.
    const cases = [
      { query: [PROMPT + '<think>a</think> B'], prompts: [PROMPT], labels: ['B'] },
      { query: [PROMPT + '<think>a</think> B'], prompts: [PROMPT], labels: [''] },
      { query: [PROMPT + '<think>a</think> B'], prompts: [PROMPT], labels: ['{"type":"exact"}'] },
      { query: [PROMPT + '<think>a</think> B'], prompts: [PROMPT], labels: ['{"type":"nope"}'] },
      { query: ['<think>a</think> B'], prompts: ['elsewhere'], labels: ['B'] },
    ];
    const answers = await Promise.all(cases.map((c) => post('/get_reward', c)));
    const keySets = answers.map((a) => Object.keys(a.json['extra_logs'] as Obj).sort().join(','));
    expect(new Set(keySets).size).toBe(1);
    for (const a of answers) {
      for (const v of Object.values(a.json['extra_logs'] as Obj)) expect(v).toHaveLength(1);
      expect(a.json['rewards']).toHaveLength(1);
    }
    expect(answers.map((a) => (a.json['extra_logs'] as Obj)['r1_unscored'])).toEqual([[0], [1], [1], [1], [0]]);
  });

  it('flags an empty label (OpenRLHF without its label-key flag) as unscored, never format-only', async () => {
    const { json } = await post('/get_reward', { query: [PROMPT + '<think>a</think> B'], prompts: [PROMPT], labels: [''] });
    expect(json['rewards']).toEqual([0]);
    expect((json['extra_logs'] as Obj)['r1_unscored']).toEqual([1]);
    expect((json['extra_logs'] as Obj)['r1_format']).toEqual([1]);
    const d = (json['details'] as Obj[])[0]!;
    expect(d['status']).toBe('unscored');
    expect(d['error']).toContain('label_key');
    // without `labels` at all (OpenRLHF before labels existed) a rollout is format-only, as asked
    expect((await post('/get_reward', { query: ['<think>a</think> B'] })).json['rewards']).toEqual([1]);
  });

  it('names bad fields, checked against its schema and reported as /v1/score reports them', async () => {
    const { status, json } = await post('/get_reward', { query: ['a', 'b'], prompts: ['a'] });
    expect(status).toBe(400);
    expect(json['message']).toContain('prompts: has 1 items but query has 2');
    expect((await post('/get_reward', { prompts: [] })).json['message']).toContain('query: is required');
    const typed = await post('/get_reward', { query: ['a', 7], prompts: 'p', labels: null });
    expect(typed.json).toEqual({
      error: 'invalid_request',
      message: 'query[1]: must be a string; prompts: must be an array',
      fields: [
        { path: 'query[1]', message: 'must be a string' },
        { path: 'prompts', message: 'must be an array' },
      ],
    });
    // the same words for the same mistake on /v1/score
    const score = await post('/v1/score', { rollouts: [{ completion: 7 }] });
    expect((score.json['results'] as Obj[])[0]).toMatchObject({ status: 'invalid_rollout', error: 'rollouts[0].completion: must be a string' });
  });
});

describe('slime remote reward', () => {
  it('scores {prompt, response, label}', async () => {
    const { status, json } = await post('/slime/reward', { prompt: 'Q', response: '<think>x</think> answer: seven', label: { answer: ['7', 'seven'] } });
    expect(status).toBe(200);
    expect(json).toMatchObject({ reward: 2, score: 2, scored: true, status: 'ok' });
    expect((json['rewards'] as Obj)['accuracy']).toBe(1);
  });

  it('writes reward, score and every component as floats', async () => {
    const ok = await post('/slime/reward', { prompt: 'Q', response: '<think>x</think> seven', label: { answer: 'seven' } });
    expect(ok.text).toContain('"reward":2.0,"score":2.0');
    expect(ok.text).toContain('"accuracy":1.0,"format":1.0');
    const bad = await post('/slime/reward', { prompt: 'Q', response: 'x', label: '{"type":"nope"}' });
    expect(bad.text).toContain('"reward":null,"score":0.0');
  });

  it('takes a prompt sent as a list of messages (no --apply-chat-template): the last user turn', async () => {
    const messages = [
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: [{ type: 'text', text: 'Quelle est la réponse ? ' }, { type: 'text', text: 'Réfléchis dans <think>' }] },
    ];
    const { status, json } = await post('/slime/reward', { prompt: messages, response: 'pensée</think> sept', label: { answer: 'sept' } });
    expect(status).toBe(200);
    expect(json).toMatchObject({ reward: 2, scored: true });
    const bad = await post('/slime/reward', { prompt: [{ role: 'user', content: 7 }], response: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json['message']).toContain('prompt[0]: must be a message');
  });

  it('returns reward null (and score 0, scored false) when the rollout cannot be scored', async () => {
    const { json } = await post('/slime/reward', { prompt: 'Q', response: 'x', label: '{"type":"nope"}' });
    expect(json).toMatchObject({ reward: null, score: 0, scored: false, status: 'unknown_task_type' });
    expect(json['error']).toContain("unknown task type 'nope'");
  });

  it('logs an unscorable rollout with its status and route (the safe key `score` hides it from slime)', async () => {
    const bin = await startBinary(['--label-task-type', 'exact']);
    try {
      const res = await fetch(`${bin.http}/slime/reward`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'Q', response: 'x', label: '{"type":"nope"}' }) });
      expect(await res.text()).toContain('"score":0.0');
      await expect.poll(() => bin.logs(), { timeout: 5000 }).toContain('rollout could not be scored');
      const line = JSON.parse(bin.logs().split('\n').find((l) => l.includes('rollout could not be scored'))!) as Obj;
      expect(line).toMatchObject({ level: 40, route: '/slime/reward', status: 'unknown_task_type' });
    } finally {
      bin.child.kill('SIGKILL');
      await bin.exit;
    }
  }, 30_000);

  it('names a missing response and wrong types, checked against its schema', async () => {
    const { status, json } = await post('/slime/reward', { prompt: 'Q' });
    expect(status).toBe(400);
    expect(json['message']).toContain('response: is required');
    const typed = await post('/slime/reward', { prompt: 5, response: ['x'] });
    expect(typed.status).toBe(400);
    expect(typed.json['fields']).toEqual([
      { path: 'prompt', message: 'must be one of: string, array, null' },
      { path: 'response', message: 'must be a string' },
    ]);
  });
});

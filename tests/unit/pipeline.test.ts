import { describe, expect, it } from 'vitest';
import { RewardEngine } from '../../src/core/engine.js';
import type { Verifier } from '../../src/verifiers/types.js';
import { VerifierRegistry } from '../../src/verifiers/registry.js';
import { exactVerifier } from '../../src/verifiers/exact.js';
import { Type } from '@sinclair/typebox';

const engine = new RewardEngine();
const ok = '<think>I reason about it.</think>The answer is A.';

describe('scoring pipeline', () => {
  it('echoes the input, adds every component, and groups by prompt text', async () => {
    const res = await engine.score(
      [
        { id: 'x', prompt: 'P1', completion: ok, task: { type: 'exact', answer: 'A' }, extra: { keep: true } },
        { id: 'y', prompt: 'P1', completion: 'A', task: { type: 'exact', answer: 'A' } },
        { id: 'z', prompt: 'P2', completion: ok },
      ],
      engine.config(),
    );
    const [x, y, z] = res.results;
    expect(x).toMatchObject({ id: 'x', extra: { keep: true }, reward: 2, status: 'ok' });
    expect(Object.keys(x!.rewards).sort()).toEqual(['accuracy', 'format', 'language', 'length']);
    expect(y).toMatchObject({ reward: 1, rewards: { accuracy: 1, format: 0 } });
    expect(y!.details['format']).toMatchObject({ rule_failed: 'missing_think_open' });
    // no task: accuracy is null, the reward is the other weighted components
    expect(z).toMatchObject({ reward: 1, rewards: { accuracy: null, format: 1 }, advantage: 0 });
    expect(res.groups.map((g) => g.size)).toEqual([2, 1]);
    expect(x!.advantage).toBeGreaterThan(0);
    expect(y!.advantage).toBeCloseTo(-x!.advantage, 12);
    expect(res.stats).toMatchObject({ rollouts: 3, scored: 3, groups: 2, errors: 0, mean_reward: 4 / 3 });
  });

  it('explicit groups override prompts; no prompt means a group of its own', async () => {
    const res = await engine.score(
      [{ completion: ok, group: 'g' }, { completion: ok, group: 'g', prompt: 'other' }, { completion: ok }, { completion: ok }],
      engine.config(),
    );
    expect(res.groups.map((g) => [g.group, g.size])).toEqual([['g', 2], ['#2', 1], ['#3', 1]]);
    // an explicit group named like a default key stays apart from it
    const clash = await engine.score([{ completion: ok }, { completion: ok, group: '#0' }], engine.config());
    expect(clash.groups.map((g) => [g.group, g.size])).toEqual([['#0', 1], ['group:#0', 1]]);
  });

  it('marks bad rollouts, naming the field, and scores the rest', async () => {
    const res = await engine.score(
      [
        { completion: 5 },
        'not an object',
        { completion: ok, task: { type: 'exact' } },
        { completion: ok, task: { type: 'astrology' } },
        { completion: ok, task: { type: 'exact', answer: 'A' } },
        { completion: ok, language: 'English' },
        { completion: ok, language: 'xx' },
      ],
      engine.config(),
    );
    const r = res.results;
    expect(r[0]).toMatchObject({ status: 'invalid_rollout', reward: null, advantage: 0 });
    expect(r[0]!.error).toContain('rollouts[0].completion');
    expect(r[1]).toMatchObject({ status: 'invalid_rollout', input: 'not an object' });
    expect(r[2]).toMatchObject({ status: 'invalid_task', reward: null });
    expect(r[2]!.error).toContain('rollouts[2].task.answer');
    expect(r[3]).toMatchObject({ status: 'unknown_task_type', reward: null });
    expect(r[3]!.error).toContain("unknown task type 'astrology'");
    expect(r[4]).toMatchObject({ status: 'ok', reward: 2 });
    expect(r[5]!.error).toContain('rollouts[5].language');
    expect(r[6]!.error).toContain("rollouts[6].language: unsupported language 'xx'");
    expect(res.stats.errors).toBe(6);
    expect(res.stats.status_counts).toEqual({ invalid_rollout: 4, invalid_task: 1, unknown_task_type: 1, ok: 1 });
  });

  it('computes the language reward when weighted, with the target from the prompt', async () => {
    const cfg = engine.config({ weights: { language: 1 } });
    const res = await engine.score(
      [
        { prompt: '请计算下面这个表达式的值，并把答案写在方框里。', completion: '<think>我们先把两个数加起来，然后再除以三。</think>5' },
        { prompt: 'x', language: 'zh', completion: '<think>We add the two numbers first and then divide the result by three.</think>5' },
      ],
      cfg,
    );
    expect(res.results[0]).toMatchObject({ rewards: { language: 1 }, reward: 2 });
    expect(res.results[0]!.details['language']).toMatchObject({ target: 'zh', target_source: 'prompt', scope: 'thought' });
    expect(res.results[1]).toMatchObject({ rewards: { language: 0 } });
  });

  it('applies length shaping when configured', async () => {
    const cfg = engine.config({ weights: { length: 1 }, length: { kind: 'overlong', max_length: 100, cache_length: 50 } });
    const res = await engine.score([{ completion: ok, completion_tokens: 75 }], cfg);
    expect(res.results[0]).toMatchObject({ rewards: { length: -0.5 }, reward: 0.5 });
  });

  it('isolates a verifier that throws or hangs: the rest of the batch is scored', async () => {
    const registry = new VerifierRegistry().register(exactVerifier);
    const bad: Verifier = {
      type: 'flaky',
      description: 'test double',
      taskSchema: Type.Object({ type: Type.Literal('flaky'), mode: Type.String() }),
      verify: ({ task, signal }) =>
        task['mode'] === 'throw'
          ? Promise.reject(new Error('boom'))
          : task['mode'] === 'timeout'
            ? { accuracy: 0, status: 'timeout', details: {} }
            : new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    registry.register(bad);
    const e = new RewardEngine({ registry });
    const t0 = Date.now();
    const res = await e.score(
      [
        { completion: ok, task: { type: 'flaky', mode: 'throw' } },
        { completion: ok, task: { type: 'flaky', mode: 'hang' } },
        { completion: ok, task: { type: 'flaky', mode: 'timeout' } },
        { completion: ok, task: { type: 'exact', answer: 'A' } },
      ],
      e.config({ limits: { deadline_ms: 200 } }),
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(res.results.map((r) => r.status)).toEqual(['internal_error', 'deadline_exceeded', 'timeout', 'ok']);
    expect(res.results[0]!.error).toContain('boom');
    expect(res.results[2]).toMatchObject({ rewards: { accuracy: 0 }, reward: 1 });
    expect(res.results[3]!.reward).toBe(2);
    const nullTimeout = await e.score([{ completion: ok, task: { type: 'flaky', mode: 'timeout' } }], e.config({ accuracy: { timeout_reward: null } }));
    expect(nullTimeout.results[0]).toMatchObject({ status: 'timeout', reward: null, rewards: { accuracy: null } });
  });

  it('honours the caller cancelling', async () => {
    const c = new AbortController();
    c.abort();
    const res = await engine.score([{ completion: ok }], engine.config(), { signal: c.signal });
    expect(res.results[0]).toMatchObject({ status: 'cancelled', reward: null });
  });

  it('never leaves a null reward unexplained: status unscored names the component', async () => {
    const cosine = engine.config({ weights: { length: 1 }, length: { kind: 'cosine' } });
    const res = await engine.score([{ completion: ok }, { completion: ok, task: { type: 'exact', answer: 'A' } }], cosine);
    expect(res.results[0]).toMatchObject({ status: 'unscored', reward: null, advantage: 0 });
    expect(res.results[0]!.error).toContain("'length'");
    expect(res.results[1]!.status).toBe('ok');
    expect(res.results[1]!.reward).toBeCloseTo(3, 3); // 1 + 1 + cosine(~13 tokens of 1000) ≈ 1
    const onlyAccuracy = await engine.score([{ completion: ok }], engine.config({ weights: { format: 0 } }));
    expect(onlyAccuracy.results[0]).toMatchObject({ status: 'unscored', reward: null });
    expect(onlyAccuracy.results[0]!.error).toContain('no task');
    const noWords = await engine.score([{ completion: '<think>$x=1$</think>1' }], engine.config({ weights: { language: 1 }, language: { empty: null } }));
    expect(noWords.results[0]).toMatchObject({ status: 'unscored', reward: null });
    expect(noWords.stats.status_counts).toEqual({ unscored: 1 });
  });

  it('rejects completions over the size limit', async () => {
    const res = await engine.score([{ completion: 'x'.repeat(101) }], engine.config({ limits: { max_completion_chars: 100 } }));
    expect(res.results[0]!.status).toBe('invalid_rollout');
    expect(res.results[0]!.error).toContain('max_completion_chars');
  });
});

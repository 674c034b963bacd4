// The engine's streaming session, driven directly (no transport): what gRPC ScoreStream and the CLI's file
// scoring are framing over.
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { RewardEngine } from '../../src/core/engine.js';
import { SessionError, type CompletedGroup } from '../../src/core/session.js';
import type { ScoredRollout } from '../../src/contract/types.js';
import { createRegistry } from '../../src/verifiers/index.js';

const think = (a: string): string => `<think>reasoning</think>${a}`;
const exact = (answer: string) => ({ type: 'exact', answer });

/** An engine with a `wait` task type that finishes when the test says so, to control completion order. */
function gatedEngine() {
  const gates = new Map<string, () => void>();
  const registry = createRegistry();
  registry.register({
    type: 'wait',
    description: 'test only: accuracy 1 once released',
    taskSchema: Type.Object({ type: Type.Literal('wait'), name: Type.String() }),
    verify: ({ task, signal }) =>
      new Promise((resolve) => {
        const name = (task as unknown as { name: string }).name;
        gates.set(name, () => resolve({ accuracy: 1, status: 'ok', details: {} }));
        signal.addEventListener('abort', () => resolve({ accuracy: null, status: 'cancelled', details: {} }));
      }),
  });
  return { engine: new RewardEngine({ registry }), release: (name: string) => gates.get(name)?.() };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ScoreSession, groups mode', () => {
  it('completes a group when its declared size is scored, with the same advantages as a batch', async () => {
    const engine = new RewardEngine();
    const config = engine.config();
    const groups: CompletedGroup[] = [];
    const scored: number[] = [];
    const s = engine.session(config, { mode: 'groups', onGroup: (g) => groups.push(g), onScored: (_r, i) => scored.push(i) });
    const rollouts = [
      { id: 'a', prompt: 'P', completion: think('A'), task: exact('A') },
      { id: 'b', prompt: 'P', completion: 'A', task: exact('A') },
      { id: 'c', prompt: 'P', completion: think('B'), task: exact('A') },
    ];
    const pushed = rollouts.map((r) => s.push(r, { groupSize: 3 }));
    await Promise.all(pushed.map((p) => p.result));
    expect(scored.sort()).toEqual([0, 1, 2]);
    expect(groups).toHaveLength(1);
    const batch = await engine.score(rollouts, config);
    expect(groups[0]!.group).toBe(batch.results[0]!.details['group']);
    expect(groups[0]!.ids).toEqual(['a', 'b', 'c']);
    expect(groups[0]!.advantages).toEqual(batch.results.map((r) => r.advantage));
    expect(groups[0]!.stats).toEqual(batch.groups[0]);
    // a late rollout for the completed group is refused, naming the rollout
    expect(() => s.push({ prompt: 'P', completion: 'x' })).toThrow(SessionError);
    await s.end();
  });

  it('endGroup completes a group; end() completes the rest; protocol errors name the field', async () => {
    const engine = new RewardEngine();
    const groups: CompletedGroup[] = [];
    const s = engine.session(engine.config(), { mode: 'groups', onGroup: (g) => groups.push(g) });
    s.push({ group: '#1', completion: think('x') });
    s.push({ group: 'open', completion: think('x') });
    s.push({ completion: think('y') }); // no group, no prompt: a group of its own
    // the group as the client named it, although the core escapes it (`group:#1`)
    s.endGroup('#1');
    expect(() => s.endGroup('nope')).toThrow(/no rollout of group 'nope'/);
    expect(() => s.push({ group: 'open', completion: 'z' }, { groupSize: 1 })).toThrow(/already has all its rollouts/);
    try {
      s.push({ group: 'g2', completion: 'z' }, { groupSize: 2 });
      s.push({ group: 'g2', completion: 'z' }, { groupSize: 3 });
      expect.unreachable();
    } catch (e) {
      expect((e as SessionError).fields[0]!.path).toBe('rollouts[4].group_size');
    }
    await tick();
    expect(groups.map((g) => g.group).sort()).toEqual(['#2', 'group:#1']);
    await s.end();
    expect(groups.map((g) => g.group).sort()).toEqual(['#2', 'g2', 'group:#1', 'open']);
  });

  it('refuses configs that need the whole batch', () => {
    const engine = new RewardEngine();
    const config = engine.config({ advantage: { scale: 'batch' } });
    expect(() => engine.session(config, { mode: 'groups' })).toThrow(/config\.advantage\.scale: 'batch' needs the whole batch/);
    expect(() => engine.session(config, { mode: 'batch' })).not.toThrow();
  });

  it('keeps at most limits.concurrency in flight, signals saturation and drain, and cancels everything on abort', async () => {
    const { engine, release } = gatedEngine();
    const abort = new AbortController();
    let drained = 0;
    const s = engine.session(engine.config({ limits: { concurrency: 2 } }), { mode: 'groups', signal: abort.signal, onDrain: () => drained++ });
    const pushed = ['a', 'b', 'c', 'd'].map((name) => s.push({ completion: think(name), task: { type: 'wait', name } }));
    expect(pushed.map((p) => p.saturated)).toEqual([false, false, false, true]);
    expect(s.pending).toBe(4);
    await tick();
    release('a');
    await pushed[0]!.result;
    await tick();
    expect(drained).toBe(1);
    abort.abort();
    const rest = await Promise.all(pushed.slice(1).map((p) => p.result));
    expect(rest.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(s.pending).toBe(0);
  });
});

describe('ScoreSession, batch mode', () => {
  it('computes every advantage at the end over the whole session, whatever order rollouts finish in', async () => {
    const { engine, release } = gatedEngine();
    const config = engine.config({ advantage: { scale: 'batch' } });
    const s = engine.session(config, { mode: 'batch' });
    const rollouts = [
      { prompt: 'P', completion: think('1'), task: { type: 'wait', name: 'x' } },
      { prompt: 'P', completion: 'no think', task: exact('A') },
      { prompt: 'Q', completion: think('A'), task: exact('A') },
      { prompt: 'Q', completion: think('B'), task: exact('A') },
    ];
    const pushed = rollouts.map((r) => s.push(r));
    const order: number[] = [];
    for (const p of pushed) void p.result.then(() => order.push(p.index));
    await tick();
    release('x');
    const summary = await s.end();
    expect(order[order.length - 1]).toBe(0); // the gated one finished last
    const done: ScoredRollout[] = await Promise.all(pushed.map((p) => p.result));
    // the same numbers as scoring the batch at once (advantages need the whole batch here)
    const { engine: e2, release: r2 } = gatedEngine();
    const batchP = e2.score(rollouts, config);
    await tick();
    r2('x');
    const batch = await batchP;
    expect([...summary.advantages]).toEqual(batch.results.map((r) => r.advantage));
    expect(summary.groups).toEqual(batch.groups);
    expect(done.map((r) => r.reward)).toEqual(batch.results.map((r) => r.reward));
    expect(summary.stats).toMatchObject({ rollouts: 4, groups: 2, status_counts: batch.stats.status_counts });
    expect(() => s.endGroup('P')).toThrow(SessionError);
  });

  it('marks a rollout the transport found malformed, and scores the rest', async () => {
    const engine = new RewardEngine();
    const s = engine.session(engine.config(), { mode: 'batch' });
    const bad = s.push({ line: 1 }, { invalid: [{ path: 'line 1', message: 'malformed JSON' }] });
    const good = s.push({ completion: think('A'), task: exact('A') });
    const [b, g] = await Promise.all([bad.result, good.result]);
    expect(b).toMatchObject({ status: 'invalid_rollout', error: 'line 1: malformed JSON', reward: null });
    expect(g).toMatchObject({ status: 'ok', reward: 2 });
    expect((await s.end()).stats).toMatchObject({ rollouts: 2, scored: 1, errors: 1 });
    expect(() => s.push({ completion: 'late' })).toThrow(/the session has ended/);
  });
});

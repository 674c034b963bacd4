import { Readable, Writable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { scoreStream } from '../../src/cli/score-file.js';
import { RewardEngine } from '../../src/core/engine.js';
import { VerifierRegistry } from '../../src/verifiers/registry.js';

function sink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('scoreStream (the CLI core)', () => {
  it('gives each rollout of a file its own deadline: a hung one is cut, the others are scored', async () => {
    const registry = new VerifierRegistry().register({
      type: 'hang',
      description: 'test double: never answers until aborted',
      taskSchema: Type.Object({ type: Type.Literal('hang') }),
      verify: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    const engine = new RewardEngine({ registry });
    const ok = '<think>r</think>a';
    const input = Readable.from(
      [{ completion: ok }, { completion: ok, task: { type: 'hang' } }, { completion: ok }].map((r) => JSON.stringify(r) + '\n'),
    );
    const out = sink();
    const res = await scoreStream(engine, engine.config({ limits: { deadline_ms: 100 } }), input, out.stream);
    expect(out.lines().map((r) => r['status'])).toEqual(['ok', 'deadline_exceeded', 'ok']);
    expect(res.stats.status_counts).toEqual({ ok: 2, deadline_exceeded: 1 });
  });
});

// The math verifier's majority-voting seam: answer keys (plain numbers in-process, everything else in the
// killable worker under math.timeout_ms) and pairwise equivalence between keys, one worker item per key.
import type { AnswerKey, Verifier } from '../verifiers/types.js';
import { plainAnswerKey, type MathAnswerKey } from './answer-key.js';
import { FAST_PATH_MAX_CHARS } from './fast-path.js';
import type { GradeOptions } from './grade.js';
import type { PoolOutcome, WorkerPool } from './pool.js';

export interface VotingSettings {
  opts: GradeOptions;
  timeoutMs: number;
  fastPath: boolean;
}

type WorkerAnswer<R> = R | { error: string };

function unwrap<R>(out: PoolOutcome<WorkerAnswer<R>>, what: string, timeoutMs: number): R {
  switch (out.kind) {
    case 'done':
      if (out.result !== null && typeof out.result === 'object' && 'error' in out.result) throw new Error(`${what} failed: ${out.result.error}`);
      return out.result as R;
    case 'timeout':
      throw new Error(`${what} exceeded ${timeoutMs} ms`);
    case 'aborted':
      throw new Error('aborted');
    case 'crashed':
      throw new Error(`${what} failed: ${out.error}`);
  }
}

export function mathVoting(pool: () => WorkerPool, settings: (config: Readonly<Record<string, unknown>>) => VotingSettings): Required<Pick<Verifier, 'answerKey' | 'mergeKeys'>> {
  return {
    async answerKey({ answer, config, signal }) {
      const s = settings(config);
      if (s.fastPath && answer.length <= FAST_PATH_MAX_CHARS) {
        const k = plainAnswerKey(answer, s.opts);
        if (k !== undefined) return k;
      }
      const out = await pool().run<WorkerAnswer<MathAnswerKey | null>>({ op: 'key', answer, opts: s.opts }, s.timeoutMs, signal);
      return unwrap(out, 'math answer key', s.timeoutMs);
    },
    /** Greedy: each key joins the first earlier representative it is equivalent to (callers order keys by votes). */
    async mergeKeys(keys: readonly AnswerKey[], { config, signal }) {
      const s = settings(config);
      const parent = keys.map((_, i) => i);
      const reps: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        if (reps.length) {
          const out = await pool().run<WorkerAnswer<number>>({ op: 'match', text: keys[i]!.text, reps: reps.map((r) => keys[r]!.text), opts: s.opts }, s.timeoutMs, signal);
          if (out.kind === 'aborted') throw new Error('aborted');
          // a key whose comparison timed out or failed keeps its own cluster: never merged on a guess
          if (out.kind === 'done' && typeof out.result === 'number' && out.result >= 0) parent[i] = reps[out.result]!;
        }
        if (parent[i] === i) reps.push(i);
      }
      return parent;
    },
  };
}

// {"type":"math","answer": GOLD}: the accuracy verifier for math answers. Plain numbers are graded in-process;
// everything else in a killable worker under a hard wall-clock budget (math.timeout_ms).
import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import type { Verifier } from '../verifiers/types.js';
import { fastPath } from './fast-path.js';
import type { GradeOptions } from './grade.js';
import { WorkerPool } from './pool.js';
import { mathVoting } from './voting.js';

export const MathTaskSchema = Type.Object({
  type: Type.Literal('math'),
  answer: Type.Union([Type.String({ minLength: 1 }), Type.Number()], {
    description: 'the gold answer: a number, LaTeX (`\\frac{1}{2}`, `\\boxed{…}`, `(1,2]`) or short text',
  }),
});
export type MathTask = Static<typeof MathTaskSchema>;

export const MathConfigSchema = Type.Object(
  {
    timeout_ms: Type.Integer({ minimum: 10, maximum: 600_000, default: 2000, description: 'Hard wall-clock budget per verification; over it the status is "timeout".' }),
    preset: Type.Union([Type.Literal('reward'), Type.Literal('evaluation')], {
      default: 'reward',
      description: '"evaluation" adds the last-number fallback (off for rewards: it rewards truncated outputs).',
    }),
    percent_as_fraction: Type.Boolean({ default: false, description: 'Also accept 0.25 for a 25% gold (25 and 25% always match).' }),
    decimal_min_digits: Type.Integer({
      minimum: 1,
      maximum: 30,
      default: 3,
      description: 'Significant digits a decimal needs to count as a rounding of an exact value (gold 3.14 for \\pi).',
    }),
    decimal_rounding: Type.Union([Type.Literal('gold'), Type.Literal('either')], {
      default: 'gold',
      description:
        "'gold': only a gold decimal literal may be a rounding of the prediction (gold 3.14 accepts \\pi); a predicted decimal must equal an exact gold exactly (0.5 = 1/2, not 3.14 for \\pi). 'either': a predicted decimal may also round an exact gold, to half a unit in its last place with decimal_min_digits significant digits.",
    }),
    max_answer_chars: Type.Integer({ minimum: 16, maximum: 100_000, default: 2000, description: 'Longer extracted answers are not parsed.' }),
    fast_path: Type.Boolean({ default: true, description: 'Grade plain-number golds in-process (cannot hang).' }),
  },
  { additionalProperties: false, default: {} },
);
export type MathConfig = Static<typeof MathConfigSchema>;

export interface MathVerifierOptions {
  /** worker threads (default: cores, at most 4) */
  workers?: number;
  /** V8 old-generation heap per worker in MB (default 256) */
  heapMb?: number;
}

export function gradeOptions(cfg: MathConfig): GradeOptions {
  return {
    lastNumber: cfg.preset === 'evaluation',
    percentFraction: cfg.percent_as_fraction,
    decimalMinDigits: cfg.decimal_min_digits,
    decimalRounding: cfg.decimal_rounding,
    maxAnswerChars: cfg.max_answer_chars,
  };
}

export function createMathVerifier(options: MathVerifierOptions = {}): Verifier<MathTask> {
  let pool: WorkerPool | null = null;
  const getPool = (): WorkerPool =>
    (pool ??= new WorkerPool({ size: options.workers ?? Math.min(4, os.availableParallelism()), heapMb: options.heapMb ?? 256 }));
  return {
    type: 'math',
    description: 'math answer equivalence (numbers, LaTeX expressions, sets, intervals, matrices) under a hard time budget',
    taskSchema: MathTaskSchema,
    configSchema: MathConfigSchema,
    async verify({ task, answer, config, signal }) {
      const cfg = config['math'] as MathConfig;
      const opts = gradeOptions(cfg);
      if (cfg.fast_path) {
        const f = fastPath(answer, task.answer, opts);
        if (f) return f;
      }
      const t0 = performance.now();
      const out = await getPool().run({ answer, gold: task.answer, opts }, cfg.timeout_ms, signal);
      const ms = Math.round((performance.now() - t0) * 1000) / 1000;
      switch (out.kind) {
        case 'done':
          return { ...out.result, details: { ...out.result.details, path: 'worker' } };
        case 'timeout':
          return { accuracy: null, status: 'timeout', error: `math verification exceeded ${cfg.timeout_ms} ms`, details: { rule: 'timeout', path: 'worker', ms } };
        case 'aborted':
          throw new Error('aborted');
        case 'crashed':
          // a worker killed by its memory limit is treated like one over its time budget: the item is too expensive
          if (/memory/i.test(out.error)) return { accuracy: null, status: 'timeout', error: out.error, details: { rule: 'memory_limit', path: 'worker', ms } };
          return { accuracy: null, status: 'internal_error', error: out.error, details: { rule: 'worker_crashed', path: 'worker', ms } };
      }
    },
    ...mathVoting(getPool, (config) => {
      const cfg = config['math'] as MathConfig;
      return { opts: gradeOptions(cfg), timeoutMs: cfg.timeout_ms, fastPath: cfg.fast_path };
    }),
    ready: () => pool === null || pool.ready(),
    async close() {
      await pool?.close();
      pool = null;
    },
  };
}

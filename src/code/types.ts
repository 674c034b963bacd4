// The `{"type":"code"}` task, the verifier's config section and the per-test verdicts.
import { Type, type Static } from '@sinclair/typebox';

export const LANGUAGES = ['python', 'javascript', 'typescript', 'cpp'] as const;
export type Language = (typeof LANGUAGES)[number];

const Text = Type.String();

/** stdin/stdout test; APPS-style "input"/"output" are accepted as aliases. */
export const IoTestSchema = Type.Object(
  {
    stdin: Type.Optional(Text),
    stdout: Type.Optional(Text),
    input: Type.Optional(Text),
    output: Type.Optional(Text),
    name: Type.Optional(Text),
  },
  { additionalProperties: false },
);

/**
 * Call-based test: the program's function `call` applied to `args` must return `expected` (plain JSON values).
 * `call` is a function name, or `Cls.method` / `Cls().method` (a fresh instance per call).
 */
export const CallTestSchema = Type.Object(
  {
    call: Type.String({ minLength: 1, pattern: '^[A-Za-z_$][A-Za-z0-9_$]*((\\(\\))?\\.[A-Za-z_$][A-Za-z0-9_$]*)?$' }),
    args: Type.Array(Type.Unknown()),
    expected: Type.Unknown(),
    name: Type.Optional(Text),
  },
  { additionalProperties: false },
);

export const CompareSchema = Type.Object(
  {
    mode: Type.Optional(Type.Union([Type.Literal('tokens'), Type.Literal('lines'), Type.Literal('exact')])),
    float_tolerance: Type.Optional(Type.Number({ minimum: 0 })),
    case_sensitive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const CodeTaskSchema = Type.Object({
  type: Type.Literal('code'),
  language: Type.Union(LANGUAGES.map((l) => Type.Literal(l))),
  tests: Type.Optional(Type.Union([Type.Array(IoTestSchema), Type.Array(CallTestSchema)])),
  test_code: Type.Optional(Type.String({ minLength: 1 })),
  entry_point: Type.Optional(Type.String({ minLength: 1, pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$' })),
  setup_code: Type.Optional(Type.String()),
  /** call-based Python: put LiveCodeBench's standard import block before the program (default true) */
  standard_imports: Type.Optional(Type.Boolean()),
  time_limit_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000 })),
  memory_limit_mb: Type.Optional(Type.Integer({ minimum: 16, maximum: 8192 })),
  compare: Type.Optional(CompareSchema),
  scoring: Type.Optional(Type.Union([Type.Literal('fraction'), Type.Literal('all_or_nothing')])),
});
export type CodeTask = Static<typeof CodeTaskSchema>;
export type IoTest = Static<typeof IoTestSchema>;
export type CallTest = Static<typeof CallTestSchema>;
export type CompareOptions = Required<Static<typeof CompareSchema>>;

export const CodeConfigSchema = Type.Object(
  {
    time_limit_ms: Type.Integer({ minimum: 1, maximum: 60_000, default: 2000, description: 'Per-test time limit when the task gives none.' }),
    memory_limit_mb: Type.Integer({ minimum: 16, maximum: 8192, default: 512, description: 'Per-test memory limit when the task gives none.' }),
    compile_time_limit_ms: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000, description: 'C++ compile budget.' }),
    output_limit_bytes: Type.Integer({ minimum: 1024, maximum: 1 << 30, default: 16 << 20, description: 'stdout (and stderr) cap per test; more is the verdict output_limit.' }),
    max_tests: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000, description: 'More tests than this make the task invalid.' }),
    early_stop: Type.Boolean({ default: false, description: 'Stop a rollout at its first failing test (remaining tests are "skipped").' }),
    sandbox: Type.Union([Type.Literal('per_slot'), Type.Literal('per_rollout'), Type.Literal('per_test')], {
      default: 'per_slot',
      description:
        "Python/C++: each concurrency slot's long-lived sandbox, whose warm runner forks a fresh child per test and sweeps between tests and rollouts; a fresh sandbox and runner per rollout; or a fresh sandbox per test (the earlier designs, kept for comparison).",
    }),
    scoring: Type.Union([Type.Literal('fraction'), Type.Literal('all_or_nothing')], { default: 'fraction', description: 'When the task gives none.' }),
    compare_mode: Type.Union([Type.Literal('tokens'), Type.Literal('lines'), Type.Literal('exact')], { default: 'tokens', description: 'Output comparison when the task gives none.' }),
  },
  { additionalProperties: false, default: {} },
);
export type CodeConfig = Static<typeof CodeConfigSchema>;

export const VERDICTS = [
  'passed',
  'wrong_answer',
  'runtime_error',
  'timeout',
  'memory_limit',
  'output_limit',
  'compile_error',
  'sandbox_error',
  'skipped',
] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface TestResult {
  verdict: Verdict;
  /** wall time of the run in ms (an assertion unit in a shared run reports the run's time) */
  time_ms?: number;
  /** short, truncated explanation: first differing token, exception line, exit signal */
  message?: string;
}

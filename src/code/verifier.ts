// {"type":"code"}: extract the program, run it against the task's tests in the sandbox, score on the host.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Static } from '@sinclair/typebox';
import type { Verifier, VerifyOutcome } from '../verifiers/types.js';
import { makeBox, sweepBoxes } from './box.js';
import { compareOutput } from './compare.js';
import { compileCpp, compileOutcome, runCppIo, type CompileResult } from './cpp.js';
import { RUNNERS } from './runners/index.js';
import type { WarmSpec } from './runners/types.js';
import { runWarm } from './warm.js';
import { WarmSandboxes } from './warm-sandbox.js';
import { ioRunOf } from './io-run.js';
import { extractProgram } from './extract.js';
import { grantWrite } from './grant-write.js';
import { JsHosts, toScript, type JsTest } from './js.js';
import { JS_UID_OFFSET, SlotPool } from './pool.js';
import { sweepUid } from './sandbox.js';
import { SelfTestGate, sandboxSelfTest, warmSelfTest } from './self-test.js';
import { PYTHON, runPythonIo, runPythonUnits, runPythonUnitsWarm, type ExecLimits, type IoRun, type UnitResult } from './python.js';
import {
  CodeConfigSchema,
  CodeTaskSchema,
  type CallTest,
  type CodeConfig,
  type CodeTask,
  type CompareOptions,
  type Language,
  type IoTest,
  type TestResult,
} from './types.js';
import { showValue, valuesEqual } from './values.js';
import { scoreTests, verdictCounts } from './verdicts.js';

export interface CodeVerifierOptions {
  /** concurrent sandbox runs (tests of one rollout and rollouts of a batch share them); default: cores */
  concurrency?: number;
  baseUid?: number;
}

type Plan =
  | { kind: 'io'; tests: { stdin: string; stdout: string }[] }
  | { kind: 'call'; tests: CallTest[]; standardImports: boolean }
  | { kind: 'test_code'; test_code: string; entry_point?: string; setup_code?: string };

class InvalidTask extends Error {}

const languageName = (l: Language): string => (l === 'cpp' ? 'C++' : l);

/** What to run, or a field error for a task the schema accepted but that cannot be run. */
export function planOf(task: CodeTask, cfg: CodeConfig): Plan {
  const tests = task.tests ?? [];
  if (tests.length && task.test_code) throw new InvalidTask('tests: give either tests or test_code, not both');
  if (tests.length > cfg.max_tests) throw new InvalidTask(`tests: ${tests.length} tests, more than max_tests ${cfg.max_tests}`);
  if (task.test_code) {
    if (RUNNERS[task.language].ioOnly) throw new InvalidTask(`test_code: ${languageName(task.language)} tasks take stdin/stdout tests only`);
    return { kind: 'test_code', test_code: task.test_code, ...(task.entry_point ? { entry_point: task.entry_point } : {}), ...(task.setup_code ? { setup_code: task.setup_code } : {}) };
  }
  if (!tests.length) throw new InvalidTask('tests: no tests and no test_code');
  if ('call' in tests[0]!) {
    if (RUNNERS[task.language].ioOnly) throw new InvalidTask(`tests: ${languageName(task.language)} tasks take stdin/stdout tests only`);
    return { kind: 'call', tests: tests as CallTest[], standardImports: task.standard_imports ?? true };
  }
  return {
    kind: 'io',
    tests: (tests as IoTest[]).map((t, i) => {
      const stdin = t.stdin ?? t.input ?? '';
      const stdout = t.stdout ?? t.output;
      if (stdout === undefined) throw new InvalidTask(`tests[${i}]: needs "stdout" (or "output")`);
      return { stdin, stdout };
    }),
  };
}

export class CodeVerifier implements Verifier<CodeTask> {
  readonly type = 'code';
  readonly description = 'runs the program against unit tests in a sandbox (python, javascript, typescript, cpp)';
  readonly taskSchema = CodeTaskSchema;
  readonly configSchema = CodeConfigSchema;
  readonly pool: SlotPool;
  /** each slot's long-lived sandbox (code.sandbox "per_slot") */
  readonly sandboxes = new WarmSandboxes(PYTHON);
  private readonly js: JsHosts;

  constructor(opts: CodeVerifierOptions = {}) {
    this.pool = new SlotPool({ ...(opts.concurrency ? { size: opts.concurrency } : {}), ...(opts.baseUid ? { baseUid: opts.baseUid } : {}) });
    this.js = new JsHosts(this.pool.size, this.pool.baseUid + JS_UID_OFFSET);
    // boxes leaked by an earlier process of this service that was killed mid-run
    void sweepBoxes();
  }

  /** the sandbox self-test, run in a pool slot (its own uid) like any rollout */
  readonly selfTest = new SelfTestGate(() =>
    this.pool.with(async (slot) => (await sandboxSelfTest(this.pool.uid(slot))) ?? (await warmSelfTest(this.pool.uid(slot), this.sandboxes))),
  );

  /** Not ready when sandboxed code cannot run here (see self-test.ts) or a slot's processes could not be
   * reclaimed after a run (logged as R1SandboxSlotLost; retried here at most every 5 s): /readyz answers 503. */
  ready(): boolean {
    const selfTest = this.selfTest.ready();
    if (this.pool.lost.size === 0) return selfTest;
    const now = performance.now();
    if (now - this.lastReclaim >= this.reclaimEveryMs) {
      this.lastReclaim = now;
      this.pool.reclaimLost(sweepUid);
    }
    return selfTest && this.pool.lost.size === 0;
  }

  private lastReclaim = 0;
  /** how often readiness checks retry lost slots */
  reclaimEveryMs = 5000;

  async close(): Promise<void> {
    this.js.close();
    await this.sandboxes.close();
  }

  async verify({ task, answer, config, signal }: Parameters<Verifier<CodeTask>['verify']>[0]): Promise<VerifyOutcome> {
    const cfg = config['code'] as Static<typeof CodeConfigSchema>;
    setMaxListeners(0, signal); // every concurrent test of the rollout listens for the deadline
    let plan: Plan;
    try {
      plan = planOf(task, cfg);
    } catch (e) {
      if (e instanceof InvalidTask) return { accuracy: null, status: 'invalid_task', error: `task.${e.message}`, details: {} };
      throw e;
    }
    const program = extractProgram(answer, task.language);
    if (!program) return { accuracy: 0, status: 'ok', details: { reason: 'no_code', language: task.language } };
    const limits: ExecLimits = {
      timeMs: task.time_limit_ms ?? cfg.time_limit_ms,
      memoryMb: task.memory_limit_mb ?? cfg.memory_limit_mb,
      outputBytes: cfg.output_limit_bytes,
    };
    const compare: CompareOptions = {
      mode: task.compare?.mode ?? cfg.compare_mode,
      float_tolerance: task.compare?.float_tolerance ?? 0,
      case_sensitive: task.compare?.case_sensitive ?? true,
    };
    const run = { code: program.code, plan, limits, compare, cfg, signal };
    const { warm } = RUNNERS[task.language];
    // languages without a warm job run in isolated-vm hosts; `per_test` is the first design, kept for comparison
    const r = !warm
      ? await this.runJs(run, task.language as 'javascript' | 'typescript')
      : cfg.sandbox === 'per_test'
        ? await this.runPerTest(run, task.language)
        : plan.kind === 'io'
          ? await this.runWarmIo(run, plan.tests, warm(program.code, limits, cfg.compile_time_limit_ms))
          : await this.runUnits(run, plan);
    if ('invalid' in r) return { accuracy: null, status: 'invalid_task', error: `task.test_code: ${r.invalid}`, details: {} };
    const score = scoreTests(r.results, task.scoring ?? cfg.scoring);
    const details: Record<string, unknown> = {
      language: task.language,
      program_chars: program.code.length,
      passed: score.passed,
      total: score.total,
      verdicts: verdictCounts(r.results),
      tests: r.results.slice(0, 200).map((t) => ({ verdict: t.verdict, ...(t.time_ms !== undefined ? { time_ms: t.time_ms } : {}), ...(t.message ? { message: t.message } : {}) })),
      ...(r.compile ? { compile: r.compile } : {}),
    };
    if (score.sandboxError) {
      const msg = r.results.find((t) => t.verdict === 'sandbox_error')?.message ?? 'sandbox error';
      return { accuracy: null, status: 'sandbox_error', error: msg, details };
    }
    return { accuracy: score.accuracy, status: 'ok', details };
  }

  // ---- per language ----

  /** A fresh sandbox per test (`code.sandbox: "per_test"`): Python and C++ each their own way. */
  private async runPerTest(run: Run, language: Language): Promise<RunResult> {
    const { plan } = run;
    if (language === 'cpp') return this.runCpp(run);
    if (plan.kind === 'io') {
      return { results: await this.ioTests(run, plan.tests, (slot, stdin) => runPythonIo(run.code, stdin, run.limits, this.pool.uid(slot), run.signal)) };
    }
    return this.runUnits(run, plan);
  }

  /** Call-based or assertion tests (Python): the checker and the candidate, forked from the slot's warm
   * runner (a fresh one with `per_rollout`), or the checker as a fresh sandbox's pid 1 with `per_test`. */
  private async runUnits(run: Run, plan: Exclude<Plan, { kind: 'io' }>): Promise<RunResult> {
    const job =
      plan.kind === 'call'
        ? { program: run.code, calls: plan.tests.map((t) => ({ call: t.call, args: t.args })), standard_imports: plan.standardImports, early_stop: run.cfg.early_stop }
        : { program: run.code, test_code: plan.test_code, entry_point: plan.entry_point, setup_code: plan.setup_code, early_stop: run.cfg.early_stop };
    const out = await this.pool.with(
      (slot) =>
        run.cfg.sandbox === 'per_test'
          ? runPythonUnits(job, run.limits, this.pool.uid(slot), run.signal)
          : runPythonUnitsWarm(job, run.limits, this.pool.uid(slot), run.cfg.sandbox === 'per_slot' ? this.sandboxes : undefined, run.signal),
      run.signal,
    );
    if (out.invalidTests) return { invalid: out.invalidTests };
    if (plan.kind === 'call') return { results: out.units.map((u, i) => judgeCall(u, plan.tests[i], run.compare)) };
    return { results: out.units.map(unitResult) };
  }

  private async runCpp(run: Run): Promise<RunResult> {
    const { plan } = run;
    if (plan.kind !== 'io') return { invalid: 'C++ takes stdin/stdout tests only' };
    // the box lives only for the compile; the tests get the binary as a copy
    const box = await makeBox({ 'main.cpp': run.code });
    let compiled: CompileResult;
    let binary = Buffer.alloc(0);
    try {
      compiled = await this.pool.with(async (slot) => {
        await grantWrite(box.dir, this.pool.uid(slot));
        return compileCpp(box.dir, run.cfg.compile_time_limit_ms, this.pool.uid(slot), run.signal);
      }, run.signal);
      if (compiled.ok) binary = await readFile(path.join(box.dir, 'main'));
    } finally {
      await box.remove();
    }
    const compile = { ok: compiled.ok, time_ms: compiled.timeMs, ...(compiled.message ? { message: compiled.message } : {}) };
    if (!compiled.ok) {
      return { results: plan.tests.map(() => ({ verdict: compiled.verdict ?? 'compile_error', ...(compiled.message ? { message: compiled.message } : {}) })), compile };
    }
    const results = await this.ioTests(run, plan.tests, (slot, stdin) => runCppIo(binary, stdin, run.limits, this.pool.uid(slot), run.signal));
    return { results, compile };
  }

  private async runJs(run: Run, language: 'javascript' | 'typescript'): Promise<RunResult> {
    const { plan } = run;
    const jobId = randomUUID();
    const jsLimits = { ...run.limits };
    // assertion tests are the task's: one that does not compile makes the task invalid, whatever the program is
    let testSrc = '';
    if (plan.kind === 'test_code') {
      const src = plan.setup_code ? `${plan.setup_code}\n${plan.test_code}` : plan.test_code;
      // through esbuild like the program: TypeScript, and `import assert from "node:assert"`, become plain script
      const t = await toScript(src, language);
      if ('error' in t) return { invalid: t.error };
      testSrc = t.code;
    }
    const entry = plan.kind === 'test_code' && plan.entry_point ? { entry: plan.entry_point } : {};
    const script = await toScript(run.code, language);
    const n = plan.kind === 'test_code' ? 1 : plan.tests.length;
    if ('error' in script) {
      if (plan.kind === 'test_code') {
        const o = await this.pool.with((slot) => this.js.run(slot, jobId, '', { kind: 'parse', src: testSrc, ...entry }, jsLimits, run.signal), run.signal);
        if (o.verdict === ('bad_tests' as string)) return { invalid: o.message ?? 'test_code does not compile' };
      }
      return { results: Array.from({ length: n }, () => ({ verdict: 'compile_error' as const, message: script.error })), compile: { ok: false, message: script.error } };
    }
    const once = (slot: number, test: JsTest) => this.js.run(slot, jobId, script.code, test, jsLimits, run.signal);
    if (plan.kind === 'io') {
      return {
        results: await this.ioTests(run, plan.tests, async (slot, stdin) => {
          const o = await once(slot, { kind: 'io', stdin });
          return { stdout: o.stdout ?? '', failure: o.verdict ? { verdict: o.verdict, message: o.message ?? '' } : null, timeMs: o.timeMs };
        }),
      };
    }
    if (plan.kind === 'call') {
      return {
        results: await this.each(run, plan.tests, async (slot, t) => {
          const o = await once(slot, { kind: 'call', call: t.call, argsJson: JSON.stringify(t.args) });
          let value: unknown;
          if (!o.verdict) {
            try {
              value = JSON.parse(o.value ?? 'null');
            } catch {
              return { verdict: 'runtime_error', message: 'result could not be read', time_ms: o.timeMs };
            }
          }
          return judgeCall({ verdict: o.verdict ?? 'passed', value, ...(o.message ? { message: o.message } : {}), timeMs: o.timeMs }, t, run.compare);
        }),
      };
    }
    const o = await this.pool.with((slot) => once(slot, { kind: 'test', src: testSrc, ...entry }), run.signal);
    if (o.verdict === ('bad_tests' as string)) return { invalid: o.message ?? 'test_code does not compile' };
    return { results: [{ verdict: o.verdict ?? 'runtime_error', time_ms: o.timeMs, ...(o.message ? { message: o.message } : {}) }] };
  }

  /** All stdin/stdout tests of the rollout in one sandbox (see warm.ts); compared here on the host. */
  private async runWarmIo(run: Run, tests: { stdin: string; stdout: string }[], spec: WarmSpec): Promise<RunResult> {
    const out = await this.pool.with(
      (slot) =>
        runWarm(
          {
            ...spec,
            stdins: tests.map((t) => t.stdin),
            earlyStop: run.cfg.early_stop,
            uid: this.pool.uid(slot),
            signal: run.signal,
            ...(run.cfg.sandbox === 'per_slot' ? { boxes: this.sandboxes } : {}),
          },
          (i, r) => judgeIo(ioRunOf(r, run.limits.memoryMb), tests[i]!.stdout, run.compare),
        ),
      run.signal,
    );
    let compile: Record<string, unknown> | undefined;
    if (out.compile) {
      const c = compileOutcome(out.compile);
      compile = { ok: c.ok, time_ms: c.timeMs, ...(c.message ? { message: c.message } : {}) };
      if (!c.ok) return { results: tests.map(() => ({ verdict: c.verdict ?? 'compile_error', ...(c.message ? { message: c.message } : {}) })), compile };
    }
    let failed = false;
    const results = out.results.map((res): TestResult => {
      if (!res || (failed && run.cfg.early_stop)) return { verdict: 'skipped', message: 'not run after an earlier failure' };
      if (res.verdict !== 'passed') failed = true;
      return res;
    });
    return { results, ...(compile ? { compile } : {}) };
  }

  // ---- shared ----

  /** Runs `fn` per test concurrently through the pool; with early_stop, tests not yet started after a failure are skipped. */
  private async each<T>(run: Run, tests: T[], fn: (slot: number, t: T) => Promise<TestResult>): Promise<TestResult[]> {
    let failed = false;
    return Promise.all(
      tests.map((t) =>
        this.pool.with(async (slot) => {
          if (failed && run.cfg.early_stop) return { verdict: 'skipped', message: 'not run after an earlier failure' } as TestResult;
          const r = await fn(slot, t);
          if (r.verdict !== 'passed') failed = true;
          return r;
        }, run.signal),
      ),
    );
  }

  private ioTests(run: Run, tests: { stdin: string; stdout: string }[], exec: (slot: number, stdin: string) => Promise<IoRun>): Promise<TestResult[]> {
    return this.each(run, tests, async (slot, t) => judgeIo(await exec(slot, t.stdin), t.stdout, run.compare));
  }
}

interface Run {
  code: string;
  plan: Plan;
  limits: ExecLimits;
  compare: CompareOptions;
  cfg: CodeConfig;
  signal: AbortSignal;
}

type RunResult = { results: TestResult[]; compile?: Record<string, unknown> } | { invalid: string };

/** A stdin/stdout run's verdict: its failure, else its output compared here on the host. */
function judgeIo(r: IoRun, expected: string, o: CompareOptions): TestResult {
  if (r.failure) return { verdict: r.failure.verdict, time_ms: r.timeMs, message: r.failure.message };
  const c = compareOutput(r.stdout, expected, o);
  return c.equal ? { verdict: 'passed', time_ms: r.timeMs } : { verdict: 'wrong_answer', time_ms: r.timeMs, ...(c.message ? { message: c.message } : {}) };
}

function unitResult(u: UnitResult): TestResult {
  return { verdict: u.verdict, ...(u.timeMs !== undefined ? { time_ms: u.timeMs } : {}), ...(u.message ? { message: u.message } : {}) };
}

/** A call-based unit passes only when its returned value equals the expected one, compared here on the host. */
function judgeCall(u: UnitResult, t: CallTest | undefined, o: CompareOptions): TestResult {
  if (u.verdict !== 'passed' || !t) return unitResult(u);
  if (valuesEqual(u.value, t.expected, o.float_tolerance, o.case_sensitive)) return unitResult(u);
  return { verdict: 'wrong_answer', ...(u.timeMs !== undefined ? { time_ms: u.timeMs } : {}), message: `expected ${showValue(t.expected)}, got ${showValue(u.value)}` };
}

// A rollout's tests in a warm runner (sandboxes/python/runner.py, the sandbox's trusted pid 1): every
// test runs in a fresh child of its own (a fork of the already started interpreter for Python; the
// binary compiled once, in the same sandbox, for compiled languages; the checker of harness.py for
// assertion and call tests). The host sends the job, reads one frame per test back, and judges each.
// The sandbox is the slot's long-lived one (warm-sandbox.ts), or a fresh one closed after the job.
import type { ExecLimits } from './io-run.js';
import { jobFrame, type Frame, type Head } from './runner-wire.js';
import { signalName, type SandboxResult } from './sandbox.js';
import { executionVerdict } from './verdicts.js';
import { WarmSandbox, type WarmSandboxes } from './warm-sandbox.js';

/** Per-child limits, as the runner applies them (setrlimit in the child, wall and output in the runner). */
export interface ChildLimits {
  wallMs: number;
  cpuS: number;
  memoryMb: number;
  nproc: number;
  fileMb: number;
  stackMb: number;
  outputBytes: number;
}

export interface WarmJob {
  /** python: fork the runner's interpreter and run `program` as __main__; exec: exec `runArgv`;
   * units: fork the harness's checker, which reads `secret` (the tests) */
  mode: 'python' | 'exec' | 'units';
  python: string;
  program?: string;
  /** source files the runner writes into /tmp/build before the compile */
  files?: Record<string, string>;
  /** compile once before the tests; `output` is the file the compiler writes (kept sealed for the tests) */
  compile?: { argv: string[]; output: string; limits: ChildLimits };
  runArgv?: string[];
  /** environment of exec'd children (a forked interpreter keeps the sandbox's) */
  env?: Record<string, string>;
  /** stdin of each test (units: none, the checker's one run) */
  stdins: string[];
  /** units: the checker's job, spliced from the job channel into its stdin (never in the runner's memory) */
  secret?: Buffer;
  limits: ChildLimits;
  /** stop after the first test whose program did not exit 0 within its limits */
  earlyStop: boolean;
  uid: number;
  signal?: AbortSignal;
  /** the slots' long-lived sandboxes; without them the job gets a fresh sandbox of its own */
  boxes?: WarmSandboxes;
}

export interface WarmResult<T> {
  /** the compile child's run, when there was one */
  compile?: SandboxResult;
  /** per test: its judgement, or null when the runner did not get to it (early stop, failed compile) */
  results: (T | null)[];
}

const mbBytes = (mb: number) => Math.max(1, Math.floor(mb)) * 1024 * 1024;
const childLimits = (l: ChildLimits) => ({
  wall_ms: l.wallMs,
  cpu_s: Math.max(1, Math.ceil(l.cpuS)),
  as: l.memoryMb > 0 ? mbBytes(l.memoryMb) : null,
  nproc: l.nproc,
  fsize: mbBytes(l.fileMb),
  stack: mbBytes(l.stackMb),
  out_bytes: l.outputBytes,
});

function asResult(head: Head, stdout: Buffer, stderr: string): SandboxResult {
  return {
    exitCode: head.exit ?? null,
    signal: head.signal !== undefined ? signalName(head.signal) : null,
    timedOut: head.timeout === 1,
    outputLimit: head.output_limit === 1,
    stdout,
    stderr,
    result: Buffer.alloc(0),
    wallMs: (head.us ?? 0) / 1000,
    ...(head.maxrss_kb !== undefined ? { maxRssKb: head.maxrss_kb } : {}),
  };
}

/** A run that produced nothing (a test the runner never reported). */
const noRun = (wallMs: number) => ({ exitCode: null, signal: null, timedOut: false, outputLimit: false, stdout: Buffer.alloc(0), stderr: '', result: Buffer.alloc(0), wallMs });

/** A sandbox end as the result of each test it took down: our deadline or cancellation is a timeout,
 * anything else the infrastructure's fault. */
function endResult(end: SandboxResult): SandboxResult {
  const whole = executionVerdict(end);
  const base = noRun(end.wallMs);
  if (whole?.verdict !== 'sandbox_error' && end.timedOut) return { ...base, timedOut: true };
  const spawnError = whole?.verdict === 'sandbox_error' ? whole.message : `the test runner ended early: ${end.stderr.trim().slice(-300)}`;
  return { ...base, timedOut: false, spawnError };
}

/**
 * Runs one rollout's tests in a warm runner; `judge` turns each test's run into its result as soon as
 * the runner reports it (so no test's output is kept longer than its judgement). Never throws.
 */
export async function runWarm<T>(job: WarmJob, judge: (i: number, run: SandboxResult) => T): Promise<WarmResult<T>> {
  const n = job.mode === 'units' ? 1 : job.stdins.length;
  const budget = (l: ChildLimits) => l.wallMs + 200; // a child's wall plus the sweep after it
  const wallMs = 2000 + (job.compile ? budget(job.compile.limits) : 0) + n * budget(job.limits);
  const head = {
    mode: job.mode,
    program: job.program ?? null,
    files: job.files ?? {},
    compile: job.compile ? { argv: job.compile.argv, output: job.compile.output, limits: childLimits(job.compile.limits) } : null,
    run_argv: job.runArgv ?? null,
    env: job.env ?? {},
    tests: job.stdins,
    secret_len: job.secret?.length ?? 0,
    limits: childLimits(job.limits),
    early_stop: job.earlyStop,
  };
  const frames = [jobFrame(head), ...(job.secret ? [job.secret] : [])];
  const results: (T | null)[] = Array.from({ length: n }, () => null);
  let compile: SandboxResult | undefined;
  const onFrame = ({ head: h, stdout, stderr }: Frame) => {
    if (h.compile) compile = asResult(h, stdout, stderr);
    else if (typeof h.i === 'number' && h.i >= 0 && h.i < n) results[h.i] = judge(h.i, asResult(h, stdout, stderr));
  };
  let end: SandboxResult | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      const box = job.boxes ? await job.boxes.get(job.uid) : new WarmSandbox(job.uid, job.python, false);
      const r = await box.run(frames, onFrame, wallMs, job.signal);
      if (!job.boxes) await box.close();
      if (r.done) break;
      // a reused sandbox that was already gone (swept with its uid, or ended while idle): once more in a fresh one
      const untouched = !r.fresh && !compile && results.every((x) => x === null) && !job.signal?.aborted && !r.end.timedOut;
      if (untouched && attempt === 0) continue;
      end = r.end;
      break;
    }
  } catch (e) {
    // the runner's files could not be built or read: nothing ran
    end = { ...noRun(0), spawnError: `python runner unavailable: ${(e as Error).message.slice(0, 200)}` };
  }
  if (end) {
    const failed = endResult(end);
    for (let i = 0; i < n; i++) results[i] ??= judge(i, failed);
    if (job.compile && !compile) compile = failed;
  }
  return { ...(compile ? { compile } : {}), results };
}

/** Child limits of a stdin/stdout test from the task's limits. */
export function testLimits(l: ExecLimits, o: { nproc: number; stackMb: number; fileMb?: number; graceMs?: number }): ChildLimits {
  return { wallMs: l.timeMs + (o.graceMs ?? 100), cpuS: l.timeMs / 1000 + 1, memoryMb: l.memoryMb, nproc: o.nproc, fileMb: o.fileMb ?? 16, stackMb: o.stackMb, outputBytes: l.outputBytes };
}

// One sandbox per rollout: sandboxes/python/runner.py is the sandbox's trusted pid 1 and runs every
// stdin/stdout test of the rollout in a fresh child of its own (a fork of the already started
// interpreter for Python; the binary compiled once, in the same sandbox, for compiled languages). The
// host sends the program and the tests' stdin, reads one frame per test back, and compares as before.
import { readFileSync } from 'node:fs';
import { runnerPath } from './artifacts.js';
import type { ExecLimits, IoRun } from './io-run.js';
import { INIT, initCopy, runSandboxed, signalName, type SandboxFile, type SandboxResult } from './sandbox.js';
import { executionVerdict } from './verdicts.js';

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
  /** python: fork the runner's interpreter and run `program` as __main__; exec: exec `runArgv` */
  mode: 'python' | 'exec';
  python: string;
  program?: string;
  /** files copied into the sandbox (a source to compile) */
  files?: SandboxFile[];
  /** compile once before the tests; `output` is the file the compiler writes (kept sealed for the tests) */
  compile?: { argv: string[]; output: string; limits: ChildLimits };
  runArgv?: string[];
  /** environment of exec'd children (a forked interpreter keeps the sandbox's) */
  env?: Record<string, string>;
  sandboxEnv?: Record<string, string>;
  stdins: string[];
  limits: ChildLimits;
  /** stop after the first test whose program did not exit 0 within its limits */
  earlyStop: boolean;
  tmpMb: number;
  uid: number;
  signal?: AbortSignal;
}

export interface WarmResult<T> {
  /** the compile child's run, when there was one */
  compile?: SandboxResult;
  /** per test: its judgement, or null when the runner did not get to it (early stop, failed compile) */
  results: (T | null)[];
}

interface Head {
  i?: number;
  compile?: number;
  done?: number;
  exit?: number;
  signal?: number;
  timeout?: number;
  output_limit?: number;
  maxrss_kb?: number;
  /** the child's wall time in microseconds */
  us?: number;
  stdout_len?: number;
  stderr_len?: number;
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

type Marshalable = null | boolean | number | string | Marshalable[] | { [k: string]: Marshalable };

/** Python's marshal format for plain values (the runner reads its job with the built-in `marshal`). */
export function marshal(v: Marshalable): Buffer {
  const parts: Buffer[] = [];
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const put = (x: Marshalable): void => {
    if (x === null) parts.push(Buffer.from('N'));
    else if (x === true || x === false) parts.push(Buffer.from(x ? 'T' : 'F'));
    else if (typeof x === 'number') {
      if (!Number.isSafeInteger(x) || x < 0) throw new Error(`marshal: unsupported number ${x}`);
      if (x < 2 ** 31) parts.push(Buffer.from('i'), i32(x));
      else {
        // TYPE_LONG: count of 15-bit digits, then the digits, least significant first
        const digits: number[] = [];
        for (let n = x; n > 0; n = Math.floor(n / 32768)) digits.push(n % 32768);
        const b = Buffer.alloc(digits.length * 2);
        digits.forEach((d, k) => b.writeUInt16LE(d, k * 2));
        parts.push(Buffer.from('l'), i32(digits.length), b);
      }
    } else if (typeof x === 'string') {
      const b = Buffer.from(x, 'utf8');
      parts.push(Buffer.from('u'), i32(b.length), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from('['), i32(x.length));
      x.forEach(put);
    } else {
      parts.push(Buffer.from('{'));
      for (const [k, w] of Object.entries(x)) {
        put(k);
        put(w);
      }
      parts.push(Buffer.from('0'));
    }
  };
  put(v);
  return Buffer.concat(parts);
}

/** Frames as they arrive: a header line of key=value integers, then stdout and stderr bytes. Keeps at
 * most one incomplete frame; `onFrame` sees each complete one. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** bytes the current frame needs before it can be read (chunks are joined only then) */
  private need = 0;
  constructor(private readonly onFrame: (head: Head, stdout: Buffer, stderr: string) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < this.need) return;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    for (;;) {
      const nl = buf.indexOf(10);
      const head: Record<string, number> = {};
      let end = buf.length + 1; // an incomplete header: wait for more
      if (nl >= 0) {
        for (const kv of buf.subarray(0, nl).toString('latin1').split(' ')) {
          const m = /^([a-z_]+)=(-?\d+)$/.exec(kv);
          if (m) head[m[1]!] = Number(m[2]);
        }
        end = nl + 1 + (head['stdout_len'] ?? 0) + (head['stderr_len'] ?? 0);
      }
      if (end > buf.length) {
        this.chunks = buf.length ? [buf] : [];
        this.size = buf.length;
        this.need = nl >= 0 ? end : 0;
        return;
      }
      const e = nl + 1 + (head['stdout_len'] ?? 0);
      this.onFrame(head, buf.subarray(nl + 1, e), buf.subarray(e, end).toString('utf8'));
      buf = buf.subarray(end);
    }
  }
}

/** All complete frames of `buf` (a convenience over FrameReader). */
export function parseFrames(buf: Buffer): { head: Head; stdout: Buffer; stderr: string }[] {
  const out: { head: Head; stdout: Buffer; stderr: string }[] = [];
  new FrameReader((head, stdout, stderr) => out.push({ head, stdout, stderr })).push(buf);
  return out;
}

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

let runnerCode: { path: string; data: Buffer } | undefined;
function runnerBytes(python: string): Buffer {
  const p = runnerPath(python);
  if (runnerCode?.path !== p) runnerCode = { path: p, data: readFileSync(p) };
  return runnerCode.data;
}

/**
 * Runs all tests of one rollout in one sandbox; `judge` turns each test's run into its result as soon as
 * the runner reports it (so no test's output is kept longer than its judgement). Never throws.
 */
export async function runWarm<T>(job: WarmJob, judge: (i: number, run: IoRun) => T): Promise<WarmResult<T>> {
  const n = job.stdins.length;
  const budget = (l: ChildLimits) => l.wallMs + 200; // a child's wall plus the sweep after it
  const wallMs = 2000 + (job.compile ? budget(job.compile.limits) : 0) + n * budget(job.limits);
  const big = [job.limits, ...(job.compile ? [job.compile.limits] : [])];
  const max = (f: (l: ChildLimits) => number) => Math.max(...big.map(f));
  const input = {
    mode: job.mode,
    program: job.program ?? null,
    compile: job.compile ? { argv: job.compile.argv, output: job.compile.output, limits: childLimits(job.compile.limits) } : null,
    run_argv: job.runArgv ?? null,
    env: job.env ?? {},
    tests: job.stdins,
    limits: childLimits(job.limits),
    early_stop: job.earlyStop,
  };
  const results: (T | null)[] = Array.from({ length: n }, () => null);
  let runner: SandboxFile;
  try {
    runner = { dest: '/box/runner.pyc', data: runnerBytes(job.python) };
  } catch (e) {
    const message = `python runner unavailable: ${(e as Error).message.slice(0, 200)}`;
    return { results: results.map((_, i) => judge(i, { stdout: '', failure: { verdict: 'sandbox_error', message }, timeMs: 0 })) };
  }
  let compile: SandboxResult | undefined;
  let done = false;
  const reader = new FrameReader((head, stdout, stderr) => {
    if (head.done) done = true;
    else if (head.compile) compile = asResult(head, stdout, stderr);
    else if (typeof head.i === 'number' && head.i >= 0 && head.i < n) {
      const res = asResult(head, stdout, stderr);
      results[head.i] = judge(head.i, { stdout: stdout.toString('utf8'), failure: executionVerdict(res, job.limits.memoryMb), timeMs: res.wallMs });
    }
  });
  const r = await runSandboxed({
    argv: [job.python, '-I', '-S', '/box/runner.pyc'],
    binds: [],
    // exec'd children start through the launcher binary's --exec (rlimits, then exec)
    files: [runner, ...(job.mode === 'exec' ? [{ dest: INIT, data: initCopy(), exec: true }] : []), ...(job.files ?? [])],
    ...(job.sandboxEnv ? { env: job.sandboxEnv } : {}),
    stdin: marshal(input),
    // the runner's own bounds; each child sets its own, lower ones (the runner caps each test's output)
    limits: {
      wallMs,
      cpuS: 0,
      memoryMb: 0,
      nproc: max((l) => l.nproc) + 8,
      fileMb: max((l) => l.fileMb),
      tmpMb: job.tmpMb,
      stackMb: max((l) => l.stackMb),
      outputBytes: 1 << 20, // the runner's own stdout/stderr
    },
    uid: job.uid,
    resultPipe: true,
    onResult: (chunk) => reader.push(chunk),
    asPid1: true,
    ...(job.signal ? { signal: job.signal } : {}),
  });
  if (!done) {
    // the runner did not finish: our deadline or cancellation (a timeout), else the infrastructure's fault
    const whole = executionVerdict(r);
    const failure =
      whole?.verdict === 'sandbox_error' || !r.timedOut
        ? { verdict: 'sandbox_error' as const, message: whole?.verdict === 'sandbox_error' ? whole.message : `the test runner ended early: ${r.stderr.trim().slice(-300)}` }
        : { verdict: 'timeout' as const, message: 'time limit exceeded' };
    for (let i = 0; i < n; i++) results[i] ??= judge(i, { stdout: '', failure, timeMs: r.wallMs });
    if (job.compile && !compile) compile = { ...r, ...(failure.verdict === 'sandbox_error' ? { spawnError: failure.message } : { timedOut: true }) };
  }
  return { ...(compile ? { compile } : {}), results };
}

/** Child limits of a stdin/stdout test from the task's limits. */
export function testLimits(l: ExecLimits, o: { nproc: number; stackMb: number; fileMb?: number; graceMs?: number }): ChildLimits {
  return { wallMs: l.timeMs + (o.graceMs ?? 100), cpuS: l.timeMs / 1000 + 1, memoryMb: l.memoryMb, nproc: o.nproc, fileMb: o.fileMb ?? 16, stackMb: o.stackMb, outputBytes: l.outputBytes };
}

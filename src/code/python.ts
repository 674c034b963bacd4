// Python in the OS sandbox: stdin/stdout programs run directly; call-based and assertion tests run
// under sandboxes/python/harness.py (checker and candidate in separate processes, results on a pipe
// tagged with a per-run nonce the candidate never sees).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { harnessPath } from './artifacts.js';
import { ioRunOf, type ExecLimits, type IoRun } from './io-run.js';
import { PYTHON, PYTHON_ENV } from './python-env.js';
import { runSandboxed, type SandboxLimits, type SandboxResult } from './sandbox.js';
import type { Verdict } from './types.js';
import { executionVerdict } from './verdicts.js';
import { runWarm } from './warm.js';
import type { WarmSandboxes } from './warm-sandbox.js';

export type { ExecLimits, IoRun } from './io-run.js';

export { PYTHON, PYTHON_ENV } from './python-env.js';

/** Sandbox limits for one run of `timeMs` of work (plus start-up grace). */
export function pythonLimits(l: ExecLimits, wallMs = l.timeMs): SandboxLimits {
  return {
    wallMs: wallMs + 300,
    cpuS: wallMs / 1000 + 1,
    memoryMb: l.memoryMb,
    nproc: 32,
    fileMb: 16,
    tmpMb: 64,
    outputBytes: l.outputBytes,
  };
}

/** One stdin/stdout run of `program` (copied in as /box/main.py). */
export async function runPythonIo(program: string, stdin: string, l: ExecLimits, uid: number, signal?: AbortSignal): Promise<IoRun> {
  const r = await runSandboxed({
    argv: [PYTHON, '-I', '-S', '/box/main.py'],
    binds: [],
    files: [{ dest: '/box/main.py', data: program }],
    env: PYTHON_ENV,
    stdin,
    limits: { ...pythonLimits(l), stackMb: 64 },
    uid,
    ...(signal ? { signal } : {}),
  });
  return ioRunOf(r, l.memoryMb);
}

let harnessCode: { path: string; data: Buffer } | undefined;
function harnessBytes(): Buffer {
  const p = harnessPath(PYTHON);
  if (harnessCode?.path !== p) harnessCode = { path: p, data: readFileSync(p) };
  return harnessCode.data;
}

export interface UnitJob {
  program: string;
  calls?: { call: string; args: unknown[] }[];
  /** calls only: the standard import block before the program (harness.py STANDARD_IMPORTS) */
  standard_imports?: boolean;
  test_code?: string;
  entry_point?: string;
  setup_code?: string;
  early_stop?: boolean;
}

export interface UnitResult {
  verdict: Verdict;
  /** wire value of a call-based unit's result */
  value?: unknown;
  message?: string;
  timeMs?: number;
}

export interface UnitsRun {
  units: UnitResult[];
  /** the task's test code is broken (does not parse): the task, not the program, is at fault */
  invalidTests?: string;
}

/**
 * Reads the harness's result pipe. Only lines carrying this run's nonce count; units it never reported
 * are timeouts when the run was killed at its deadline, else runtime errors (the program took the harness down).
 */
export function parseHarnessOutput(nonce: string, r: SandboxResult, expectedUnits: number | null, memoryMb = 0): UnitsRun {
  const exec = executionVerdict(r, memoryMb);
  let units: number | null = expectedUnits;
  let ready = false;
  let load: { verdict: Verdict; message: string } | null = null;
  const got = new Map<number, UnitResult>();
  for (const line of r.result.toString('utf8').split('\n')) {
    if (!line.startsWith(`${nonce} `)) continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line.slice(nonce.length + 1)) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (rec['ready']) ready = true;
    if (typeof rec['bad_tests'] === 'string') return { units: [], invalidTests: rec['bad_tests'] };
    if (typeof rec['units'] === 'number') units = rec['units'];
    if (typeof rec['load'] === 'string') load = { verdict: rec['load'] as Verdict, message: String(rec['msg'] ?? '') };
    if (typeof rec['i'] === 'number' && typeof rec['v'] === 'string') {
      got.set(rec['i'], {
        verdict: rec['v'] as Verdict,
        ...('value' in rec ? { value: rec['value'] } : {}),
        ...(typeof rec['msg'] === 'string' ? { message: rec['msg'] } : {}),
        ...(typeof rec['ms'] === 'number' ? { timeMs: rec['ms'] } : {}),
      });
    }
  }
  if (!ready) {
    // the checker never started: an infrastructure fault unless the run hit a limit we set
    const v = exec && exec.verdict !== 'runtime_error' ? exec : { verdict: 'sandbox_error' as Verdict, message: `harness did not start: ${r.stderr.slice(-300)}` };
    return { units: Array.from({ length: Math.max(1, units ?? 1) }, () => ({ ...v })) };
  }
  const n = Math.max(units ?? 1, got.size);
  const out: UnitResult[] = [];
  let stopped = false;
  for (let i = 0; i < n; i++) {
    const u = got.get(i);
    if (u) {
      out.push(u);
      if (u.verdict !== 'passed') stopped = true;
      continue;
    }
    if (load) out.push({ ...load });
    else if (stopped) out.push({ verdict: 'skipped', message: 'not run after an earlier failure' });
    else if (exec && exec.verdict !== 'runtime_error') out.push({ ...exec });
    else out.push({ verdict: 'runtime_error', message: exec?.message ?? 'the run ended before this test' });
  }
  return { units: out };
}

/** The run's wall budget: a time limit per unit (call, or top-level assert), one for loading, and grace. */
function unitsWall(job: UnitJob, l: ExecLimits): { expected: number | null; units: number; wall: number } {
  const expected = job.calls ? job.calls.length : null;
  const units = Math.max(1, expected ?? (job.test_code ?? '').split('\n').filter((x) => /^\s*assert\b/.test(x)).length);
  return { expected, units, wall: l.timeMs * (units + 1) + 500 };
}

/** The checker's job (the tests and the nonce: the candidate never sees it). */
const checkerJob = (nonce: string, job: UnitJob, l: ExecLimits) => JSON.stringify({ nonce, unit_ms: l.timeMs, memory_mb: l.memoryMb, ...job });

/**
 * Call-based or assertion units with the checker forked from a warm runner: the slot's long-lived
 * sandbox when `boxes` is given, else a fresh one. Same checker, limits and verdicts as runPythonUnits.
 */
export async function runPythonUnitsWarm(job: UnitJob, l: ExecLimits, uid: number, boxes: WarmSandboxes | undefined, signal?: AbortSignal): Promise<UnitsRun> {
  const nonce = randomBytes(16).toString('hex');
  const { expected, wall } = unitsWall(job, l);
  const lim = pythonLimits(l, wall);
  const out = await runWarm(
    {
      mode: 'units',
      python: PYTHON,
      stdins: [],
      secret: Buffer.from(checkerJob(nonce, job, l)),
      limits: { wallMs: lim.wallMs, cpuS: lim.cpuS, memoryMb: lim.memoryMb, nproc: lim.nproc, fileMb: lim.fileMb, stackMb: 16, outputBytes: lim.outputBytes },
      earlyStop: false,
      uid,
      ...(boxes ? { boxes } : {}),
      ...(signal ? { signal } : {}),
    },
    (_, r) => r,
  );
  const r = out.results[0]!;
  // the checker's reports come on its stdout frame
  return parseHarnessOutput(nonce, { ...r, result: r.stdout, stdout: Buffer.alloc(0) }, expected, l.memoryMb);
}

/** Runs call-based or assertion units in one fresh sandbox, the harness as its pid 1 (time limit per unit). */
export async function runPythonUnits(job: UnitJob, l: ExecLimits, uid: number, signal?: AbortSignal): Promise<UnitsRun> {
  const nonce = randomBytes(16).toString('hex');
  const { expected, units, wall } = unitsWall(job, l);
  let harness: Buffer;
  try {
    harness = harnessBytes();
  } catch (e) {
    const message = `python harness unavailable: ${(e as Error).message.slice(0, 200)}`;
    return { units: Array.from({ length: units }, () => ({ verdict: 'sandbox_error' as const, message })) };
  }
  const r = await runSandboxed({
    argv: [PYTHON, '-I', '-S', '/box/harness.pyc'],
    binds: [],
    files: [{ dest: '/box/harness.pyc', data: harness }],
    env: PYTHON_ENV,
    stdin: checkerJob(nonce, job, l),
    limits: pythonLimits(l, wall),
    uid,
    resultPipe: true,
    // the checker is the sandbox's pid 1: the candidate cannot signal it, so its death is ours, not the program's
    asPid1: true,
    ...(signal ? { signal } : {}),
  });
  return parseHarnessOutput(nonce, r, expected, l.memoryMb);
}

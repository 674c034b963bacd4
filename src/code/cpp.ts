// C++: compiled once per rollout inside the sandbox (g++ -O2 -std=c++17), then run per test.
import { runSandboxed, type SandboxResult } from './sandbox.js';
import { ioRunOf, type ExecLimits, type IoRun } from './io-run.js';
import { executionVerdict, lastLine } from './verdicts.js';
import type { Verdict } from './types.js';

export const GXX = process.env['R1_GXX'] ?? '/usr/bin/g++';

export interface CompileResult {
  ok: boolean;
  verdict?: Verdict;
  message?: string;
  timeMs: number;
}

// The g++ driver's own line when one of its programs (cc1plus, as, ld) died by a signal. The compile's CPU
// limit raises SIGXCPU and its memory limit makes allocations fail, so a SIGKILL came from outside the
// sandbox: infrastructure, not the program. Anchored at the line start with no "file:line:" prefix, which
// is all a source file can put on g++'s stderr (#error lines carry their location).
const KILLED_TOOL = /^g\+\+: fatal error: Killed signal terminated program (cc1plus|as|collect2|ld)$/m;

/** Compiles /box/main.cpp to /box/main; the box directory must be writable by `uid`. */
export async function compileCpp(boxDir: string, timeMs: number, uid: number, signal?: AbortSignal): Promise<CompileResult> {
  const r = await runSandboxed({
    argv: [GXX, '-O2', '-std=c++17', '-pipe', '-o', '/box/main', '/box/main.cpp'],
    binds: [{ src: boxDir, dest: '/box', rw: true }],
    stdin: '',
    limits: { wallMs: timeMs, cpuS: timeMs / 1000 + 1, memoryMb: 2048, nproc: 64, fileMb: 256, tmpMb: 256, outputBytes: 1 << 20 },
    uid,
    ...(signal ? { signal } : {}),
  });
  return compileOutcome(r);
}

/** A compile run's outcome: compiled, the program's compile_error, or an infrastructure fault. */
export function compileOutcome(r: SandboxResult): CompileResult {
  const failure = executionVerdict(r);
  if (!failure) return { ok: true, timeMs: r.wallMs };
  if (failure.verdict === 'sandbox_error') return { ok: false, verdict: 'sandbox_error', message: failure.message, timeMs: r.wallMs };
  if (!r.timedOut && KILLED_TOOL.test(r.stderr)) {
    return { ok: false, verdict: 'sandbox_error', message: `compiler killed from outside the sandbox: ${KILLED_TOOL.exec(r.stderr)?.[0]}`, timeMs: r.wallMs };
  }
  // a compiler that runs out of time, memory or output on this program is the program's compile error
  const why = failure.verdict === 'runtime_error' ? firstError(r.stderr) : `compiler ${failure.verdict.replace('_', ' ')}`;
  return { ok: false, verdict: 'compile_error', message: why, timeMs: r.wallMs };
}

function firstError(stderr: string): string {
  const line = stderr.split('\n').find((l) => /error/.test(l));
  return (line ?? lastLine(stderr)).slice(0, 300);
}

/** One stdin/stdout run of the compiled `binary` (copied in as /box/main). */
export async function runCppIo(binary: Buffer, stdin: string, l: ExecLimits, uid: number, signal?: AbortSignal): Promise<IoRun> {
  const r = await runSandboxed({
    argv: ['/box/main'],
    binds: [],
    files: [{ dest: '/box/main', data: binary, exec: true }],
    stdin,
    limits: {
      wallMs: l.timeMs + 200,
      cpuS: l.timeMs / 1000 + 1,
      memoryMb: l.memoryMb,
      nproc: 16,
      fileMb: 16,
      tmpMb: 64,
      outputBytes: l.outputBytes,
      stackMb: Math.min(256, Math.floor(l.memoryMb / 2)),
    },
    uid,
    ...(signal ? { signal } : {}),
  });
  return ioRunOf(r, l.memoryMb);
}

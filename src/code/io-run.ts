// What one stdin/stdout run of a program yields, whatever the language's runner.
import type { SandboxResult } from './sandbox.js';
import type { Verdict } from './types.js';
import { executionVerdict } from './verdicts.js';

export interface ExecLimits {
  timeMs: number;
  memoryMb: number;
  outputBytes: number;
}

export interface IoRun {
  stdout: string;
  /** set when the process did not exit normally within its limits */
  failure: { verdict: Verdict; message: string } | null;
  timeMs: number;
}

export function ioRunOf(r: SandboxResult, memoryMb: number): IoRun {
  return { stdout: r.stdout.toString('utf8'), failure: executionVerdict(r, memoryMb), timeMs: r.wallMs };
}


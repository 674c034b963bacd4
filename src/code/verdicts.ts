// From a finished sandbox process to a verdict, and from verdicts to the accuracy.
import type { SandboxResult } from './sandbox.js';
import type { TestResult, Verdict } from './types.js';

/**
 * A run that failed is over its memory limit when the kernel says so: its peak resident memory (wait4's
 * ru_maxrss, reported by our init or the launcher, never by the program) came within this fraction of
 * the limit. Text on stderr is the program's to write and decides nothing; it only explains.
 */
export const MEMORY_FRACTION = 0.5;

/** The verdict of a process that did not run normally, or null when it exited 0 within its limits. */
export function executionVerdict(r: SandboxResult, memoryMb = 0): { verdict: Verdict; message: string } | null {
  if (r.spawnError) return { verdict: 'sandbox_error', message: r.spawnError };
  if (r.outputLimit || r.signal === 'SIGXFSZ') return { verdict: 'output_limit', message: 'output limit exceeded' };
  if (r.timedOut || r.signal === 'SIGXCPU') return { verdict: 'timeout', message: 'time limit exceeded' };
  if (r.exitCode === 0 && !r.signal) return null;
  // a segfault is a bad access or a stack overflow (whose stack may be large), not a refused allocation
  if (memoryMb > 0 && r.signal !== 'SIGSEGV' && r.maxRssKb !== undefined && r.maxRssKb >= memoryMb * 1024 * MEMORY_FRACTION) {
    return { verdict: 'memory_limit', message: `peak memory ${Math.round(r.maxRssKb / 1024)} MB of ${memoryMb} MB${r.stderr.trim() ? `: ${lastLine(r.stderr)}` : ''}` };
  }
  const how = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
  return { verdict: 'runtime_error', message: `${how}${r.stderr.trim() ? `: ${lastLine(r.stderr)}` : ''}` };
}

export function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

export interface Score {
  accuracy: number | null;
  passed: number;
  total: number;
  sandboxError: boolean;
}

/** Fraction (or all-or-nothing) of passed tests; any sandbox_error makes the accuracy null. */
export function scoreTests(results: TestResult[], scoring: 'fraction' | 'all_or_nothing'): Score {
  const total = results.length;
  const passed = results.filter((r) => r.verdict === 'passed').length;
  if (results.some((r) => r.verdict === 'sandbox_error')) return { accuracy: null, passed, total, sandboxError: true };
  if (total === 0) return { accuracy: 0, passed, total, sandboxError: false };
  const accuracy = scoring === 'all_or_nothing' ? (passed === total ? 1 : 0) : passed / total;
  return { accuracy, passed, total, sandboxError: false };
}

export function verdictCounts(results: TestResult[]): Partial<Record<Verdict, number>> {
  const counts: Partial<Record<Verdict, number>> = {};
  for (const r of results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  return counts;
}

// Output comparison on the host. Strict by default: never a prefix match, never set semantics, no
// case-folding unless asked; numbers equal as written unless a float tolerance is given.
import type { CompareOptions } from './types.js';

export interface CompareResult {
  equal: boolean;
  /** where it differs, for details (truncated) */
  message?: string;
}

const clip = (s: string, n = 60): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Lines with trailing whitespace removed and trailing blank lines dropped; CRLF counts as LF. */
export function normalisedLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Two number tokens within tolerance: absolute or relative to the expected value. */
export function numbersClose(got: string, want: string, tol: number): boolean {
  if (!NUMBER.test(got) || !NUMBER.test(want)) return false;
  const a = Number(got);
  const b = Number(want);
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

function tokenEqual(got: string, want: string, o: CompareOptions): boolean {
  if (got === want) return true;
  if (!o.case_sensitive && got.toLowerCase() === want.toLowerCase()) return true;
  return o.float_tolerance > 0 && numbersClose(got, want, o.float_tolerance);
}

export function compareOutput(got: string, want: string, o: CompareOptions): CompareResult {
  if (o.mode === 'exact') {
    const a = o.case_sensitive ? got : got.toLowerCase();
    const b = o.case_sensitive ? want : want.toLowerCase();
    return a === b ? { equal: true } : { equal: false, message: `output differs at byte ${firstDiff(a, b)}` };
  }
  const gl = normalisedLines(got);
  const wl = normalisedLines(want);
  if (gl.length !== wl.length) return { equal: false, message: `expected ${wl.length} lines, got ${gl.length}` };
  for (let i = 0; i < wl.length; i++) {
    if (o.mode === 'lines') {
      const a = o.case_sensitive ? gl[i]! : gl[i]!.toLowerCase();
      const b = o.case_sensitive ? wl[i]! : wl[i]!.toLowerCase();
      if (a !== b) return { equal: false, message: `line ${i + 1}: expected "${clip(wl[i]!)}", got "${clip(gl[i]!)}"` };
      continue;
    }
    const gt = gl[i]!.split(/\s+/).filter(Boolean);
    const wt = wl[i]!.split(/\s+/).filter(Boolean);
    if (gt.length !== wt.length) return { equal: false, message: `line ${i + 1}: expected ${wt.length} tokens, got ${gt.length}` };
    for (let k = 0; k < wt.length; k++) {
      if (!tokenEqual(gt[k]!, wt[k]!, o)) {
        return { equal: false, message: `line ${i + 1} token ${k + 1}: expected "${clip(wt[k]!)}", got "${clip(gt[k]!)}"` };
      }
    }
  }
  return { equal: true };
}

function firstDiff(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

// The parse half of grading, without a gold (Math-Verify's parse/verify split): a prediction's answer in a
// canonical form for majority voting, and pairwise equivalence between two predictions. Pure; the worker
// runs it under the same budget as grading, the plain-number case also runs in-process.
import { show, type Node } from './ast.js';
import { equivalent, fold, type CompareOptions } from './compare.js';
import { extractCandidates } from './extract.js';
import { parseLenient, type GradeOptions } from './grade.js';
import { textTooComplex, type TextGuard } from './guards.js';
import { normaliseLatex } from './normalise.js';
import { parseDecimal } from './rational.js';

export interface MathAnswerKey {
  key: string;
  /** the normalised extracted answer (what `matchKey` re-parses) */
  text: string;
}

/** Canonical rendering: exact values folded (`0.5`, `\frac12`, `2^{-1}` → `1/2`), set and list items sorted. */
export function canonicalKey(n: Node): string {
  const c = (m: Node): string => {
    switch (m.t) {
      case 'set':
        return `{${[...new Set(m.items.map(c))].sort().join(', ')}}`;
      case 'list':
        return [...m.items.map(c)].sort().join(', ');
      case 'tuple':
        return `(${m.items.map(c).join(', ')})`;
      default:
        return show(m);
    }
  };
  return c(fold(n));
}

const PLAIN = /^-?\d{1,40}(?:\.\d{1,40})?$/;

/** The key of a plain-number answer (cheap, cannot hang), `undefined` when the answer needs the full parser. */
export function plainAnswerKey(answer: string, opts: GradeOptions): MathAnswerKey | null | undefined {
  const cands = extractCandidates(answer, { lastNumber: opts.lastNumber });
  if (!cands.length) return null;
  const c = cands[0]!;
  if (c.text.length > 200) return undefined;
  const t = normaliseLatex(c.text);
  if (!PLAIN.test(t)) return undefined;
  const v = parseDecimal(t)!;
  return { key: v.d === 1n ? v.n.toString() : `${v.n}/${v.d}`, text: t };
}

/** Rules that mark an answer explicitly: only there may prose ("Monday") be an answer; a short bare reply is not. */
const MARKED = /^(?:boxed|answer_tag|anchor:(?!answer$).*)$/;

/** The first extracted candidate that parses, as grading would take it; null when none does. */
export function answerKeyOf(answer: string, opts: GradeOptions): MathAnswerKey | null {
  const guard: TextGuard = { maxChars: opts.maxAnswerChars, maxDepth: 60 };
  for (const c of extractCandidates(answer, { lastNumber: opts.lastNumber })) {
    if (textTooComplex(c.text, guard)) continue;
    const normalised = normaliseLatex(c.text);
    try {
      return { key: canonicalKey(parseLenient(normalised, MARKED.test(c.rule))), text: normalised };
    } catch {
      continue;
    }
  }
  return null;
}

/**
 * The index of the first of `reps` equivalent to `text` in both directions (the grader is gold-first, so
 * one direction alone could merge a relation with an interval), or -1.
 */
export function matchKey(text: string, reps: readonly string[], opts: GradeOptions, hooks: Pick<CompareOptions, 'symbolic' | 'precise'> = {}): number {
  const cmp: CompareOptions = { percentFraction: opts.percentFraction, decimalMinDigits: opts.decimalMinDigits, ...hooks };
  let a: Node;
  try {
    a = parseLenient(text);
  } catch {
    return -1;
  }
  for (let i = 0; i < reps.length; i++) {
    let b: Node;
    try {
      b = parseLenient(reps[i]!);
    } catch {
      continue;
    }
    if (equivalent(b, a, cmp).equal && equivalent(a, b, cmp).equal) return i;
  }
  return -1;
}


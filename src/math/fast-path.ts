// In-process path for plain numbers (`42` vs `…\boxed{42}`): a regex, an extraction scan and one BigInt
// comparison, none of which can hang. Anything else returns null and goes to the worker pool.
import { decimalRoundsTo } from './compare.js';
import { extractCandidates } from './extract.js';
import type { GradeOptions, GradeResult } from './grade.js';
import { normaliseLatex } from './normalise.js';
import { eq, parseDecimal } from './rational.js';

const PLAIN = /^-?\d{1,40}(?:\.\d{1,40})?$/;
/** Completions longer than this go to the worker even when the gold is a plain number. */
export const FAST_PATH_MAX_CHARS = 64 * 1024;

/** Decimal places of a plain literal; -Infinity for an integer (not a decimal). */
const places = (s: string): number => (s.includes('.') ? s.length - s.indexOf('.') - 1 : -Infinity);

export function fastPath(answer: string, gold: string | number, opts: GradeOptions): GradeResult | null {
  const t0 = performance.now();
  if (answer.length > FAST_PATH_MAX_CHARS) return null;
  const g = String(gold).trim();
  if (!PLAIN.test(g)) return null;
  const cands = extractCandidates(answer, { lastNumber: opts.lastNumber });
  const ms = (): number => Math.round((performance.now() - t0) * 1000) / 1000;
  if (!cands.length) return { accuracy: 0, status: 'ok', details: { extracted: null, gold: g, rule: 'no_answer', path: 'fast', ms: ms() } };
  const c = cands[0]!;
  if (c.text.length > 200) return null;
  const t = normaliseLatex(c.text);
  if (!PLAIN.test(t)) return null;
  const gv = parseDecimal(g)!;
  const tv = parseDecimal(t)!;
  const equal = eq(gv, tv);
  const rounds = !equal && decimalRoundsTo(gv, places(g), tv, places(t), opts.decimalMinDigits);
  return {
    accuracy: equal || rounds ? 1 : 0,
    status: 'ok',
    details: { extracted: c.text, normalised: t, gold: g, extraction: c.rule, rule: rounds ? 'decimal_rounding' : 'exact', path: 'fast', ms: ms() },
  };
}

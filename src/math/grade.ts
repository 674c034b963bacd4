// One verification, start to end, as a pure function: parse the gold, extract and parse the prediction,
// compare. Runs inside the worker (and, for plain numbers, on the fast path). Never throws.
import { show, type Node } from './ast.js';
import { equivalent, type CompareOptions } from './compare.js';
import { extractCandidates, goldCandidates } from './extract.js';
import { textTooComplex, type TextGuard } from './guards.js';
import { normaliseLatex } from './normalise.js';
import { parseNormalised } from './parser.js';

export interface GradeOptions {
  lastNumber: boolean;
  percentFraction: boolean;
  decimalMinDigits: number;
  /** which side's decimal may round the other's exact value (default 'gold') */
  decimalRounding?: 'gold' | 'either';
  maxAnswerChars: number;
}

export interface GradeResult {
  accuracy: number | null;
  status: 'ok' | 'invalid_task';
  error?: string;
  details: Record<string, unknown>;
}

const clip = (s: string, n = 300): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Parses a gold answer: its last \boxed{} or the whole string. Throws with a reason when it is unusable. */
export function parseGold(gold: string | number, guard: TextGuard): { node: Node; normalised: string } {
  let last: unknown = new Error('empty gold');
  for (const raw of goldCandidates(String(gold))) {
    const why = textTooComplex(raw, guard);
    if (why) {
      last = new Error(`gold ${why}`);
      continue;
    }
    const normalised = normaliseLatex(raw);
    try {
      return { node: parseLenient(normalised), normalised };
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** Parse, and when that fails, read prose-like answers ("4:30 p.m.", "\text{Monday}") as text. */
export function parseLenient(normalised: string, prose = true): Node {
  try {
    return parseNormalised(normalised);
  } catch (err) {
    if (!prose) throw err;
    const plain = normalised.replace(/\\text\{([^{}]*)\}/g, '$1').trim();
    if (plain && !/[\\{}]/.test(plain) && /^[\w\s.:'’\-/,()&]+$/u.test(plain) && /[a-z0-9]/i.test(plain)) {
      return { t: 'text', s: plain.toLowerCase().replace(/\s+/g, ' ') };
    }
    throw err;
  }
}

export function grade(
  answer: string,
  gold: string | number,
  opts: GradeOptions,
  hooks: Pick<CompareOptions, 'symbolic' | 'precise'> = {},
  goldCache?: Map<string, { node: Node; normalised: string } | Error>,
): GradeResult {
  const t0 = performance.now();
  const guard: TextGuard = { maxChars: opts.maxAnswerChars, maxDepth: 60 };
  const key = String(gold);
  let g = goldCache?.get(key);
  if (!g) {
    try {
      g = parseGold(gold, guard);
    } catch (err) {
      g = err instanceof Error ? err : new Error(String(err));
    }
    if (goldCache) {
      if (goldCache.size > 2000) goldCache.clear();
      goldCache.set(key, g);
    }
  }
  if (g instanceof Error) {
    return {
      accuracy: null,
      status: 'invalid_task',
      error: `task.answer: gold answer cannot be parsed (${g.message})`,
      details: { gold: clip(key), rule: 'gold_unparseable' },
    };
  }
  const cmp: CompareOptions = { percentFraction: opts.percentFraction, decimalMinDigits: opts.decimalMinDigits, decimalRounding: opts.decimalRounding ?? 'gold' };
  if (hooks.symbolic) cmp.symbolic = hooks.symbolic;
  if (hooks.precise) cmp.precise = hooks.precise;
  // a completion that is the gold, character for character, agrees with it whatever the rules read
  if (answer.trim() === key.trim()) {
    return { accuracy: 1, status: 'ok', details: { extracted: clip(key), gold: clip(show(g.node)), rule: 'identical', ms: Math.round((performance.now() - t0) * 1000) / 1000 } };
  }
  const skipped: string[] = [];
  for (const c of extractCandidates(answer, { lastNumber: opts.lastNumber })) {
    const why = textTooComplex(c.text, guard);
    if (why) {
      skipped.push(`${c.rule}: ${why}`);
      continue;
    }
    const normalised = normaliseLatex(c.text);
    let verdict: { equal: boolean; rule: string };
    let pred: Node | null = null;
    if (normalised === g.normalised) verdict = { equal: true, rule: 'string' };
    else {
      try {
        // a prediction is read as prose only when the gold is prose: "Jane started 3 hours ago" is not an answer
        pred = parseLenient(normalised, g.node.t === 'text');
      } catch {
        skipped.push(`${c.rule}: unparseable`);
        continue;
      }
      verdict = equivalent(g.node, pred, cmp);
    }
    return {
      accuracy: verdict.equal ? 1 : 0,
      status: 'ok',
      details: {
        extracted: clip(c.text),
        normalised: clip(normalised),
        parsed: pred ? clip(show(pred)) : undefined,
        gold: clip(show(g.node)),
        extraction: c.rule,
        rule: verdict.rule,
        ...(skipped.length ? { skipped } : {}),
        ms: Math.round((performance.now() - t0) * 1000) / 1000,
      },
    };
  }
  return {
    accuracy: 0,
    status: 'ok',
    details: {
      extracted: null,
      gold: clip(show(g.node)),
      rule: 'no_answer',
      ...(skipped.length ? { skipped } : {}),
      ms: Math.round((performance.now() - t0) * 1000) / 1000,
    },
  };
}

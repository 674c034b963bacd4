// Where the final answer is in a completion. Produces candidates in priority order; the grader takes the first
// one that parses. Every scan here is linear in the text (1 MB completions are normal input, not an attack).
import { boxedSpans, type BoxedSpan } from '../text/boxed.js';
import { afterAnchor, decides, lastAnchor } from './anchors.js';
import { lastNumber } from './last-number.js';

export interface Candidate {
  /** which rule found it: boxed, answer_tag, anchor:<name>, latex_env, whole, last_number */
  rule: string;
  text: string;
}

export interface ExtractOptions {
  /** fall back to the last number in the text (evaluation preset only: it rewards truncated outputs) */
  lastNumber: boolean;
}

/** The last $$…$$, \[…\], \(…\) or $…$ in the text: found from the end with lastIndexOf, so linear. */
function lastEnv(text: string): { inner: string; end: number } | null {
  let best: { end: number; inner: string } | null = null;
  const consider = (close: string, open: string): void => {
    const c = text.lastIndexOf(close);
    if (c < 0 || (best && c < best.end)) return;
    const o = text.lastIndexOf(open, c - 1);
    if (o < 0 || c - o > 8000) return;
    best = { end: c, inner: text.slice(o + open.length, c) };
  };
  consider('\\)', '\\(');
  consider('\\]', '\\[');
  const c = text.lastIndexOf('$');
  if (c > 0 && !(best && c < (best as { end: number }).end)) {
    const dbl = text[c - 1] === '$';
    const close = dbl ? c - 1 : c;
    const o = text.lastIndexOf(dbl ? '$$' : '$', close - 1);
    if (o >= 0 && close - o < 8000) best = { end: c, inner: text.slice(o + (dbl ? 2 : 1), close) };
  }
  return best;
}

// what separates the boxes of one multi-part answer: \boxed{1}, \boxed{2} and \boxed{3}
const BOX_GAP = /(?:[\s,;.$&]|\\[()[\]]|\\\\|\\q?quad|\\text\{\s*(?:and|or)\s*\}|\band\b|\bor\b)+/g;

const DISCOURSE = /^(?:thus|but|so|hence|therefore|wait|no|not|however|actually|instead|then)$/i;

/** Separators only; a gold may also name what each box counts ("\boxed{1} papers and \boxed{2} bins"). */
function gapJoins(gap: string, wordsAllowed: number): boolean {
  if (gap.length > 80) return false;
  // a label inside the same formula: \boxed{(3,3)} \text{ for part (a) and } \boxed{(1,1)}
  const label = /^\s*\\text\{([^{}$\d]*)\}\s*$/.exec(gap.replace(/\\q?quad/g, ' '));
  if (label && label[1]!.trim().split(/\s+/).length <= 5) return true;
  const rest = gap.replace(BOX_GAP, ' ').trim();
  if (!rest) return true;
  // a gold's own separators may be odd punctuation (\boxed{35} ++++ \boxed{4}); words are counted
  const wordsOnly = wordsAllowed > 0 ? rest.replace(/[^\sa-zA-Z]+/g, ' ').trim() : rest;
  if (!wordsOnly) return true;
  const ws = wordsOnly.split(/\s+/);
  // words that move the argument on ("thus", "but", "wait") end a multi-part answer: what follows replaces it
  return ws.length <= wordsAllowed && ws.every((w) => /^[a-zA-Z]+$/.test(w) && !DISCOURSE.test(w));
}

// the name a box answers for, right before it: $x = \boxed{-2}$, \(y_1 = \boxed{…}\)
const BOX_LABEL = /(?<=^|[\s$(,;])((?:[A-Za-z]|\\[a-zA-Z]+)(?:_\{?\w{1,4}\}?)?)\s*=\s*(?:\$|\\\(|\\\[)?\s*$/;

function boxLabel(text: string, start: number): string | null {
  return BOX_LABEL.exec(text.slice(Math.max(0, start - 24), start))?.[1] ?? null;
}

/**
 * The last box, joined with the boxes right before it when only separators (and the name each box answers
 * for) stand between them: `$x = \boxed{-2}$ or $x = \boxed{1}$` is the one answer "x = -2, x = 1". Boxes
 * are not joined across other words (a retraction: `\boxed{2} is wrong, so \boxed{3}`), over 80 characters
 * apart, or beyond 16 boxes.
 */
function trailingBoxes(text: string, spans: BoxedSpan[], wordsAllowed = 0): string | null {
  if (!spans.length) return null;
  let k = spans.length - 1;
  const gap = (j: number): string => {
    const g = text.slice(spans[j - 1]!.end, spans[j]!.start);
    const label = boxLabel(text, spans[j]!.start);
    return label ? g.replace(BOX_LABEL, ' ') : g;
  };
  while (k > 0 && spans.length - k < 16 && gapJoins(gap(k), wordsAllowed)) k--;
  const run = spans.slice(k);
  // labels are kept only when every box of a multi-part answer has one
  const labels = run.length > 1 ? run.map((b) => boxLabel(text, b.start)) : [];
  const parts = run.map((b, j) => (labels.length && labels.every(Boolean) ? `${labels[j]} = ${b.inner.trim()}` : b.inner.trim()));
  return [...new Set(parts)].join(', ');
}

export function extractCandidates(answer: string, opts: ExtractOptions): Candidate[] {
  const out: Candidate[] = [];
  // <answer>…</answer>: the last tag's content is where the answer is
  let region = answer;
  const tagStart = answer.lastIndexOf('<answer>');
  if (tagStart >= 0) {
    const tagEnd = answer.indexOf('</answer>', tagStart);
    region = answer.slice(tagStart + 8, tagEnd >= 0 ? tagEnd : undefined);
  }
  const spans = boxedSpans(region);
  const anchor = lastAnchor(region);
  const anchored = anchor ? afterAnchor(region.slice(anchor.end), anchor.name !== 'answer').map((text) => ({ rule: `anchor:${anchor.name}`, text })) : [];
  // "final answer is X" written after the last box is the model's last word: it goes first
  const lastBoxEnd = spans.length ? spans[spans.length - 1]!.end : -1;
  if (anchor && anchor.name === 'final_answer' && anchor.start > lastBoxEnd && spans.length) out.push(...anchored);
  const boxed = trailingBoxes(region, spans);
  if (boxed !== null) out.push({ rule: 'boxed', text: boxed });
  if (tagStart >= 0) out.push({ rule: 'answer_tag', text: region.trim() });
  if (!(anchor && anchor.name === 'final_answer' && anchor.start > lastBoxEnd && spans.length)) out.push(...anchored);
  // an anchor that was found decides: no fallback to a later formula or number
  if (anchor && decides(anchor)) return out.filter((c) => c.text.trim() !== '');
  const env = lastEnv(region);
  const num = opts.lastNumber ? lastNumber(region) : null;
  const envC = env && { rule: 'latex_env', text: env.inner, end: env.end };
  const numC = num && { rule: 'last_number', text: num.text, end: num.end };
  // an answer part that is nothing but a short answer ("42", "x+1"): the whole of it
  const whole = region.trim();
  const wholeC = whole.length <= WHOLE_MAX_CHARS && !whole.includes('\n') ? { rule: 'whole', text: whole } : null;
  // unanchored fallbacks: the rightmost wins (a number after the last formula is the answer, and vice versa)
  const tail = [envC, numC].filter((c): c is { rule: string; text: string; end: number } => c !== null).sort((a, b) => b.end - a.end);
  if (wholeC) out.push(wholeC);
  for (const c of tail) out.push({ rule: c.rule, text: c.text });
  return out.filter((c) => c.text.trim() !== '');
}

/** An answer part this short, on one line, is taken whole when nothing else marks the answer. */
export const WHOLE_MAX_CHARS = 80;

/**
 * Gold candidates: its last run of boxes, the whole gold, then the prediction rules. A gold written as a
 * sentence with a deciding anchor ("Answer is 42.") reads like a prediction does, so the two always agree.
 */
export function goldCandidates(gold: string): string[] {
  const boxed = trailingBoxes(gold, boxedSpans(gold), 2);
  const extracted = extractCandidates(gold, { lastNumber: false }).map((x) => x.text);
  const anchor = boxed === null ? lastAnchor(gold) : null;
  const c: string[] = [];
  if (boxed !== null) c.push(boxed);
  if (anchor && decides(anchor)) c.push(...extracted, gold);
  else c.push(gold, ...extracted);
  return [...new Set(c)];
}

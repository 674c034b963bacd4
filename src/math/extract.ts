// Where the final answer is in a completion. Produces candidates in priority order; the grader takes the first
// one that parses. Every scan here is linear in the text (1 MB completions are normal input, not an attack).
import { lastBoxed } from '../extract/boxed.js';

export interface Candidate {
  /** which rule found it: boxed, answer_tag, anchor:<name>, latex_env, last_number */
  rule: string;
  text: string;
}

export interface ExtractOptions {
  /** fall back to the last number in the text (evaluation preset only: it rewards truncated outputs) */
  lastNumber: boolean;
}

// "final answer is", "the answer is", "answer:", GSM8K "####", Chinese anchors, and the GSM8K-style "A:" line.
const ANCHORS: [string, RegExp][] = [
  ['final_answer', /final\s+answer\s*(?:is|:|=)?\s*[:：]?/gi],
  ['the_answer_is', /the\s+answer\s+is\s*[:：]?/gi],
  ['answer_colon', /\banswer\s*[:：]/gi],
  ['gsm8k_hash', /####/g],
  ['zh', /(?:最终答案|答案)\s*(?:是|为|為|[:：])\s*[:：]?/g],
  ['a_colon', /(?:^|\n)\s*A\s*:/g],
];

/** The rightmost match end of any anchor, with its name. */
function lastAnchor(text: string): { name: string; end: number } | null {
  let best: { name: string; end: number; start: number } | null = null;
  for (const [name, re] of ANCHORS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!best || m.index > best.start) best = { name, end: m.index + m[0].length, start: m.index };
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return best && { name: best.name, end: best.end };
}

/** The last $$…$$, \[…\], \(…\) or $…$ in the text: found from the end with lastIndexOf, so linear. */
function lastEnv(text: string): string | null {
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
  return best ? (best as { inner: string }).inner : null;
}

const NUMBER = /-?\d[\d,]*(?:\.\d+)?|-?\.\d+/g;

function lastNumber(text: string): string | null {
  let last: string | null = null;
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m; m = NUMBER.exec(text)) last = m[0];
  return last && last.replace(/,$/, '');
}

/** Candidates for the text after an anchor: the rest of its line, its first math environment, its leading value. */
function afterAnchor(rest: string): string[] {
  const line = (/^[^\n]*/.exec(rest.slice(0, 4000).trimStart())?.[0] ?? '').trim();
  const out: string[] = [];
  const env = /\$\$([^$]+)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|\$([^$]+)\$/.exec(line);
  if (env) out.push((env[1] ?? env[2] ?? env[3] ?? env[4])!);
  out.push(line.replace(/^\*\*|\*\*$/g, '').replace(/[.。]\s*$/, ''));
  // "42 because…", "42 apples."
  const lead = /^[-+$(\[{\\]?[^\s,;。]*?(?=[\s.,;。]|$)/.exec(line);
  if (lead && lead[0] && lead[0] !== line) out.push(lead[0].replace(/[.]$/, ''));
  // "is x = 5, so" — up to a comma or sentence break
  const clause = /^[^,;。]+/.exec(line)?.[0];
  if (clause && clause !== line) out.push(clause.replace(/[.]\s*$/, ''));
  return out;
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
  const boxed = lastBoxed(region);
  if (boxed !== null) out.push({ rule: 'boxed', text: boxed });
  if (tagStart >= 0) out.push({ rule: 'answer_tag', text: region.trim() });
  const anchor = lastAnchor(region);
  if (anchor) for (const text of afterAnchor(region.slice(anchor.end))) out.push({ rule: `anchor:${anchor.name}`, text });
  const env = lastEnv(region);
  if (env !== null) out.push({ rule: 'latex_env', text: env });
  // an answer part that is nothing but a short answer ("42", "x+1"): the whole of it
  const whole = region.trim();
  if (whole.length <= WHOLE_MAX_CHARS && !whole.includes('\n')) out.push({ rule: 'whole', text: whole });
  if (opts.lastNumber) {
    const n = lastNumber(region);
    if (n !== null) out.push({ rule: 'last_number', text: n });
  }
  return out.filter((c) => c.text.trim() !== '');
}

/** An answer part this short, on one line, is taken whole when nothing else marks the answer. */
export const WHOLE_MAX_CHARS = 80;

/** Gold candidates: the same extraction as predictions, then the whole gold string. */
export function goldCandidates(gold: string): string[] {
  const c = extractCandidates(gold, { lastNumber: false }).map((x) => x.text);
  c.push(gold);
  return [...new Set(c)];
}

// Language consistency (DeepSeek-R1 §2.3.3): the share of words in the chain of thought that are in the
// target language. Words are attributed by script; scripts shared by several languages (Latin, Cyrillic,
// Arabic, Devanagari) are attributed with franc on the whole run or sentence, never word by word, because
// trigram models are noise on single words.
import { Type, type Static } from '@sinclair/typebox';
import { performance } from 'node:perf_hooks';
import { franc } from 'franc';
import { LANGS, SUPPORTED_LANGUAGES, type Script } from '../contract/languages.js';
import { boundedNumber } from '../contract/limits.js';

const ISO3_TO_1 = new Map(LANGS.map(([a, b]) => [b, a]));
/** The default candidates: widely used languages; close relatives left out sharpen franc on short text. */
export const DEFAULT_CANDIDATES: readonly string[] = [
  'en', 'zh', 'ja', 'ko', 'es', 'fr', 'de', 'pt', 'it', 'nl', 'pl', 'tr', 'vi', 'id',
  'ru', 'uk', 'ar', 'fa', 'hi', 'th', 'he', 'el', 'bn',
];

export const LanguageConfigSchema = Type.Object(
  {
    default: Type.Union(SUPPORTED_LANGUAGES.map((l) => Type.Literal(l)), { default: 'en', description: 'Target language (ISO 639-1) when the rollout names none and the prompt has no words.' }),
    detect_from_prompt: Type.Boolean({ default: true, description: "Take the target from the prompt's majority language when the rollout has no `language`." }),
    candidates: Type.Array(Type.Union(SUPPORTED_LANGUAGES.map((l) => Type.Literal(l))), {
      default: [...DEFAULT_CANDIDATES],
      description: `Languages words may be attributed to (ISO 639-1; supported: ${SUPPORTED_LANGUAGES.join(' ')}). Fewer candidates, sharper detection.`,
    }),
    chunk_chars: Type.Integer({
      minimum: 1,
      default: 800,
      description: 'A same-script run is cut at a sentence end once it holds this many characters; each piece is attributed with franc.',
    }),
    sample_chars: Type.Integer({
      minimum: 16,
      default: 160,
      description: 'franc judges each piece on at most this many of its characters (trigram models need no more; this bounds the cost).',
    }),
    min_run_chars: Type.Integer({ minimum: 1, default: 24, description: 'A piece shorter than this takes the language of all the text in its script.' }),
    empty: Type.Union([boundedNumber(), Type.Null()], { default: 0, description: 'Reward when the chain of thought has no words once math and code are stripped.' }),
    scope: Type.Union([Type.Literal('thought'), Type.Literal('completion')], {
      default: 'thought',
      description: "'thought': the chain of thought (the whole completion when it has no think block); 'completion': everything.",
    }),
  },
  { additionalProperties: false, default: {} },
);
export type LanguageConfig = Static<typeof LanguageConfigSchema>;

export interface LanguageResult {
  score: number | null;
  target: string;
  words: number;
  target_words: number;
  /** words per language (ISO 639-1, 'und' when undecidable) */
  counts: Record<string, number>;
}

// Delimited spans to blank out, in order (fenced code before inline code, display math before inline).
// Found with indexOf, never a backtracking regex: once a close is missing, no later open of that kind can
// close either, so the scan stops. Linear in the text, whatever a hostile completion holds.
interface Span {
  open: string;
  close: string;
  /** inline spans live on one line (each line is scanned on its own) */
  inline: boolean;
  /** an unclosed block runs to the end of the text (a truncated code block) */
  toEnd: boolean;
}
const span = (open: string, close: string, inline: boolean, toEnd = false): Span => ({ open, close, inline, toEnd });
const SPANS: readonly Span[] = [
  span('```', '```', false, true),
  span('`', '`', true),
  span('$$', '$$', false),
  span('\\[', '\\]', false),
  span('\\(', '\\)', false),
];
const DOLLAR = span('$', '$', true);
const BEGIN = /\\begin\{([a-zA-Z*]{1,40})\}/g;
// [needle, pattern]: a pattern runs only when its needle is in the text (most chains of thought have no
// e-mail address, and scanning every position for one is the costliest step of stripping).
const REST: readonly (readonly [string, RegExp])[] = [
  ['\\', /\\[a-zA-Z]+\*?(?:\{[^{}\n]{0,200}\})*/g],
  ['://', /\b(?:https?|ftp):\/\/\S+/gi],
  ['www.', /\bwww\.\S+/gi],
  ['@', /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+/g],
];

function stripBlock(text: string, s: Span): string {
  const parts: string[] = [];
  let keep = 0;
  for (let i = text.indexOf(s.open); i >= 0; i = text.indexOf(s.open, keep)) {
    const end = text.indexOf(s.close, i + s.open.length);
    if (end < 0) {
      if (s.toEnd) {
        parts.push(text.slice(keep, i), ' ');
        keep = text.length;
      }
      break;
    }
    parts.push(text.slice(keep, i), ' ');
    keep = end + s.close.length;
  }
  parts.push(text.slice(keep));
  return parts.join('');
}

function stripSpan(text: string, s: Span): string {
  if (text.indexOf(s.open) < 0) return text;
  return s.inline ? text.split('\n').map((line) => stripBlock(line, s)).join('\n') : stripBlock(text, s);
}

function stripEnvironments(text: string): string {
  const missing = new Set<string>(); // names with no \end after some point: every later \begin fails too
  let out = '';
  let from = 0;
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m; m = BEGIN.exec(text)) {
    const name = m[1]!;
    if (missing.has(name) || m.index < from) continue;
    const endTag = `\\end{${name}}`;
    const end = text.indexOf(endTag, m.index + m[0].length);
    if (end < 0) {
      missing.add(name);
      continue;
    }
    out += text.slice(from, m.index) + ' ';
    from = end + endTag.length;
    BEGIN.lastIndex = from;
  }
  return out + text.slice(from);
}

/** Removes what is not prose: code, LaTeX and other math, URLs, e-mail addresses. Numbers drop out at segmentation. */
export function stripNonProse(text: string): string {
  let out = text;
  for (const s of SPANS) out = stripSpan(out, s);
  out = stripEnvironments(out);
  out = stripSpan(out, DOLLAR);
  for (const [needle, re] of REST) if (out.includes(needle)) out = out.replace(re, ' ');
  return out;
}

function scriptOfCode(c: number): Script | null {
  if (c < 0x250) return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xc0 ? 'latin' : null;
  if (c >= 0x1e00 && c <= 0x1eff) return 'latin';
  if (c >= 0x370 && c <= 0x3ff) return 'greek';
  if (c >= 0x400 && c <= 0x52f) return 'cyrillic';
  if (c >= 0x590 && c <= 0x5ff) return 'hebrew';
  if ((c >= 0x600 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f)) return 'arabic';
  if (c >= 0x900 && c <= 0x97f) return 'devanagari';
  if (c >= 0x980 && c <= 0x9ff) return 'bengali';
  if (c >= 0xe00 && c <= 0xe7f) return 'thai';
  if ((c >= 0x1100 && c <= 0x11ff) || (c >= 0x3130 && c <= 0x318f) || (c >= 0xac00 && c <= 0xd7af)) return 'hangul';
  if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff)) return 'kana';
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2ffff) || (c >= 0xf900 && c <= 0xfaff)) return 'han';
  return /\p{L}/u.test(String.fromCodePoint(c)) ? 'other' : null;
}

/** The script of a word's first letter; null for words with no letter (numbers). */
function scriptOf(word: string): Script | null {
  for (let i = 0; i < word.length; i++) {
    const c = word.codePointAt(i)!;
    const s = scriptOfCode(c);
    if (s) return s;
    if (c > 0xffff) i++;
  }
  return null;
}

// Space-delimited scripts are tokenised with one regex (fast); runs of scripts written without spaces
// (Han, kana, Thai) go through Intl.Segmenter, whose dictionaries know where their words end.
const TOKEN = /[\p{L}\p{M}][\p{L}\p{M}\p{N}'’_-]*/gu;
const NO_SPACES = /[\u0e00-\u0e7f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const SENTENCE_END = /[.!?。！？;；]\s|\n/;
const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });

interface Chunk {
  script: Script;
  words: number;
  text: string;
}

/** Words of `text` as (script, sentence-break-before) items, numbers and punctuation dropped. */
function* words(text: string): Generator<{ word: string; script: Script; breakBefore: boolean }> {
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const breakBefore = SENTENCE_END.test(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (!NO_SPACES.test(m[0])) {
      const script = scriptOf(m[0]);
      if (script) yield { word: m[0], script, breakBefore };
      continue;
    }
    let first = true;
    for (const seg of wordSegmenter.segment(m[0])) {
      if (!seg.isWordLike) continue;
      const script = scriptOf(seg.segment);
      if (script) yield { word: seg.segment, script, breakBefore: breakBefore && first };
      first = false;
    }
  }
}

interface Candidates {
  /** per script, the franc codes allowed; a script with one candidate is attributed directly */
  byScript: Map<Script, string[]>;
}

// A request's config picks the candidates; cache the few distinct lists seen, but never grow without bound.
const candidateCache = new Map<string, Candidates>();
const CANDIDATE_CACHE_MAX = 64;
function candidatesFor(list: readonly string[]): Candidates {
  const key = list.join(',');
  let c = candidateCache.get(key);
  if (!c) {
    if (candidateCache.size >= CANDIDATE_CACHE_MAX) candidateCache.clear();
    const byScript = new Map<Script, string[]>();
    for (const [iso1, iso3, script] of LANGS) {
      if (!list.includes(iso1)) continue;
      byScript.set(script, [...(byScript.get(script) ?? []), iso3]);
    }
    c = { byScript };
    candidateCache.set(key, c);
  }
  return c;
}

// Letters one of two close Cyrillic orthographies lacks: franc's trigrams confuse them on short text.
const RUSSIAN_ONLY = /[ыэъё]/i;
const UKRAINIAN_ONLY = /[іїєґ]/i;

/** The first `n` characters of `text`, cut back to a word boundary. */
function sample(text: string, n: number): string {
  if (text.length <= n) return text;
  const cut = text.lastIndexOf(' ', n);
  return text.slice(0, cut > n / 2 ? cut : n);
}

function detect(full: string, candidates: string[], sampleChars: number): string | null {
  const text = sample(full, sampleChars);
  let only = candidates;
  if (only.includes('rus') && only.includes('ukr')) {
    if (UKRAINIAN_ONLY.test(text)) only = only.filter((c) => c !== 'rus');
    else if (RUSSIAN_ONLY.test(text)) only = only.filter((c) => c !== 'ukr');
  }
  if (only.length === 1) return ISO3_TO_1.get(only[0]!)!;
  const code = franc(text, { only, minLength: 1 });
  return code === 'und' ? null : (ISO3_TO_1.get(code) ?? null);
}

/** Words (or franc calls) between two points where a long scan may let the event loop run. */
const STEP_WORDS = 2048;
const STEP_DETECTS = 64;

/**
 * Same-script runs, cut at sentence ends once a chunk holds `chunkChars` characters: a code switch
 * is caught at sentence granularity while franc still sees enough text to be reliable. Fills `out`,
 * pausing (a bare `yield`) every STEP_WORDS words.
 */
function* chunkSteps(text: string, chunkChars: number, out: Chunk[]): Generator<void, void, void> {
  let cur: Chunk | null = null;
  let n = 0;
  for (const w of words(text)) {
    if (!cur || cur.script !== w.script || (w.breakBefore && cur.text.length >= chunkChars)) {
      cur = { script: w.script, words: 0, text: '' };
      out.push(cur);
    }
    cur.words++;
    cur.text = cur.text ? `${cur.text} ${w.word}` : w.word;
    if (++n % STEP_WORDS === 0) yield;
  }
}

/** Counts words per language in `text` (already stripped of math and code), pausing now and then. */
function* countSteps(text: string, cfg: LanguageConfig): Generator<void, Record<string, number>, void> {
  const cands = candidatesFor(cfg.candidates);
  const counts: Record<string, number> = {};
  const add = (lang: string, n: number): void => {
    counts[lang] = (counts[lang] ?? 0) + n;
  };
  const all: Chunk[] = [];
  yield* chunkSteps(text, cfg.chunk_chars, all);
  const hasKana = all.some((c) => c.script === 'kana');
  // Chunks too short to judge alone take the language of all the text in their script.
  const pending = new Map<Script, Chunk[]>();
  let detects = 0;
  for (const c of all) {
    const only = cands.byScript.get(c.script);
    if (c.script === 'han') add(hasKana && cands.byScript.has('kana') ? 'ja' : cands.byScript.has('han') ? 'zh' : 'und', c.words);
    else if (!only) add('und', c.words);
    else if (only.length === 1) add(ISO3_TO_1.get(only[0]!)!, c.words);
    else if (c.text.length < cfg.min_run_chars) {
      const list = pending.get(c.script);
      if (list) list.push(c);
      else pending.set(c.script, [c]);
    }
    else {
      add(detect(c.text, only, cfg.sample_chars) ?? 'und', c.words);
      if (++detects % STEP_DETECTS === 0) yield;
    }
  }
  for (const [script, short] of pending) {
    const context = all.filter((c) => c.script === script).map((c) => c.text).join(' ');
    const lang = context.length >= cfg.min_run_chars ? detect(context, cands.byScript.get(script)!, cfg.sample_chars) : null;
    add(lang ?? 'und', short.reduce((n, c) => n + c.words, 0));
  }
  return counts;
}

function runSync<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs the steps, letting the event loop run (health checks, other requests) once a slice of `sliceMs` is used. */
async function runYielding<T>(steps: Generator<void, T, void>, sliceMs = 5): Promise<T> {
  let t0 = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - t0 > sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      t0 = performance.now();
    }
  }
}

/** Counts words per language in `text` (already stripped of math and code). */
export function countLanguages(text: string, cfg: LanguageConfig): Record<string, number> {
  return runSync(countSteps(text, cfg));
}

function* majoritySteps(text: string, cfg: LanguageConfig): Generator<void, string | null, void> {
  let best: string | null = null;
  let bestN = 0;
  for (const [lang, n] of Object.entries(yield* countSteps(stripNonProse(text), cfg))) {
    if (lang !== 'und' && n > bestN) [best, bestN] = [lang, n];
  }
  return best;
}

/** The language with most words in `text`, or null when it has none. */
export function majorityLanguage(text: string, cfg: LanguageConfig): string | null {
  return runSync(majoritySteps(text, cfg));
}

/** majorityLanguage for the service: a long text does not hold the event loop. */
export function majorityLanguageYielding(text: string, cfg: LanguageConfig): Promise<string | null> {
  return runYielding(majoritySteps(text, cfg));
}

function* rewardSteps(text: string, target: string, cfg: LanguageConfig): Generator<void, LanguageResult, void> {
  // The target is always a candidate: otherwise its words could only be attributed to its neighbours.
  const withTarget = cfg.candidates.includes(target) ? cfg : { ...cfg, candidates: [...cfg.candidates, target] };
  const counts = yield* countSteps(stripNonProse(text), withTarget);
  let words = 0;
  for (const n of Object.values(counts)) words += n;
  const targetWords = counts[target] ?? 0;
  return { score: words === 0 ? cfg.empty : targetWords / words, target, words, target_words: targetWords, counts };
}

export function languageReward(text: string, target: string, cfg: LanguageConfig): LanguageResult {
  return runSync(rewardSteps(text, target, cfg));
}

/** languageReward for the service: a long text does not hold the event loop. */
export function languageRewardYielding(text: string, target: string, cfg: LanguageConfig): Promise<LanguageResult> {
  return runYielding(rewardSteps(text, target, cfg));
}

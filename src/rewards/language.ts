// Language consistency (DeepSeek-R1 §2.3.3): the share of words in the chain of thought that are in the
// target language. Words are attributed by script; scripts shared by several languages (Latin, Cyrillic,
// Arabic, Devanagari) are attributed with franc on the whole run or sentence, never word by word, because
// trigram models are noise on single words.
import { Type, type Static } from '@sinclair/typebox';
import { franc } from 'franc';

type Script = 'latin' | 'cyrillic' | 'arabic' | 'devanagari' | 'greek' | 'hebrew' | 'thai' | 'hangul' | 'kana' | 'han' | 'bengali' | 'other';

/** ISO 639-3 (franc) ⇄ 639-1 (the contract), with the script each language is written in. */
const LANGS: readonly (readonly [iso1: string, iso3: string, script: Script])[] = [
  ['en', 'eng', 'latin'], ['es', 'spa', 'latin'], ['fr', 'fra', 'latin'], ['de', 'deu', 'latin'],
  ['pt', 'por', 'latin'], ['it', 'ita', 'latin'], ['nl', 'nld', 'latin'], ['pl', 'pol', 'latin'],
  ['tr', 'tur', 'latin'], ['vi', 'vie', 'latin'], ['id', 'ind', 'latin'], ['sv', 'swe', 'latin'],
  ['da', 'dan', 'latin'], ['no', 'nob', 'latin'], ['fi', 'fin', 'latin'], ['cs', 'ces', 'latin'],
  ['sk', 'slk', 'latin'], ['hu', 'hun', 'latin'], ['ro', 'ron', 'latin'], ['hr', 'hrv', 'latin'],
  ['ca', 'cat', 'latin'], ['tl', 'tgl', 'latin'], ['sw', 'swh', 'latin'], ['ms', 'zlm', 'latin'],
  ['ru', 'rus', 'cyrillic'], ['uk', 'ukr', 'cyrillic'], ['bg', 'bul', 'cyrillic'], ['sr', 'srp', 'cyrillic'],
  ['kk', 'kaz', 'cyrillic'], ['ar', 'arb', 'arabic'], ['fa', 'pes', 'arabic'], ['ur', 'urd', 'arabic'],
  ['hi', 'hin', 'devanagari'], ['mr', 'mar', 'devanagari'], ['ne', 'npi', 'devanagari'],
  ['el', 'ell', 'greek'], ['he', 'heb', 'hebrew'], ['th', 'tha', 'thai'], ['ko', 'kor', 'hangul'],
  ['ja', 'jpn', 'kana'], ['zh', 'cmn', 'han'], ['bn', 'ben', 'bengali'],
];
export const SUPPORTED_LANGUAGES: readonly string[] = LANGS.map((l) => l[0]);
const ISO3_TO_1 = new Map(LANGS.map(([a, b]) => [b, a]));

export const LanguageConfigSchema = Type.Object(
  {
    default: Type.String({ default: 'en', description: 'Target language (ISO 639-1) when the rollout names none and the prompt has no words.' }),
    detect_from_prompt: Type.Boolean({ default: true, description: "Take the target from the prompt's majority language when the rollout has no `language`." }),
    candidates: Type.Array(Type.String(), {
      default: [...SUPPORTED_LANGUAGES],
      description: 'Languages that shared-script runs may be attributed to (ISO 639-1). Fewer candidates, sharper detection.',
    }),
    min_run_chars: Type.Integer({ minimum: 1, default: 12, description: 'A shared-script run shorter than this is judged with its sentence, then the whole text.' }),
    empty: Type.Union([Type.Number(), Type.Null()], { default: 0, description: 'Reward when the chain of thought has no words once math and code are stripped.' }),
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

// Order matters: fenced code before inline code, display math before inline math.
const STRIP: readonly RegExp[] = [
  /```[\s\S]*?(?:```|$)/g,
  /`[^`\n]*`/g,
  /\$\$[\s\S]*?\$\$/g,
  /\\\[[\s\S]*?\\\]/g,
  /\\\([\s\S]*?\\\)/g,
  /\\begin\{([a-zA-Z*]+)\}[\s\S]*?\\end\{\1\}/g,
  /\$[^$\n]*\$/g,
  /\\[a-zA-Z]+\*?(?:\{[^{}]*\})?/g,
  /\b(?:https?|ftp):\/\/\S+|\bwww\.\S+/gi,
  /\S+@\S+\.\w+/g,
];

/** Removes what is not prose: code, LaTeX and other math, URLs, e-mail addresses. Numbers drop out at segmentation. */
export function stripNonProse(text: string): string {
  let out = text;
  for (const re of STRIP) out = out.replace(re, ' ');
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

const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });
const sentenceSegmenter = new Intl.Segmenter('und', { granularity: 'sentence' });

interface Run {
  script: Script;
  words: string[];
}

interface Candidates {
  /** per shared script, the franc codes allowed; a script with one candidate is attributed directly */
  byScript: Map<Script, string[]>;
}

const candidateCache = new Map<string, Candidates>();
function candidatesFor(list: readonly string[]): Candidates {
  const key = list.join(',');
  let c = candidateCache.get(key);
  if (!c) {
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

function detect(text: string, only: string[], minLength: number): string | null {
  if (only.length === 1) return ISO3_TO_1.get(only[0]!)!;
  if (text.length < minLength) return null;
  const code = franc(text, { only, minLength: 1 });
  return code === 'und' ? null : (ISO3_TO_1.get(code) ?? null);
}

/** Counts words per language in `text` (already stripped of math and code). */
export function countLanguages(text: string, cfg: LanguageConfig): Record<string, number> {
  const cands = candidatesFor(cfg.candidates);
  const counts: Record<string, number> = {};
  const add = (lang: string, n: number): void => {
    counts[lang] = (counts[lang] ?? 0) + n;
  };
  // Runs of shared scripts whose run and sentence were too short to judge: decided on the whole text.
  const pending: Run[] = [];

  for (const { segment: sentence } of sentenceSegmenter.segment(text)) {
    const runs: Run[] = [];
    let hasKana = false;
    for (const seg of wordSegmenter.segment(sentence)) {
      if (!seg.isWordLike) continue;
      const script = scriptOf(seg.segment);
      if (!script) continue;
      if (script === 'kana') hasKana = true;
      const last = runs[runs.length - 1];
      if (last && last.script === script) last.words.push(seg.segment);
      else runs.push({ script, words: [seg.segment] });
    }
    const sentenceText = new Map<Script, string>();
    for (const run of runs) {
      const only = cands.byScript.get(run.script);
      if (run.script === 'han') {
        add(hasKana && cands.byScript.has('kana') ? 'ja' : only ? 'zh' : 'und', run.words.length);
      } else if (!only) {
        add('und', run.words.length);
      } else {
        let lang = detect(run.words.join(' '), only, cfg.min_run_chars);
        if (!lang) {
          let st = sentenceText.get(run.script);
          if (st === undefined) {
            st = runs.filter((r) => r.script === run.script).map((r) => r.words.join(' ')).join(' ');
            sentenceText.set(run.script, st);
          }
          lang = detect(st, only, cfg.min_run_chars);
        }
        if (lang) add(lang, run.words.length);
        else pending.push(run);
      }
    }
  }

  const byScript = new Map<Script, Run[]>();
  for (const run of pending) byScript.set(run.script, [...(byScript.get(run.script) ?? []), run]);
  for (const [script, runs] of byScript) {
    const lang = detect(runs.map((r) => r.words.join(' ')).join(' '), cands.byScript.get(script)!, 3) ?? 'und';
    add(lang, runs.reduce((n, r) => n + r.words.length, 0));
  }
  return counts;
}

/** The language with most words in `text`, or null when it has none. */
export function majorityLanguage(text: string, cfg: LanguageConfig): string | null {
  let best: string | null = null;
  let bestN = 0;
  for (const [lang, n] of Object.entries(countLanguages(stripNonProse(text), cfg))) {
    if (lang !== 'und' && n > bestN) [best, bestN] = [lang, n];
  }
  return best;
}

export function languageReward(text: string, target: string, cfg: LanguageConfig): LanguageResult {
  const counts = countLanguages(stripNonProse(text), cfg);
  let words = 0;
  for (const n of Object.values(counts)) words += n;
  const targetWords = counts[target] ?? 0;
  return { score: words === 0 ? cfg.empty : targetWords / words, target, words, target_words: targetWords, counts };
}

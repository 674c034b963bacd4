// {"type":"exact","answer":"B"}: normalised string match, for multiple choice and short answers.
import { Type, type Static } from '@sinclair/typebox';
import { lastBoxed } from '../text/boxed.js';
import type { Verifier } from './types.js';

export const ExactTaskSchema = Type.Object({
  type: Type.Literal('exact'),
  answer: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    description: 'the gold answer, or a list of accepted answers',
  }),
  case_sensitive: Type.Optional(Type.Boolean()),
});
export type ExactTask = Static<typeof ExactTaskSchema>;

export const ExactConfigSchema = Type.Object(
  { case_sensitive: Type.Boolean({ default: false, description: 'Compare case-sensitively (a task may override).' }) },
  { additionalProperties: false, default: {} },
);

const ANCHOR = /(?:final answer|the answer|answer)\s*(?:is|:)\s*/gi;

/** What the completion answers: <answer> tags, else the last \boxed{}, else the text after the last "answer is/:" anchor, else all. */
export function extractShortAnswer(answerPart: string): { text: string; rule: string } {
  const tag = /<answer>([\s\S]*?)<\/answer>/g;
  let lastTag: string | null = null;
  for (let m = tag.exec(answerPart); m; m = tag.exec(answerPart)) lastTag = m[1]!;
  const inner = lastTag ?? answerPart;
  const boxed = lastBoxed(inner);
  if (boxed !== null) return { text: boxed, rule: 'boxed' };
  let anchorEnd = -1;
  ANCHOR.lastIndex = 0;
  for (let m = ANCHOR.exec(inner); m; m = ANCHOR.exec(inner)) anchorEnd = m.index + m[0].length;
  if (anchorEnd >= 0) return { text: inner.slice(anchorEnd).split('\n')[0]!, rule: 'anchor' };
  return { text: inner, rule: lastTag !== null ? 'answer_tag' : 'whole' };
}

/** Trim, collapse spaces, drop \text{}, surrounding parentheses, quotes and final punctuation: "(B)." -> "B". */
export function normaliseShort(s: string, caseSensitive: boolean): string {
  let t = s.replace(/\\text\{([^{}]*)\}/g, '$1').replace(/\s+/g, ' ').trim();
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/[.。!;,]+$/u, '').trim();
    t = t.replace(/^\*\*(.*)\*\*$/s, '$1').trim();
    t = t.replace(/^["'“‘([](.*)["'”’)\]]$/su, '$1').trim();
    t = t.replace(/^\$(.*)\$$/s, '$1').trim();
  }
  return caseSensitive ? t : t.toLowerCase();
}

export const exactVerifier: Verifier<ExactTask> = {
  type: 'exact',
  description: 'normalised string match (multiple choice, short answers)',
  taskSchema: ExactTaskSchema,
  configSchema: ExactConfigSchema,
  // Exact's equivalence is equality of normalised strings: the key is all there is (no mergeKeys).
  answerKey({ answer, config }) {
    const cs = (config['exact'] as Static<typeof ExactConfigSchema>).case_sensitive;
    const key = normaliseShort(extractShortAnswer(answer).text, cs);
    return key ? { key, text: key } : null;
  },
  verify({ task, answer, config }) {
    const section = config['exact'] as Static<typeof ExactConfigSchema>;
    const cs = task.case_sensitive ?? section.case_sensitive;
    const extracted = extractShortAnswer(answer);
    const got = normaliseShort(extracted.text, cs);
    const golds = (Array.isArray(task.answer) ? task.answer : [task.answer]).map((g) => normaliseShort(g, cs));
    const match = golds.includes(got);
    return {
      accuracy: match ? 1 : 0,
      status: 'ok',
      details: { extracted: extracted.text.slice(0, 200), normalised: got.slice(0, 200), rule: extracted.rule, gold: golds },
    };
  },
};

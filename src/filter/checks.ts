// The per-rollout rules of rejection sampling, in the order they are applied; a dropped rollout is
// counted under the first rule it fails.
import type { ScoredRollout, Task } from '../contract/types.js';
import { isCorrect } from '../eval/report.js';
import type { FilterRules } from './rules.js';

export const ROW_RULES = ['unscored', 'no_prompt', 'incorrect', 'format', 'mixed_language', 'long_paragraph', 'code_block'] as const;
export const GROUP_RULES = ['near_duplicate', 'per_prompt_cap'] as const;
export type DropRule = (typeof ROW_RULES)[number] | (typeof GROUP_RULES)[number];

/** Longest paragraph (text between blank lines), in characters. */
export function longestParagraph(text: string): number {
  let max = 0;
  for (const p of text.split(/\n[ \t]*\n/)) max = Math.max(max, p.trim().length);
  return max;
}

/** A fenced code block: a line opening with ``` or ~~~ (an inline `x` is not a block). */
export function hasCodeBlock(text: string): boolean {
  return /^[ \t]*(?:```|~~~)/m.test(text);
}

/** The first rule the rollout fails (null: it survives), given its chain of thought. */
export function firstFailedRule(row: ScoredRollout, thought: string | null, rules: FilterRules): (typeof ROW_RULES)[number] | null {
  const acc = row.rewards.accuracy;
  if ((row.status !== 'ok' && row.status !== 'timeout') || (rules.require_correct && acc === null)) return 'unscored';
  if (typeof row['prompt'] !== 'string' || row['prompt'] === '') return 'no_prompt';
  if (rules.require_correct && !isCorrect(acc!)) return 'incorrect';
  if (rules.require_format && row.rewards.format !== 1) return 'format';
  const cot = thought ?? '';
  if (rules.min_language_ratio > 0 && (row.rewards.language === null || row.rewards.language < rules.min_language_ratio)) return 'mixed_language';
  if (rules.max_paragraph_chars > 0 && longestParagraph(cot) > rules.max_paragraph_chars) return 'long_paragraph';
  const task = row['task'] as Task | undefined;
  if (rules.drop_code_blocks && task?.type !== 'code' && hasCodeBlock(cot)) return 'code_block';
  return null;
}

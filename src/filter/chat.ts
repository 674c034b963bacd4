// SFT rows in the formats trainers read: chat `messages` (TRL SFTTrainer, OpenRLHF --apply_chat_template)
// with the thought inside <think> in the assistant turn, or `prompt`/`completion` strings.
import type { ScoredRollout } from '../contract/types.js';
import type { FilterRules } from './rules.js';

/** The assistant turn: `<think>\n{thought}\n</think>\n\n{answer}`, rebuilt so every row has one shape. */
export function assistantText(thought: string, answer: string): string {
  return `<think>\n${thought.trim()}\n</think>\n\n${answer.trim()}`;
}

/** The output row; `id`, `group`, `source`/`data_source` are carried along to trace a row to its rollout. */
export function sftRow(row: ScoredRollout, thought: string, answer: string, rules: FilterRules): Record<string, unknown> {
  const prompt = row['prompt'] as string;
  const text = assistantText(thought, answer);
  const meta: Record<string, unknown> = {};
  for (const k of ['id', 'group', 'source', 'data_source']) if (row[k] !== undefined) meta[k] = row[k];
  if (rules.format === 'prompt_completion') return { prompt, completion: text, ...meta };
  return {
    messages: [
      { role: 'user', content: prompt },
      { role: 'assistant', content: text },
    ],
    ...meta,
  };
}

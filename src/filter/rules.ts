// The rejection-sampling rules of `r1-reward filter` (DeepSeek-R1 §2.3.3: keep only correct responses, drop
// chains of thought with mixed languages, long paragraphs or code blocks). One key per rule, each with a
// default; a rules file (--rules FILE) overrides keys, unknown keys are errors.
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { toFieldErrors } from '../contract/errors.js';
import type { FieldError } from '../contract/types.js';

export const FilterRulesSchema = Type.Object(
  {
    require_correct: Type.Boolean({ default: true, description: 'Keep only correct rollouts: accuracy 1 (code: every test passed).' }),
    require_format: Type.Boolean({ default: true, description: 'Keep only rollouts with the <think> format (format reward 1), so the thought can go inside <think> in the assistant turn.' }),
    min_language_ratio: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.95,
      description: 'Drop mixed-language chains of thought: the language reward (share of target-language words) must reach this.',
    }),
    max_paragraph_chars: Type.Integer({ minimum: 0, default: 2000, description: 'Drop chains of thought with a paragraph (text between blank lines) longer than this; 0 = no limit.' }),
    drop_code_blocks: Type.Boolean({ default: true, description: 'Drop chains of thought containing a fenced code block (``` or ~~~), for tasks other than code.' }),
    max_per_prompt: Type.Integer({ minimum: 0, default: 4, description: 'At most this many rollouts kept per prompt (group); 0 = no limit.' }),
    prefer: Type.Union([Type.Literal('shorter'), Type.Literal('first')], {
      default: 'shorter',
      description: "Which survivors of a prompt fill its quota: 'shorter' (fewest tokens first) or 'first' (input order).",
    }),
    dedup: Type.Boolean({ default: true, description: 'Drop near-duplicates of a rollout already kept for the same prompt.' }),
    dedup_threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.8, description: 'Estimated Jaccard similarity of word shingles (MinHash) at or above which two rollouts are near-duplicates.' }),
    shingle_words: Type.Integer({ minimum: 1, maximum: 32, default: 5, description: 'Words per shingle for near-duplicate detection.' }),
    format: Type.Union([Type.Literal('messages'), Type.Literal('prompt_completion')], {
      default: 'messages',
      description: "Output rows: 'messages' (TRL/OpenRLHF chat: user prompt, assistant turn with the thought inside <think>) or 'prompt_completion'.",
    }),
  },
  { additionalProperties: false },
);
export type FilterRules = Static<typeof FilterRulesSchema>;

const check = TypeCompiler.Compile(FilterRulesSchema);

/** Rules with defaults filled, or every bad key named (`rules.max_per_prompt: …`). */
export function resolveRules(raw: unknown): { rules: FilterRules } | { errors: FieldError[] } {
  const value = raw === undefined ? {} : raw;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { errors: [{ path: 'rules', message: 'must be a JSON object' }] };
  const filled = Value.Default(FilterRulesSchema, structuredClone(value));
  if (!check.Check(filled)) return { errors: toFieldErrors(check.Errors(filled), 'rules') };
  return { rules: filled as FilterRules };
}

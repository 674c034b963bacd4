// Format reward: R1-Zero's template, "<think> reasoning </think> answer", strict by default.
import { Type, type Static } from '@sinclair/typebox';

export const FormatConfigSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('think'), Type.Literal('think_answer')], {
      default: 'think',
      description: "'think': <think>…</think> then the answer (R1-Zero). 'think_answer': the answer inside <answer>…</answer> (open-r1).",
    }),
    partial: Type.Boolean({
      default: false,
      description: 'Partial credit by tag count (open-r1 tag_count style): each expected tag present exactly once earns an equal share.',
    }),
    require_newlines: Type.Boolean({
      default: false,
      description: "Also require a newline right inside each tag, as open-r1's regex does ('<think>\\n…\\n</think>\\n').",
    }),
    prompt_opens_think: Type.Union([Type.Literal('auto'), Type.Boolean()], {
      default: 'auto',
      description:
        "Whether the chat template already opened <think> in the prompt; 'auto' looks at the prompt's end, or, when no prompt was sent, takes a completion with </think> and no <think> as opened by the template.",
    }),
    unclosed_think: Type.Union([Type.Literal('no_answer'), Type.Literal('answer')], {
      default: 'no_answer',
      description:
        "A thought opened (by the completion or the template) and never closed: 'no_answer' — there is no answer part, accuracy 0 with reason unclosed_think (a truncated R1 rollout); 'answer' — the whole completion is the answer (non-R1 outputs).",
    }),
  },
  { additionalProperties: false, default: {} },
);
export type FormatConfig = Static<typeof FormatConfigSchema>;

export type FormatRule =
  | 'text_before_think'
  | 'missing_think_open'
  | 'missing_think_close'
  | 'repeated_think'
  | 'nested_think'
  | 'close_before_open'
  | 'empty_think'
  | 'empty_answer'
  | 'missing_answer_tags'
  | 'repeated_answer_tags'
  | 'text_outside_answer'
  | 'empty_answer_tag'
  | 'missing_newlines';

export interface FormatResult {
  score: number;
  /** the first rule that failed, or null when the format is right */
  failed: FormatRule | null;
  prompt_opens_think: boolean;
}

function count(text: string, tag: string): number {
  let n = 0;
  for (let i = text.indexOf(tag); i >= 0; i = text.indexOf(tag, i + tag.length)) n++;
  return n;
}

/** The strict check: returns the first rule broken. `text` already carries the prompt's <think> if any. */
function firstFailure(text: string, cfg: FormatConfig): FormatRule | null {
  const opens = count(text, '<think>');
  const closes = count(text, '</think>');
  if (opens === 0) return 'missing_think_open';
  if (closes === 0) return 'missing_think_close';
  const open = text.indexOf('<think>');
  const close = text.indexOf('</think>');
  if (close < open) return 'close_before_open';
  if (text.slice(0, open).trim() !== '') return 'text_before_think';
  if (opens > 1) return text.indexOf('<think>', open + 7) < close ? 'nested_think' : 'repeated_think';
  if (closes > 1) return 'repeated_think';
  const thought = text.slice(open + 7, close);
  if (thought.trim() === '') return 'empty_think';
  const rest = text.slice(close + 8);
  if (cfg.require_newlines && !(thought.startsWith('\n') && thought.endsWith('\n') && rest.startsWith('\n'))) {
    return 'missing_newlines';
  }
  if (cfg.mode === 'think') {
    // An answer may quote other tags (e.g. code that prints "<answer>"), but not think tags.
    return rest.trim() === '' ? 'empty_answer' : null;
  }
  const ao = count(rest, '<answer>');
  const ac = count(rest, '</answer>');
  if (ao === 0 || ac === 0) return 'missing_answer_tags';
  if (ao > 1 || ac > 1 || count(thought, '<answer>') + count(thought, '</answer>') > 0) return 'repeated_answer_tags';
  const a0 = rest.indexOf('<answer>');
  const a1 = rest.indexOf('</answer>');
  if (a1 < a0) return 'missing_answer_tags';
  if (rest.slice(0, a0).trim() !== '' || rest.slice(a1 + 9).trim() !== '') return 'text_outside_answer';
  const inner = rest.slice(a0 + 8, a1);
  if (inner.trim() === '') return 'empty_answer_tag';
  if (cfg.require_newlines && !(inner.startsWith('\n') && inner.endsWith('\n'))) return 'missing_newlines';
  return null;
}

/** Share of expected tags that appear exactly once (the prompt's <think> counts as present). */
function tagShare(text: string, cfg: FormatConfig): number {
  const tags = cfg.mode === 'think' ? ['<think>', '</think>'] : ['<think>', '</think>', '<answer>', '</answer>'];
  let ok = 0;
  for (const t of tags) if (count(text, t) === 1) ok++;
  return ok / tags.length;
}

export function formatReward(completion: string, opensInPrompt: boolean, cfg: FormatConfig): FormatResult {
  const text = opensInPrompt ? `<think>${completion}` : completion;
  const failed = firstFailure(text, cfg);
  const score = failed === null ? 1 : cfg.partial ? tagShare(text, cfg) : 0;
  return { score, failed, prompt_opens_think: opensInPrompt };
}

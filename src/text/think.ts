// Splitting a completion into chain of thought and answer. Shared by the format reward, the language
// reward and every verifier, so that "the answer part" means one thing everywhere.

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * True when the prompt ends with an open <think> (whitespace after it allowed), as many chat templates
 * do (DeepSeek-R1-Distill, Qwen3 thinking): the completion then starts inside the block. A <think>
 * mentioned earlier in the prompt ("wrap your reasoning in <think> tags") does not count.
 */
export function promptOpensThink(prompt: string | undefined): boolean {
  return prompt !== undefined && prompt.trimEnd().endsWith(OPEN);
}

/**
 * Whether the completion starts inside a think block the chat template opened. A sent prompt decides
 * (strict). With no prompt (veRL and TRL never send the templated one), a completion that closes a thought
 * it never opened (`…</think>answer`, R1-Distill / QwQ) is taken as opened by the template.
 */
export function templateOpensThink(prompt: string | undefined, completion: string, setting: 'auto' | boolean = 'auto'): boolean {
  if (setting !== 'auto') return setting;
  if (prompt !== undefined) return promptOpensThink(prompt);
  return completion.includes(CLOSE) && !completion.includes(OPEN);
}

/** What an unclosed thought leaves to the verifiers: nothing (R1 outputs), or the whole completion (opt-in). */
export type UnclosedThink = 'no_answer' | 'answer';

export interface ThinkSplit {
  /** the reasoning: inside the first think block; null when there is none */
  thought: string | null;
  /**
   * text after the last </think>; the whole completion when it has no think tags at all; null when a
   * thought was opened (by the completion or the template) and never closed: a truncated rollout has no answer
   */
  answer: string | null;
}

export function splitThink(completion: string, opensInPrompt: boolean, unclosed: UnclosedThink = 'no_answer'): ThinkSplit {
  const close = completion.lastIndexOf(CLOSE);
  if (close < 0) {
    // An unclosed block: all of it is reasoning when the template opened it, otherwise after the tag.
    const open = completion.indexOf(OPEN);
    const noAnswer = unclosed === 'no_answer' ? null : completion;
    if (opensInPrompt) return { thought: completion, answer: noAnswer };
    if (open >= 0) return { thought: completion.slice(open + OPEN.length), answer: noAnswer };
    return { thought: null, answer: completion };
  }
  const answer = completion.slice(close + CLOSE.length);
  if (opensInPrompt) return { thought: completion.slice(0, completion.indexOf(CLOSE)), answer };
  const open = completion.indexOf(OPEN);
  const firstClose = completion.indexOf(CLOSE);
  const thought = open >= 0 && open < firstClose ? completion.slice(open + OPEN.length, firstClose) : completion.slice(0, firstClose);
  return { thought, answer };
}

/** The think rules of a config's `format` section. */
export interface ThinkSettings {
  prompt_opens_think: 'auto' | boolean;
  unclosed_think: UnclosedThink;
}

/** A rollout's split, as scoring makes it: one rule for the pipeline, evaluation and the SFT filter. */
export function splitRollout(prompt: string | undefined, completion: string, s: ThinkSettings): ThinkSplit & { opens: boolean } {
  const opens = templateOpensThink(prompt, completion, s.prompt_opens_think);
  return { ...splitThink(completion, opens, s.unclosed_think), opens };
}

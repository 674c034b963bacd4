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

export interface ThinkSplit {
  /** the reasoning: inside the first think block; null when there is none */
  thought: string | null;
  /** text after the last </think>, or the whole completion when there is none */
  answer: string;
}

export function splitThink(completion: string, opensInPrompt: boolean): ThinkSplit {
  const close = completion.lastIndexOf(CLOSE);
  if (close < 0) {
    // An unclosed block: all of it is reasoning when the template opened it, otherwise after the tag.
    const open = completion.indexOf(OPEN);
    if (opensInPrompt) return { thought: completion, answer: completion };
    if (open >= 0) return { thought: completion.slice(open + OPEN.length), answer: completion };
    return { thought: null, answer: completion };
  }
  const answer = completion.slice(close + CLOSE.length);
  if (opensInPrompt) return { thought: completion.slice(0, completion.indexOf(CLOSE)), answer };
  const open = completion.indexOf(OPEN);
  const firstClose = completion.indexOf(CLOSE);
  const thought = open >= 0 && open < firstClose ? completion.slice(open + OPEN.length, firstClose) : completion.slice(0, firstClose);
  return { thought, answer };
}

// Program extraction: the last fenced block whose tag names the task's language, else the last fenced block.
import { RUNNERS } from './runners/index.js';
import type { Language } from './types.js';

export interface FencedBlock {
  tag: string;
  code: string;
}

/**
 * Every fenced block (``` or ~~~, three or more), in order. A block closes at a fence line indented at most 3
 * spaces (CommonMark). A block no such line closes ends at its last fence line indented further (models indent
 * the closing fence with the code: rllm's code_contests case), else runs to the end.
 */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    let indented = -1;
    for (; j < lines.length; j++) {
      const close = /^([ \t]*)(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close && close[2]![0] === fence[0] && close[2]!.length >= fence.length) {
        if (/^ {0,3}$/.test(close[1]!)) break;
        indented = j;
      }
      body.push(lines[j]!);
    }
    if (j === lines.length && indented >= 0) {
      body.length = indented - i - 1;
      j = indented;
    }
    blocks.push({ tag: open[2]!.toLowerCase().replace(/^\{?\.?/, '').replace(/\}$/, ''), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The program in an answer, or null when it has no fenced block. */
export function extractProgram(answer: string, language: Language): { code: string; tag: string } | null {
  const blocks = fencedBlocks(answer).filter((b) => b.code.trim() !== '');
  if (blocks.length === 0) return null;
  const tagged = blocks.filter((b) => RUNNERS[language].tags.includes(b.tag));
  const pick = tagged.length ? tagged[tagged.length - 1]! : blocks[blocks.length - 1]!;
  return { code: pick.code, tag: pick.tag };
}

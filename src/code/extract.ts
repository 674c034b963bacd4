// Program extraction: the last fenced block whose tag names the task's language, else the last fenced block.
import { RUNNERS } from './runners/index.js';
import type { Language } from './types.js';

export interface FencedBlock {
  tag: string;
  code: string;
}

/** Every fenced block (``` or ~~~, three or more), in order. An unclosed last fence runs to the end. */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      body.push(lines[j]!);
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

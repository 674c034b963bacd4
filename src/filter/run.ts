// `r1-reward filter`, streaming: pass 1 scores (or reads) every rollout, applies the per-rollout rules and
// spills survivors as finished SFT rows, keeping per survivor only its length and a MinHash signature;
// pass 2 picks each prompt's quota and copies the chosen rows out in input order. Prompts with nothing
// kept (the hard ones) go to their own file for the next RL round.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../core/config.js';
import type { Task } from '../contract/types.js';
import type { RewardEngine } from '../core/engine.js';
import { scoredRows } from '../core/scored-rows.js';
import { evalConfig } from '../eval/evaluate.js';
import { sourceOf, tokensOf } from '../eval/record.js';
import { isCorrect } from '../eval/report.js';
import { groupKey } from '../core/groups.js';
import { splitRollout } from '../text/think.js';
import { sftRow } from './chat.js';
import { firstFailedRule, GROUP_RULES, ROW_RULES, type DropRule } from './checks.js';
import type { FilterRules } from './rules.js';
import { selectForPrompt, type Candidate } from './select.js';
import { minhash } from './shingles.js';
import { writeText } from '../util/write.js';

export interface FilterSummary {
  rows_in: number;
  kept: number;
  dropped: Record<DropRule, number>;
  prompts: number;
  prompts_with_nothing_kept: number;
  rules: FilterRules;
}

interface PromptState {
  prompt: string | null;
  task: Task | null;
  source: string | null;
  rollouts: number;
  correct: number;
  cands: Candidate[];
}


export async function filterStream(
  engine: RewardEngine,
  config: Config,
  input: Readable,
  output: Writable,
  hard: Writable | null,
  rules: FilterRules,
): Promise<FilterSummary> {
  const cfg = evalConfig(config);
  const dropped = Object.fromEntries([...ROW_RULES, ...GROUP_RULES].map((r) => [r, 0])) as Record<DropRule, number>;
  const prompts = new Map<string, PromptState>();
  const dir = mkdtempSync(join(tmpdir(), 'r1-filter-'));
  const spillPath = join(dir, 'survivors.jsonl');
  const spill = createWriteStream(spillPath);
  let rowsIn = 0;
  let spilled = 0;
  try {
    const judged = scoredRows(engine, cfg, input, async ({ row, index }) => {
      const prompt = typeof row['prompt'] === 'string' ? row['prompt'] : undefined;
      const { thought, answer } = splitRollout(prompt, row.completion, cfg.format);
      const failed = firstFailedRule(row, thought, rules);
      const group = typeof row.details['group'] === 'string' ? row.details['group'] : groupKey(row, index);
      const survivor = failed
        ? null
        : { line: JSON.stringify(sftRow(row, thought ?? '', answer ?? '', rules)), tokens: tokensOf(row, cfg).tokens, sig: minhash(`${thought ?? ''}\n${answer ?? ''}`, rules.shingle_words) };
      const task = row['task'] as Task | undefined;
      return { row, group, failed, survivor, correct: row.rewards.accuracy !== null && isCorrect(row.rewards.accuracy), task: task ?? null, prompt: prompt ?? null };
    });
    for await (const j of judged) {
      rowsIn++;
      let p = prompts.get(j.group);
      if (!p) prompts.set(j.group, (p = { prompt: j.prompt, task: j.task, source: sourceOf(j.row), rollouts: 0, correct: 0, cands: [] }));
      p.rollouts++;
      if (j.correct) p.correct++;
      if (j.failed) dropped[j.failed]++;
      else if (j.survivor) {
        p.cands.push({ at: spilled++, tokens: j.survivor.tokens, sig: j.survivor.sig });
        await writeText(spill, j.survivor.line + '\n');
      }
    }
    spill.end();
    await once(spill, 'close');

    const keep = new Uint8Array(spilled);
    let nothing = 0;
    for (const [group, p] of prompts) {
      const s = selectForPrompt(p.cands, rules);
      dropped.near_duplicate += s.near_duplicate;
      dropped.per_prompt_cap += s.per_prompt_cap;
      for (const at of s.kept) keep[at] = 1;
      if (s.kept.length === 0) {
        nothing++;
        if (hard) await writeText(hard, JSON.stringify({ group, prompt: p.prompt, task: p.task, source: p.source, rollouts: p.rollouts, correct: p.correct }) + '\n');
      }
      p.cands = [];
    }
    let at = 0;
    let kept = 0;
    for await (const line of createInterface({ input: createReadStream(spillPath), crlfDelay: Infinity })) {
      if (keep[at++]) {
        kept++;
        await writeText(output, line + '\n');
      }
    }
    return { rows_in: rowsIn, kept, dropped, prompts: prompts.size, prompts_with_nothing_kept: nothing, rules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatFilterSummary(s: FilterSummary): string {
  const drops = Object.entries(s.dropped)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r}=${n}`)
    .join(' ');
  return [
    `rows in         ${s.rows_in}`,
    `kept            ${s.kept}`,
    `dropped         ${s.rows_in - s.kept}${drops ? ` (${drops})` : ''}`,
    `prompts         ${s.prompts} (${s.prompts_with_nothing_kept} with nothing kept)`,
  ].join('\n');
}

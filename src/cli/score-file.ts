// `r1-reward score`: streams a JSONL file of any size. Pass 1 scores rollouts in order with bounded
// concurrency and spills them to a temp file, keeping only (reward, group) per row; pass 2 computes
// advantages over the whole file and writes the rows out. Memory stays flat in the file's length.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { computeAdvantagesIndexed } from '../advantages/compute.js';
import { Column } from '../util/column.js';
import type { Config } from '../contract/config.js';
import type { BatchStats, GroupStats, ScoredRollout } from '../contract/types.js';
import type { RewardEngine } from '../engine.js';
import { requestContext, scoreWithAbort } from '../pipeline/batch.js';
import { groupKey } from '../pipeline/groups.js';
import { failed } from '../pipeline/score-rollout.js';
import { StatsAccumulator } from '../pipeline/summary.js';

export interface ScoreFileResult {
  stats: BatchStats;
  groups: GroupStats[];
}

export interface ScoreFileOptions {
  onProgress?: (done: number) => void;
  /** the deadline of a file run is per rollout batch window, not for the whole file */
  signal?: AbortSignal;
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

/** Scores `input` line by line into `output`. Blank lines are skipped; malformed lines become error rows. */
export async function scoreStream(
  engine: RewardEngine,
  config: Config,
  input: Readable,
  output: Writable,
  opts: ScoreFileOptions = {},
): Promise<ScoreFileResult> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'r1-reward-'));
  const spillPath = join(dir, 'scored.jsonl');
  const spill = createWriteStream(spillPath);
  // Per row only a reward (NaN = unscored) and a group number are kept: memory stays flat in the file's
  // length, apart from one entry per distinct group.
  const rewards = new Column((n) => new Float64Array(n));
  const groupOf = new Column((n) => new Int32Array(n));
  // completion lengths (NaN when absent): reinforce_baseline whitens over tokens when every row has one
  const tokens = new Column((n) => new Float64Array(n));
  const groupIds = new Map<string, number>();
  const groupNames: string[] = [];
  const acc = new StatsAccumulator();
  // A file has no single deadline: each rollout gets limits.deadline_ms of its own. The prompt language
  // cache is shared by the whole file.
  const promptLanguages = new Map<string, string | null>();
  const scoreOne = async (raw: unknown, index: number): Promise<ScoredRollout> => {
    const ctx = requestContext(config, engine.registry, opts.signal, promptLanguages);
    try {
      return await scoreWithAbort(raw, index, ctx);
    } finally {
      ctx.dispose();
    }
  };
  const window: Promise<ScoredRollout>[] = [];
  const limit = config.limits.concurrency;
  let index = 0;

  const drainOne = async (): Promise<void> => {
    const r = await window.shift()!;
    const key = groupKey(r, rewards.length);
    let id = groupIds.get(key);
    if (id === undefined) {
      id = groupNames.push(key) - 1;
      groupIds.set(key, id);
    }
    rewards.push(r.reward ?? Number.NaN);
    groupOf.push(id);
    tokens.push(typeof r.completion_tokens === 'number' ? r.completion_tokens : Number.NaN);
    acc.add(r);
    await write(spill, JSON.stringify(r) + '\n');
    opts.onProgress?.(rewards.length);
  };

  try {
    const lines = createInterface({ input, crlfDelay: Infinity });
    let lineNo = 0;
    for await (const line of lines) {
      const ln = ++lineNo;
      if (line.trim() === '') continue;
      let raw: unknown;
      let row: Promise<ScoredRollout>;
      try {
        raw = JSON.parse(line);
        row = scoreOne(raw, index).then((r) => ({ ...r, details: { ...r.details, line: ln } }));
      } catch (e) {
        row = Promise.resolve(
          failed({ line: ln }, 'invalid_rollout', `line ${ln}: malformed JSON (${(e as Error).message})`, { line: ln }),
        );
      }
      index++;
      window.push(row);
      if (window.length >= limit) await drainOne();
    }
    while (window.length) await drainOne();
    spill.end();
    await once(spill, 'close');

    const { advantages, groups } = computeAdvantagesIndexed(rewards.view(), groupOf.view(), groupNames, config.advantage, tokens.view());
    const rows = createInterface({ input: createReadStream(spillPath), crlfDelay: Infinity });
    let i = 0;
    for await (const line of rows) {
      const r = JSON.parse(line) as ScoredRollout;
      r.advantage = advantages[i++]!;
      await write(output, JSON.stringify(r) + '\n');
    }
    return { stats: acc.finish(groups, performance.now() - t0), groups };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

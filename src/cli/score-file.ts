// `r1-reward score`: streams a JSONL file of any size. Pass 1 scores rollouts in order with bounded
// concurrency and spills them to a temp file, keeping only (reward, group) per row; pass 2 computes
// advantages over the whole file and writes the rows out. Memory stays flat in the file's length.
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Config } from '../core/config.js';
import type { BatchStats, FieldError, GroupStats, ScoredRollout } from '../contract/types.js';
import type { RewardEngine } from '../core/engine.js';
import { writeText } from '../util/write.js';

export interface ScoreFileResult {
  stats: BatchStats;
  groups: GroupStats[];
}

export interface ScoreFileOptions {
  onProgress?: (done: number) => void;
  /** the deadline of a file run is per rollout batch window, not for the whole file */
  signal?: AbortSignal;
}


/** Scores `input` line by line into `output`. Blank lines are skipped; malformed lines become error rows. */
export async function scoreStream(
  engine: RewardEngine,
  config: Config,
  input: Readable,
  output: Writable,
  opts: ScoreFileOptions = {},
): Promise<ScoreFileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'r1-reward-'));
  const spillPath = join(dir, 'scored.jsonl');
  const spill = createWriteStream(spillPath);
  // A file has no single deadline: each rollout gets limits.deadline_ms of its own (the session's rule).
  // The session keeps a reward and a group number per row: memory stays flat in the file's length.
  const session = engine.session(config, { mode: 'batch', ...(opts.signal && { signal: opts.signal }) });
  // Rows are spilled in input order: a window of at most limits.concurrency rows in flight.
  const window: Promise<ScoredRollout>[] = [];
  const limit = config.limits.concurrency;
  let rows = 0;
  const drainOne = async (): Promise<void> => {
    const r = await window.shift()!;
    await writeText(spill, JSON.stringify(r) + '\n');
    opts.onProgress?.(++rows);
  };

  try {
    const lines = createInterface({ input, crlfDelay: Infinity });
    let lineNo = 0;
    for await (const line of lines) {
      const ln = ++lineNo;
      if (line.trim() === '') continue;
      let raw: unknown;
      let bad: FieldError | undefined;
      try {
        raw = JSON.parse(line);
      } catch (e) {
        raw = { line: ln };
        bad = { path: `line ${ln}`, message: `malformed JSON (${(e as Error).message})` };
      }
      const { result } = session.push(raw, bad ? { invalid: [bad] } : {});
      window.push(result.then((r) => ({ ...r, details: { ...r.details, line: ln } })));
      if (window.length >= limit) await drainOne();
    }
    while (window.length) await drainOne();
    spill.end();
    await once(spill, 'close');

    const { advantages, groups, stats } = await session.end();
    const scored = createInterface({ input: createReadStream(spillPath), crlfDelay: Infinity });
    let i = 0;
    for await (const line of scored) {
      const r = JSON.parse(line) as ScoredRollout;
      r.advantage = advantages[i++]!;
      await writeText(output, JSON.stringify(r) + '\n');
    }
    return { stats, groups };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Streams a JSONL file as scored rows, in order, with bounded concurrency: rows that are already scored
// (they carry `reward`, `rewards`, `status` and `details`) pass through; raw rollouts are scored with the
// config, as `score` would. `eval` and `filter` read their input through this, so both stream any size.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Config } from './config.js';
import type { ScoredRollout } from '../contract/types.js';
import type { RewardEngine } from './engine.js';
import { failed } from './score-rollout.js';

export function isScored(raw: unknown): raw is ScoredRollout {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const r = raw as Record<string, unknown>;
  return 'reward' in r && typeof r['rewards'] === 'object' && r['rewards'] !== null && typeof r['status'] === 'string' && typeof r['details'] === 'object' && r['details'] !== null && typeof r['completion'] === 'string';
}

export interface RowContext {
  row: ScoredRollout;
  /** 0-based index among non-blank lines (the index `score` uses for default groups) */
  index: number;
  line: number;
}

/**
 * Yields `map` of every scored row in input order; `map` runs concurrently (at most limits.concurrency rows
 * in flight), so slow per-row work (scoring, answer keys) overlaps while memory stays bounded.
 */
export async function* scoredRows<T>(
  engine: RewardEngine,
  config: Config,
  input: Readable,
  map: (r: RowContext) => Promise<T>,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  // raw rollouts are scored by a session (each with limits.deadline_ms of its own, prompt languages shared);
  // its advantages are never asked for
  const session = engine.session(config, { mode: 'score', ...(signal && { signal }) });
  const scoreOne = async (raw: unknown): Promise<ScoredRollout> => (isScored(raw) ? raw : session.push(raw).result);
  const window: Promise<T>[] = [];
  let index = 0;
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const ln = ++lineNo;
    if (line.trim() === '') continue;
    const i = index++;
    let row: Promise<ScoredRollout>;
    try {
      const raw: unknown = JSON.parse(line);
      row = scoreOne(raw).then((r) => ({ ...r, details: { ...r.details, line: ln } }));
    } catch (e) {
      row = Promise.resolve(failed({ line: ln }, 'invalid_rollout', `line ${ln}: malformed JSON (${(e as Error).message})`, { line: ln }));
    }
    window.push(row.then((r) => map({ row: r, index: i, line: ln })));
    if (window.length >= config.limits.concurrency) yield await window.shift()!;
  }
  while (window.length) yield await window.shift()!;
}

// The evaluation core shared by `r1-reward eval` and POST /v1/eval: collect records of scored rollouts in
// order, then cluster each group's answers and compute the report.
import type { Config } from '../core/config.js';
import type { ScoredRollout } from '../contract/types.js';
import { forEachBounded } from '../core/batch.js';
import { clusterAnswers, type Clustering } from './cluster.js';
import { toRecord, type EvalRecord, type KeyContext } from './record.js';
import { aggregate, groupReport, type EvalReport, type GroupReport, type ReportOptions } from './report.js';

export const DEFAULT_KS: readonly number[] = [1, 4, 16, 64];
/** distinct canonical answers per group compared pairwise (the most-voted first) */
export const DEFAULT_MAX_DISTINCT = 32;

export interface EvalOptions extends Partial<ReportOptions> {
  maxDistinct?: number;
}

/** Evaluation wants every rate: the language reward is computed even where it is not weighted. */
export function evalConfig(config: Config): Config {
  return config.compute.includes('language') ? config : { ...config, compute: [...config.compute, 'language'] };
}

export class EvalCollector {
  private readonly byGroup = new Map<string, EvalRecord[]>();
  private readonly all: EvalRecord[] = [];

  constructor(private readonly ctx: KeyContext) {}

  /** The record of a scored rollout (its answer key read by its verifier); safe to run concurrently. */
  record(row: ScoredRollout, index: number): Promise<EvalRecord> {
    return toRecord(row, index, this.ctx);
  }

  /** Records must be pushed in input order: a group's first-appearing answer wins ties. */
  push(rec: EvalRecord): void {
    let g = this.byGroup.get(rec.group);
    if (!g) this.byGroup.set(rec.group, (g = []));
    g.push(rec);
    this.all.push(rec);
  }

  async finish(opts: EvalOptions = {}): Promise<EvalReport> {
    const ks = [...new Set(opts.ks ?? DEFAULT_KS)].sort((a, b) => a - b);
    const names = [...this.byGroup.keys()];
    const groups = new Array<GroupReport>(names.length);
    await forEachBounded(names.length, this.ctx.config.limits.concurrency, async (i) => {
      const recs = this.byGroup.get(names[i]!)!;
      const keys = recs.map((r) => (r.accuracy !== null ? (r.key ?? null) : null));
      const task = recs.find((r) => r.task)?.task;
      const verifier = task ? this.ctx.verifier(task) : undefined;
      let clustering: Clustering;
      try {
        clustering = await clusterAnswers(keys, verifier, { config: this.ctx.config, signal: this.ctx.signal }, opts.maxDistinct ?? DEFAULT_MAX_DISTINCT);
      } catch {
        // cancelled mid-way: canonical clusters only
        clustering = await clusterAnswers(keys, undefined, { config: this.ctx.config, signal: this.ctx.signal }, 0);
      }
      groups[i] = groupReport(names[i]!, recs, clustering, { ...opts, ks });
    });
    const sources: EvalReport['sources'] = {};
    const names2 = [...new Set(groups.map((g) => g.source).filter((s): s is string => s !== null))].sort();
    for (const s of names2) {
      sources[s] = aggregate(
        groups.filter((g) => g.source === s),
        this.all.filter((r) => r.source === s),
        ks,
      );
    }
    return { ks, overall: aggregate(groups, this.all, ks), sources, groups };
  }
}

/** Evaluates rollouts already scored in memory (the HTTP route). */
export async function evaluateScored(rows: readonly ScoredRollout[], ctx: KeyContext, opts: EvalOptions = {}): Promise<EvalReport> {
  const c = new EvalCollector(ctx);
  const recs = new Array<EvalRecord>(rows.length);
  await forEachBounded(rows.length, ctx.config.limits.concurrency, async (i) => {
    recs[i] = await c.record(rows[i]!, i);
  });
  for (const r of recs) c.push(r);
  return c.finish(opts);
}

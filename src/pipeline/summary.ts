import { mean as meanOf, std } from '../advantages/stats.js';
import { COMPONENTS, type BatchStats, type Component, type GroupStats, type ScoredRollout, type Status } from '../contract/types.js';

/** Batch statistics, accumulated one rollout at a time so that the CLI can stream files of any size. */
export class StatsAccumulator {
  private n = 0;
  private readonly rewards: number[] = [];
  private readonly sums: Record<Component, { s: number; n: number }> = Object.fromEntries(
    COMPONENTS.map((c) => [c, { s: 0, n: 0 }]),
  ) as Record<Component, { s: number; n: number }>;
  private readonly statuses: Partial<Record<Status, number>> = {};

  add(r: ScoredRollout): void {
    this.n++;
    if (r.reward !== null) this.rewards.push(r.reward);
    for (const c of COMPONENTS) {
      const v = r.rewards[c];
      if (v !== null) {
        this.sums[c].s += v;
        this.sums[c].n++;
      }
    }
    this.statuses[r.status] = (this.statuses[r.status] ?? 0) + 1;
  }

  finish(groups: readonly GroupStats[], durationMs?: number): BatchStats {
    const zv = groups.filter((g) => g.zero_variance).length;
    const sd = std(this.rewards, 'population');
    return {
      rollouts: this.n,
      scored: this.rewards.length,
      groups: groups.length,
      mean_reward: this.rewards.length ? meanOf(this.rewards) : null,
      std_reward: Number.isNaN(sd) ? null : sd,
      component_means: Object.fromEntries(
        COMPONENTS.map((c) => [c, this.sums[c].n ? this.sums[c].s / this.sums[c].n : null]),
      ) as Record<Component, number | null>,
      zero_variance_groups: zv,
      frac_zero_variance_groups: groups.length ? zv / groups.length : 0,
      errors: this.n - (this.statuses.ok ?? 0),
      status_counts: { ...this.statuses },
      ...(durationMs !== undefined ? { duration_ms: Math.round(durationMs * 1000) / 1000 } : {}),
    };
  }
}

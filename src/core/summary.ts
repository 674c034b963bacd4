import { COMPONENTS, STATUSES, type BatchStats, type Component, type GroupStats, type ScoredRollout, type Status } from '../contract/types.js';

/** Batch statistics, accumulated one rollout at a time so that the CLI can stream files of any size. */
export class StatsAccumulator {
  private n = 0;
  // Welford's running mean and variance of the non-null rewards: constant memory for any file length.
  private scored = 0;
  private mean = 0;
  private m2 = 0;
  private readonly sums: Record<Component, { s: number; n: number }> = Object.fromEntries(
    COMPONENTS.map((c) => [c, { s: 0, n: 0 }]),
  ) as Record<Component, { s: number; n: number }>;
  private readonly statuses: Partial<Record<Status, number>> = {};

  add(r: ScoredRollout): void {
    this.n++;
    if (r.reward !== null) {
      this.scored++;
      const d = r.reward - this.mean;
      this.mean += d / this.scored;
      this.m2 += d * (r.reward - this.mean);
    }
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
    return {
      rollouts: this.n,
      scored: this.scored,
      groups: groups.length,
      mean_reward: this.scored ? this.mean : null,
      std_reward: this.scored ? Math.sqrt(this.m2 / this.scored) : null,
      component_means: Object.fromEntries(
        COMPONENTS.map((c) => [c, this.sums[c].n ? this.sums[c].s / this.sums[c].n : null]),
      ) as Record<Component, number | null>,
      zero_variance_groups: zv,
      frac_zero_variance_groups: groups.length ? zv / groups.length : 0,
      errors: this.n - (this.statuses.ok ?? 0),
      // in the contract's order, whatever order rollouts finished in
      status_counts: Object.fromEntries(STATUSES.filter((k) => this.statuses[k] !== undefined).map((k) => [k, this.statuses[k]])),
      ...(durationMs !== undefined ? { duration_ms: Math.round(durationMs * 1000) / 1000 } : {}),
    };
  }
}

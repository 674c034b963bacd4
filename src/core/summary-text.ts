import type { BatchStats } from '../contract/types.js';

const f = (v: number | null, d = 4): string => (v === null ? '—' : v.toFixed(d));

/** The human summary printed at the end of `r1-reward score`. */
export function formatSummary(s: BatchStats): string {
  const lines = [
    `rollouts        ${s.rollouts} (${s.scored} scored, ${s.errors} not ok)`,
    `groups          ${s.groups} (${s.zero_variance_groups} zero-variance, ${(100 * s.frac_zero_variance_groups).toFixed(1)}%)`,
    `mean reward     ${f(s.mean_reward)}   std ${f(s.std_reward)}`,
    ...Object.entries(s.component_means).map(([k, v]) => `  ${k.padEnd(13)} ${f(v)}`),
    `status          ${Object.entries(s.status_counts).map(([k, v]) => `${k}=${v}`).join(' ')}`,
  ];
  if (s.duration_ms !== undefined) {
    const rate = s.rollouts / (s.duration_ms / 1000);
    lines.push(`time            ${(s.duration_ms / 1000).toFixed(2)} s (${Math.round(rate)} rollouts/s)`);
  }
  return lines.join('\n');
}

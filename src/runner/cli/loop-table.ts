// The per-group table `r1-reward loop` prints: one block per group, one line per rollout.
import type { GroupStats, ScoredRollout } from '../../contract/types.js';

const f = (v: number | null | undefined, d = 3): string => (v === null || v === undefined ? '—' : v.toFixed(d));

function preview(s: string, n = 40): string {
  const one = JSON.stringify(s).slice(1, -1);
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

export function formatGroupTables(results: ScoredRollout[], groups: GroupStats[]): string {
  const out: string[] = [];
  for (const g of groups) {
    out.push(`group ${g.group}: ${g.size} rollouts, mean ${f(g.mean)}, std ${f(g.std)}${g.zero_variance ? ' (zero variance)' : ''}`);
    out.push(`  ${'id'.padEnd(14)} ${'reward'.padStart(7)} ${'adv'.padStart(7)} ${'acc'.padStart(5)} ${'fmt'.padStart(5)} ${'tok'.padStart(4)} ${'status'.padEnd(12)} completion`);
    for (const r of results.filter((x) => x.group === g.group)) {
      out.push(
        `  ${String(r.id ?? '').padEnd(14)} ${f(r.reward).padStart(7)} ${f(r.advantage).padStart(7)} ${f(r.rewards.accuracy, 2).padStart(5)} ${f(r.rewards.format, 2).padStart(5)} ${String(r.completion_tokens ?? '').padStart(4)} ${r.status.padEnd(12)} ${preview(r.completion)}`,
      );
    }
  }
  return out.join('\n');
}

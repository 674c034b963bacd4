// The terminal table of `r1-reward eval`: one row for all rollouts, one per source.
import type { EvalReport, Metrics } from './report.js';

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : (100 * v).toFixed(1));

function row(name: string, m: Metrics, ks: readonly number[]): string[] {
  const p1 = m.pass1 ? `${pct(m.pass1.value)} [${pct(m.pass1.lo)}, ${pct(m.pass1.hi)}]` : '—';
  return [
    name,
    String(m.groups),
    String(m.rollouts),
    p1,
    ...ks.map((k) => pct(m.pass_at[k]?.value)),
    ...ks.map((k) => pct(m.maj_at[k]?.value)),
    pct(m.no_answer_rate),
    m.mean_tokens === null ? '—' : `${m.mean_tokens.toFixed(0)}${m.tokens_estimated ? '~' : ''}`,
    pct(m.truncated_rate),
    pct(m.format_rate),
    pct(m.language_rate),
  ];
}

/** Percentages; `~` marks token counts estimated from characters. */
export function formatTable(r: EvalReport): string {
  const head = ['scope', 'groups', 'rollouts', 'pass@1 % [95% CI]', ...r.ks.map((k) => `pass@${k}`), ...r.ks.map((k) => `maj@${k}`), 'no answer', 'tokens', 'truncated', 'format', 'language'];
  const rows = [head, row('overall', r.overall, r.ks), ...Object.entries(r.sources).map(([s, m]) => row(s, m, r.ks))];
  const widths = head.map((_, j) => Math.max(...rows.map((x) => x[j]!.length)));
  return rows.map((x) => x.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ')).join('\n');
}

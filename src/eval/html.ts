// The self-contained HTML report of `r1-reward eval --html`: a pass@k / maj@k chart per source (inline SVG,
// no script, no network) above the numbers. Meant to be looked at, so the curves come first.
import type { EvalReport, Metrics } from './report.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);

export const PASS_COLOUR = '#1d4ed8';
export const MAJ_COLOUR = '#ea580c';

const W = 560;
const H = 300;
const M = { l: 52, r: 48, t: 12, b: 52 };

/** One chart: x = k on a log2 axis, y = 0–100 %; a line per metric, points labelled. */
export function chart(title: string, m: Metrics, ks: readonly number[]): string {
  const shown = ks.filter((k) => m.pass_at[k] !== undefined);
  const lk = shown.map((k) => Math.log2(k));
  const lo = Math.min(...lk, 0);
  const hi = Math.max(...lk, lo + 1);
  const x = (k: number): number => M.l + ((Math.log2(k) - lo) / (hi - lo)) * (W - M.l - M.r);
  const y = (v: number): number => M.t + (1 - v) * (H - M.t - M.b);
  const parts: string[] = [];
  for (let g = 0; g <= 4; g++) {
    const v = g / 4;
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${M.l - 8}" y="${y(v) + 4}" text-anchor="end" class="tick">${v * 100}%</text>`);
  }
  for (const k of shown) {
    parts.push(`<text x="${x(k)}" y="${H - M.b + 16}" text-anchor="middle" class="tick">${k}</text>`);
    // a point averaged over fewer prompts than the rest (only those with n ≥ k) says over how many
    const g = m.pass_at[k]!.groups;
    if (g !== m.groups) parts.push(`<text x="${x(k)}" y="${H - M.b + 28}" text-anchor="middle" class="tick">${g} prompts</text>`);
  }
  parts.push(`<text x="${(W + M.l) / 2}" y="${H - 4}" text-anchor="middle" class="axis">k (samples per prompt)</text>`);
  // maj@k is dashed with hollow markers, drawn over pass@k: where the two coincide both stay visible
  const series = (name: string, colour: string, get: (k: number) => number | undefined, cls: string, dashed: boolean): void => {
    const pts = shown.filter((k) => get(k) !== undefined).map((k) => [x(k), y(get(k)!), get(k)!] as const);
    if (!pts.length) return;
    const dash = dashed ? ' stroke-dasharray="9 6"' : '';
    parts.push(`<polyline class="${cls}" fill="none" stroke="${colour}" stroke-width="3"${dash} points="${pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) {
      const mark = dashed ? `r="4" fill="#fff" stroke="${colour}" stroke-width="2.5"` : `r="6" fill="${colour}"`;
      parts.push(`<circle cx="${p[0].toFixed(1)}" cy="${p[1].toFixed(1)}" ${mark}><title>${name}: ${pct(p[2])}</title></circle>`);
    }
  };
  series('pass@k', PASS_COLOUR, (k) => m.pass_at[k]?.value, 'pass', false);
  series('maj@k', MAJ_COLOUR, (k) => m.maj_at[k]?.value, 'maj', true);
  const key = (c: string, t: string): string => `<span class="key"><i style="background:${c}"></i>${t}</span>`;
  return `<figure><figcaption>${esc(title)} ${key(PASS_COLOUR, 'pass@k')} ${key(MAJ_COLOUR, 'maj@k')}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}: pass@k and maj@k" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg></figure>`;
}

function table(r: EvalReport): string {
  const scopes: [string, Metrics][] = [['overall', r.overall], ...Object.entries(r.sources)];
  const head = ['scope', 'groups', 'rollouts', 'pass@1 [95% CI]', ...r.ks.map((k) => `pass@${k}`), ...r.ks.map((k) => `maj@${k}`), 'no answer', 'mean tokens', 'truncated', 'format', 'language'];
  const rows = scopes.map(([s, m]) => [
    s,
    String(m.groups),
    String(m.rollouts),
    m.pass1 ? `${pct(m.pass1.value)} [${pct(m.pass1.lo)}, ${pct(m.pass1.hi)}]` : '—',
    ...r.ks.map((k) => pct(m.pass_at[k]?.value)),
    ...r.ks.map((k) => pct(m.maj_at[k]?.value)),
    pct(m.no_answer_rate),
    m.mean_tokens === null ? '—' : m.mean_tokens.toFixed(0),
    pct(m.truncated_rate),
    pct(m.format_rate),
    pct(m.language_rate),
  ]);
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((x) => `<tr>${x.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderHtml(r: EvalReport, title = 'r1-reward evaluation'): string {
  const charts = [chart('all rollouts', r.overall, r.ks), ...Object.entries(r.sources).map(([s, m]) => chart(s, m, r.ks))];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111827;background:#fff}
h1{font-size:20px;margin:0 0 12px}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
.key{font-weight:400;margin-left:12px}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.tick{font-size:11px;fill:#6b7280}.axis{font-size:12px;fill:#374151}
table{border-collapse:collapse;margin-top:16px}th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
p.note{color:#4b5563;max-width:900px}
</style></head><body>
<h1>${esc(title)}</h1>
<div class="charts">${charts.join('\n')}</div>
${table(r)}
<p class="note">pass@k: unbiased estimator 1 − C(n−c, k)/C(n, k) per prompt, averaged over prompts with n ≥ k. maj@k: correctness of the most-voted answer cluster (answers equal under the verifier's equivalence), ties to the answer that appears first, averaged over k-subsets. pass@1 is the mean accuracy with a 95% interval over prompts. ${r.overall.groups} prompts, ${r.overall.rollouts} rollouts.</p>
</body></html>
`;
}

// npm run conformance:code-peers — the code verdicts other projects' own test suites assert, run through
// r1-reward's real code verifier (RewardEngine, task type `code`, the real sandbox). The cases are facts taken
// from those suites (tests/fixtures/peers/code-verl.json, code-rllm.json, each naming its source test): a program, its tests and the
// verdict the peer asserts, never their code. Prints agreement per source and every disagreement with its reason
// (tests/fixtures/peers/code-disagreements.json, also summarised in docs/code.md "Peer conformance").
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RewardEngine } from '../src/core/engine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.resolve(here, '../tests/fixtures/peers');

export interface CodePeerCase {
  id: string;
  source: string;
  language: 'python' | 'cpp' | 'javascript' | 'typescript';
  /** the program as the peer runs it; it is sent in a fenced block (r1-reward takes the program from a fence) */
  program?: string;
  /** or the whole model response the peer scores, sent as the completion unchanged */
  completion?: string;
  tests?: Record<string, unknown>[];
  test_code?: string;
  time_limit_ms?: number;
  memory_limit_mb?: number;
  /** the peer's own time limit, when ours differs (kept short so the run stays fast; the verdict is the same) */
  peer_timeout_s?: number;
  note?: string;
  /** what the peer asserts: the score, the per-test verdicts (its True/False/-2/-3/-4 in our names), or a status */
  expected: { score?: number; verdicts?: string[]; status?: string };
}

export interface CodeVerdict {
  score: number | null;
  verdicts: string[];
  status: string;
}

export function codePeerFiles(): string[] {
  return readdirSync(DIR).filter((f) => /^code-.*\.json$/.test(f) && f !== 'code-disagreements.json').sort();
}

export function loadCodePeerCases(file: string): CodePeerCase[] {
  return JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as CodePeerCase[];
}

export function loadCodeDisagreements(): Record<string, string> {
  return JSON.parse(readFileSync(path.join(DIR, 'code-disagreements.json'), 'utf8')) as Record<string, string>;
}

/** What r1-reward gives the case: the accuracy (fraction of tests passed), the per-test verdicts, the status. */
export async function codeVerdict(engine: RewardEngine, c: CodePeerCase): Promise<CodeVerdict> {
  const task: Record<string, unknown> = { type: 'code', language: c.language };
  if (c.tests !== undefined) task['tests'] = c.tests;
  if (c.test_code !== undefined) task['test_code'] = c.test_code;
  if (c.time_limit_ms !== undefined) task['time_limit_ms'] = c.time_limit_ms;
  if (c.memory_limit_mb !== undefined) task['memory_limit_mb'] = c.memory_limit_mb;
  const completion = c.completion ?? `<think>peer case</think>\n\`\`\`${c.language}\n${c.program ?? ''}\n\`\`\`\n`;
  const r = (await engine.score([{ completion, task }], engine.config({}))).results[0]!;
  const acc = (r.details['accuracy'] ?? {}) as Record<string, unknown>;
  const tests = (acc['tests'] as { verdict: string }[] | undefined) ?? [];
  return { score: r.rewards['accuracy'] ?? null, verdicts: tests.map((t) => t.verdict), status: String(r.status) };
}

export function codeAgrees(c: CodePeerCase, got: CodeVerdict): boolean {
  const e = c.expected;
  if (e.status !== undefined && got.status !== e.status) return false;
  if (e.score !== undefined && (got.score === null || Math.abs(got.score - e.score) > 1e-9)) return false;
  if (e.verdicts !== undefined && JSON.stringify(got.verdicts) !== JSON.stringify(e.verdicts)) return false;
  return true;
}

function summary(v: CodeVerdict): string {
  const counts = new Map<string, number>();
  for (const x of v.verdicts) counts.set(x, (counts.get(x) ?? 0) + 1);
  return `status=${v.status} score=${v.score} verdicts={${[...counts].map(([k, n]) => `${k}:${n}`).join(', ')}}`;
}

async function main(): Promise<void> {
  const engine = new RewardEngine();
  const known = loadCodeDisagreements();
  let total = 0;
  let agreed = 0;
  try {
    for (const file of codePeerFiles()) {
      const cases = loadCodePeerCases(file);
      const got = await Promise.all(cases.map((c) => codeVerdict(engine, c)));
      const bySource = new Map<string, { n: number; ok: number; off: string[] }>();
      cases.forEach((c, k) => {
        const repo = c.source.split('@')[0]!;
        const s = bySource.get(repo) ?? { n: 0, ok: 0, off: [] };
        s.n++;
        if (codeAgrees(c, got[k]!)) s.ok++;
        else {
          const why = known[c.id] ?? 'UNEXPLAINED (add it to code-disagreements.json with its reason, or fix it)';
          s.off.push(`${c.id}: expected ${JSON.stringify(c.expected).slice(0, 120)} got ${summary(got[k]!)}\n      why: ${why}`);
        }
        bySource.set(repo, s);
      });
      console.log(`\n${file}`);
      for (const [repo, s] of bySource) {
        total += s.n;
        agreed += s.ok;
        console.log(`  ${repo}: ${s.ok}/${s.n} agree${s.off.length ? `, ${s.off.length} disagree:` : ''}`);
        for (const o of s.off) console.log(`    ${o}`);
      }
    }
    console.log(`\nall peers: ${agreed}/${total} agree`);
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();

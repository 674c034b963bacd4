// npm run conformance:code [-- --limit N --only humaneval,mbpp,gcj --no-mutants --json out.json]
// Runs the code verifier over ../shared/datasets: HumanEval canonical solutions and MBPP reference code
// must pass their own tests; mutated solutions (an operator flipped, an off-by-one) must fail; a few Code
// Jam problems run against their official test files with this project's own solutions (and broken
// variants of them). Says so plainly when the datasets folder is absent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RewardEngine } from '../src/core/engine.js';
import type { ScoredRollout } from '../src/contract/types.js';
import { GCJ_SOLUTIONS } from './conformance-gcj-solutions.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(process.env['R1_DATASETS'] ?? path.join(ROOT, '..', 'shared', 'datasets'));
const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const limit = Number(opt('limit') ?? Infinity);
const only = new Set((opt('only') ?? 'humaneval,mbpp,gcj').split(','));
const withMutants = !args.includes('--no-mutants');

if (!existsSync(DATA)) {
  console.log(`conformance:code: datasets folder ${DATA} is ABSENT — nothing was checked.`);
  process.exit(2);
}

interface Case {
  id: string;
  kind: 'reference' | 'mutant' | 'own' | 'own_broken';
  mutation?: string;
  language: string;
  program: string;
  task: Record<string, unknown>;
}

const readJsonl = (f: string): Record<string, unknown>[] =>
  readFileSync(path.join(DATA, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Mutants of a solution: the first flippable operator, and the first integer literal plus one (outside strings). */
export function mutants(code: string): { name: string; code: string }[] {
  const out: { name: string; code: string }[] = [];
  const flips: [RegExp, string][] = [
    [/ < /, ' <= '], [/ > /, ' >= '], [/ <= /, ' < '], [/ >= /, ' > '], [/ == /, ' != '], [/ != /, ' == '],
    [/ \+ /, ' - '], [/ - /, ' + '], [/ \* /, ' + '], [/ and /, ' or '], [/ or /, ' and '], [/\bTrue\b/, 'False'], [/\bFalse\b/, 'True'],
  ];
  const codeOnly = (s: string) => s.replace(/("""[\s\S]*?"""|'''[\s\S]*?'''|"[^"\n]*"|'[^'\n]*'|#.*)/g, (m) => ' '.repeat(m.length));
  const masked = codeOnly(code);
  let best: { at: number; len: number; to: string } | null = null;
  for (const [re, to] of flips) {
    const m = re.exec(masked);
    if (m && (!best || m.index < best.at)) best = { at: m.index, len: m[0].length, to };
  }
  if (best) out.push({ name: `operator '${code.slice(best.at, best.at + best.len).trim()}'→'${best.to.trim()}'`, code: code.slice(0, best.at) + best.to + code.slice(best.at + best.len) });
  const num = /(?<![\w.])(\d+)(?![\w.])/.exec(masked);
  if (num) out.push({ name: `off-by-one ${num[1]}→${Number(num[1]) + 1}`, code: code.slice(0, num.index) + String(Number(num[1]) + 1) + code.slice(num.index + num[1]!.length) });
  return out;
}

function humanEval(): Case[] {
  const rows = readJsonl('code_humaneval.jsonl').slice(0, limit);
  const cases: Case[] = [];
  for (const r of rows) {
    const task = { type: 'code', language: 'python', test_code: r['test'], entry_point: r['entry_point'], time_limit_ms: 6000 };
    const prompt = String(r['prompt']);
    const sol = String(r['canonical_solution']);
    cases.push({ id: String(r['task_id']), kind: 'reference', language: 'python', program: prompt + sol, task });
    if (withMutants) for (const m of mutants(sol)) cases.push({ id: String(r['task_id']), kind: 'mutant', mutation: m.name, language: 'python', program: prompt + m.code, task });
  }
  return cases;
}

function mbpp(): Case[] {
  const rows = readJsonl('code_mbpp.jsonl').slice(0, limit);
  const cases: Case[] = [];
  for (const r of rows) {
    const tests = (r['test_list'] as string[]).join('\n');
    const setup = String(r['test_setup_code'] ?? '').replace(/\r\n/g, '\n');
    const task = { type: 'code', language: 'python', test_code: tests, ...(setup.trim() ? { setup_code: setup } : {}), time_limit_ms: 6000 };
    const code = String(r['code']).replace(/\r\n/g, '\n');
    const id = `mbpp/${String(r['task_id'])}`;
    cases.push({ id, kind: 'reference', language: 'python', program: code, task });
    if (withMutants) for (const m of mutants(code)) cases.push({ id, kind: 'mutant', mutation: m.name, language: 'python', program: m.code, task });
  }
  return cases;
}

function gcj(): Case[] {
  const rows = new Map(readJsonl('code_stdio_gcj.jsonl').map((r) => [String(r['task_id']), r]));
  const cases: Case[] = [];
  for (const s of GCJ_SOLUTIONS) {
    const r = rows.get(s.task_id);
    if (!r) {
      console.log(`gcj: ${s.task_id} not in the dataset`);
      continue;
    }
    const tol = /1e-6/.test(String(r['comparison'])) ? { compare: { float_tolerance: 1e-6 } } : {};
    const tests = (r['test_cases'] as { input: string; output: string }[]).map((t) => ({ stdin: t.input, stdout: t.output }));
    const task = { type: 'code', language: s.language, tests, time_limit_ms: 10_000, ...tol };
    cases.push({ id: s.task_id, kind: 'own', language: s.language, program: s.code, task });
    cases.push({ id: s.task_id, kind: 'own_broken', mutation: s.broken.name, language: s.language, program: s.broken.apply(s.code), task });
  }
  return cases;
}

async function main(): Promise<void> {
  const engine = new RewardEngine();
  const config = engine.config({ code: { max_tests: 100 } });
  const cases: Case[] = [];
  if (only.has('humaneval')) cases.push(...humanEval());
  if (only.has('mbpp')) cases.push(...mbpp());
  if (only.has('gcj')) cases.push(...gcj());
  console.log(`conformance:code over ${DATA}: ${cases.length} runs on ${os.cpus()[0]?.model} x${os.availableParallelism()}, node ${process.version}`);
  const t0 = performance.now();
  const results: ScoredRollout[] = [];
  const chunk = 64;
  for (let i = 0; i < cases.length; i += chunk) {
    const batch = cases.slice(i, i + chunk);
    const res = await engine.score(
      batch.map((c) => ({ completion: `\`\`\`${c.language === 'python' ? 'python' : c.language === 'cpp' ? 'cpp' : 'js'}\n${c.program}\n\`\`\``, task: c.task })),
      config,
    );
    results.push(...res.results);
    process.stderr.write(`\r${results.length}/${cases.length}`);
  }
  process.stderr.write('\n');
  const secs = (performance.now() - t0) / 1000;
  const report: Record<string, unknown> = { datasets: DATA, seconds: Math.round(secs), runs: cases.length };
  const groups: [string, (c: Case) => boolean][] = [
    ['HumanEval canonical', (c) => c.kind === 'reference' && !c.id.startsWith('mbpp/')],
    ['MBPP reference', (c) => c.kind === 'reference' && c.id.startsWith('mbpp/')],
    ['HumanEval mutants', (c) => c.kind === 'mutant' && !c.id.startsWith('mbpp/')],
    ['MBPP mutants', (c) => c.kind === 'mutant' && c.id.startsWith('mbpp/')],
    ['Code Jam own solutions', (c) => c.kind === 'own'],
    ['Code Jam broken solutions', (c) => c.kind === 'own_broken'],
  ];
  for (const [name, pick] of groups) {
    const idx = cases.map((c, i) => (pick(c) ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) continue;
    const shouldPass = name.includes('canonical') || name.includes('reference') || name.includes('own solutions');
    const ok = idx.filter((i) => (shouldPass ? results[i]!.rewards.accuracy === 1 : results[i]!.rewards.accuracy !== 1 && results[i]!.status === 'ok'));
    const bad = idx.filter((i) => !ok.includes(i));
    const verdicts: Record<string, number> = {};
    for (const i of bad) {
      const acc = results[i]!.details['accuracy'] as { verdicts?: Record<string, number> } | undefined;
      const key = results[i]!.status !== 'ok' ? results[i]!.status : Object.keys(acc?.verdicts ?? {}).join('+') || 'no tests';
      verdicts[key] = (verdicts[key] ?? 0) + 1;
    }
    console.log(`${name}: ${ok.length}/${idx.length} ${shouldPass ? 'pass' : 'fail (killed)'} (${((100 * ok.length) / idx.length).toFixed(1)}%)${bad.length ? `; exceptions by verdict ${JSON.stringify(verdicts)}` : ''}`);
    for (const i of bad.slice(0, 40)) {
      const r = results[i]!;
      const acc = r.details['accuracy'] as { tests?: { verdict: string; message?: string }[] } | undefined;
      const first = acc?.tests?.find((t) => t.verdict !== 'passed');
      console.log(`  - ${cases[i]!.id}${cases[i]!.mutation ? ` [${cases[i]!.mutation}]` : ''}: accuracy ${r.rewards.accuracy} ${r.status} ${first ? `${first.verdict}: ${(first.message ?? '').slice(0, 160)}` : r.error ?? ''}`);
    }
    report[name] = { ok: ok.length, total: idx.length, exceptions: bad.map((i) => ({ id: cases[i]!.id, mutation: cases[i]!.mutation, program: cases[i]!.program, task: cases[i]!.task, accuracy: results[i]!.rewards.accuracy, status: results[i]!.status })) };
  }
  console.log(`${cases.length} runs in ${secs.toFixed(1)} s (${(cases.length / secs).toFixed(1)} rollouts/s)`);
  const out = opt('json');
  if (out) writeFileSync(out, JSON.stringify(report, null, 2));
  await engine.close();
}

await main();

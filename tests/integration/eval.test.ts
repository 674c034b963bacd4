// `r1-reward eval` and `filter` end to end (the built CLI on real files), POST /v1/eval on a real socket,
// and the HTML report rendered by a real headless browser (Debian's chromium, installed by setup).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAJ_COLOUR, PASS_COLOUR } from '../../src/eval/html.js';
import { runCli } from '../helpers/cli.js';
import { findColour, readPng } from '../helpers/png.js';
import { post, startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'r1-eval-'));
const think = (a: string) => `<think>I think about the question for a while and then I decide on my answer.</think>The answer is \\boxed{${a}}.`;
const exact = (prompt: string, answers: string[], source: string) => answers.map((a, i) => ({ id: `${prompt}-${i}`, prompt, completion: think(a), task: { type: 'exact', answer: 'B' }, source }));

// alpha/A: B C B D (gold B): n 4, c 2 — pass@2 = 1 − C(2,2)/C(4,2) = 5/6; maj@2: of the 6 pairs only {C, D} loses (a tie goes
// to C, which appears first) = 5/6; maj@4: B has 2 votes = 1. alpha/A2: all wrong. beta/M (math, gold 1/2):
// 3, 3 first, then 0.5, \frac12, 1/2: ties go to 3 (it appears first). maj@2: of C(5,2) = 10 pairs the 1/2 cluster wins only
// with both votes, C(3,2) = 3 → 0.3 (pass@2 = 0.9); maj@4: leaving out a 3 (2 of 5 ways) lets 1/2 win 3–1 → 0.4; maj@5 = 1.
const ROWS = [
  ...exact('A', ['B', 'C', 'B', 'D'], 'alpha'),
  ...exact('A2', ['C', 'C', 'D', 'C'], 'alpha'),
  ...['3', '3', '0.5', '\\frac{1}{2}', '1/2'].map((a, i) => ({ id: `M-${i}`, prompt: 'M', completion: think(a), task: { type: 'math', answer: '1/2' }, source: 'beta' })),
];
const input = join(dir, 'rollouts.jsonl');
writeFileSync(input, ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n');

interface Report {
  ks: number[];
  overall: { groups: number; rollouts: number; pass1: { value: number }; pass_at: Record<string, { value: number; groups: number }>; maj_at: Record<string, { value: number }> };
  sources: Record<string, { pass_at: Record<string, { value: number }>; maj_at: Record<string, { value: number }> }>;
  groups: { group: string; n: number; correct: number; pass_at: Record<string, number>; maj_at: Record<string, number> }[];
}

function checkReport(r: Report): void {
  expect(r.ks).toEqual([1, 2, 4, 5]);
  expect(r.overall).toMatchObject({ groups: 3, rollouts: 13 });
  const a = r.sources['alpha']!;
  expect(a.pass_at['2']!.value).toBeCloseTo((5 / 6 + 0) / 2, 12);
  expect(a.maj_at['2']!.value).toBeCloseTo((5 / 6 + 0) / 2, 12);
  expect(a.maj_at['4']!.value).toBeCloseTo(0.5, 12);
  const b = r.sources['beta']!;
  expect(b.pass_at['1']!.value).toBeCloseTo(0.6, 12);
  expect(b.pass_at['2']!.value).toBeCloseTo(0.9, 12);
  expect(b.maj_at['2']!.value).toBeCloseTo(0.3, 12);
  expect(b.maj_at['4']!.value).toBeCloseTo(0.4, 12);
  expect(r.groups.find((g) => g.group.startsWith('prompt:') && g.n === 5)!.maj_at['5']).toBe(1);
  expect(r.overall.pass1.value).toBeCloseTo((0.5 + 0 + 0.6) / 3, 12);
}

describe('r1-reward eval (CLI)', () => {
  it('evaluates raw rollouts: JSON report with hand-computed values, a table, an HTML report', async () => {
    const res = await runCli(['eval', input, '--k', '1,2,4,5', '-o', join(dir, 'report.json'), '--html', join(dir, 'report.html')]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    checkReport(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report);
    expect(res.stdout).toMatch(/^scope\s+groups\s+rollouts\s+pass@1 % \[95% CI\]\s+pass@1\s+pass@2\s+pass@4\s+pass@5\s+maj@1/);
    expect(res.stdout).toMatch(/\nalpha\s+2\s+8\s/);
    expect(res.stdout).toMatch(/\nbeta\s+1\s+5\s+60\.0 /);
  }, 120_000);

  it('evaluates an already scored file to the same numbers (rows pass through unscored)', async () => {
    const scored = join(dir, 'scored.jsonl');
    expect((await runCli(['score', input, '-o', scored])).code).toBe(0);
    const res = await runCli(['eval', scored, '--k', '1,2,4,5', '-o', '-']);
    expect(res.code).toBe(0);
    checkReport(JSON.parse(res.stdout) as Report);
    expect(res.stderr).toMatch(/^scope/);
    // scored rows are read, not re-scored: a row marked correct in the file counts as correct
    const rows = readFileSync(scored, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; rewards: { accuracy: number } });
    rows.find((r) => r.id === 'A-1')!.rewards.accuracy = 1;
    writeFileSync(scored, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const again = JSON.parse((await runCli(['eval', scored, '--k', '1', '-o', '-'])).stdout) as Report;
    expect(again.groups.find((g) => g.n === 4 && g.correct > 0)!.correct).toBe(3);
  }, 120_000);

  it('reads stdin; a malformed line becomes an error row that is counted, never a crash', async () => {
    const stdin = `${JSON.stringify(ROWS[0])}\n{"completion": oops}\n${JSON.stringify(ROWS[1])}\n`;
    const res = await runCli(['eval', '-', '--k', '1,2', '-o', '-'], stdin);
    expect(res.code).toBe(0);
    const r = JSON.parse(res.stdout) as Report & { overall: { status_counts: Record<string, number>; scored: number } };
    expect(r.overall.status_counts).toEqual({ ok: 2, invalid_rollout: 1 });
    expect(r.overall.scored).toBe(2);
    expect(r.groups.find((g) => g.n === 2)!.pass_at['2']).toBe(1); // B and C: one of the two is right
  }, 120_000);

  it('refuses a bad --k naming the flag', async () => {
    const res = await runCli(['eval', input, '--k', '1,x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--k must be a comma-separated list of positive integers/);
  }, 120_000);
});

describe('r1-reward filter (CLI)', () => {
  it('writes SFT rows, the hard prompts and a summary', async () => {
    const out = join(dir, 'sft.jsonl');
    const res = await runCli(['filter', input, '-o', out, '--summary-json', join(dir, 'sum.json')]);
    expect(res.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[]; id: string });
    // A keeps its two correct (identical: one is a near-duplicate), M keeps its 3 correct ones — near-duplicates
    // of each other apart from the answer, so the shingles decide; A2 keeps nothing
    expect(rows.every((r) => r.messages[1]!.content.startsWith('<think>\nI think'))).toBe(true);
    expect(rows.map((r) => r.id)).toContain('A-0');
    expect(rows.map((r) => r.id)).not.toContain('A-2');
    const hard = readFileSync(join(dir, 'sft.hard.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: string; correct: number });
    expect(hard).toEqual([expect.objectContaining({ prompt: 'A2', correct: 0, rollouts: 4 })]);
    const sum = JSON.parse(readFileSync(join(dir, 'sum.json'), 'utf8')) as { rows_in: number; kept: number; dropped: Record<string, number> };
    expect(sum.rows_in).toBe(13);
    expect(sum.kept + Object.values(sum.dropped).reduce((a, b) => a + b, 0)).toBe(13);
    expect(sum.dropped['incorrect']).toBe(2 + 4 + 2);
    expect(res.stderr).toMatch(/rows in\s+13/);
  }, 120_000);

  it('refuses a rules file with an unknown key', async () => {
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ max_per_promt: 2 }));
    const res = await runCli(['filter', input, '-o', join(dir, 'x.jsonl'), '--rules', rules]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/invalid rules: rules\.max_per_promt: unknown key/);
  }, 120_000);
});

describe('POST /v1/eval', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('computes the same report over a request', async () => {
    const res = await post(`${server.url}/v1/eval`, { rollouts: ROWS, k: [4, 1, 2, 5] });
    expect(res.status).toBe(200);
    checkReport(res.json as Report);
  }, 120_000);

  it('answers 400 naming every bad field', async () => {
    const res = await post(`${server.url}/v1/eval`, { rollouts: 'x', k: [0, 2], config: { weights: { formatt: 1 } } });
    expect(res.status).toBe(400);
    const paths = (res.json as { fields: { path: string }[] }).fields.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['rollouts', 'k[0]', 'config.weights.formatt']));
  }, 120_000);
});

describe('the HTML report in a real browser', () => {
  it('renders a pass@k and a maj@k curve per source (chromium headless: DOM and screenshot pixels)', async () => {
    const html = join(dir, 'report.html');
    const res = await runCli(['eval', input, '--k', '1,2,4', '--html', html]);
    expect(res.code).toBe(0);
    const profile = mkdtempSync(join(tmpdir(), 'r1-chromium-'));
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, '--window-size=1300,1000'];
    const dom = await run('chromium', [...flags, '--dump-dom', `file://${html}`], { timeout: 60_000, maxBuffer: 16 << 20 });
    // the browser parsed three charts (all rollouts, alpha, beta), each with both series over k = 1, 2, 4
    expect(dom.stdout.match(/<svg /g)).toHaveLength(3);
    const pass = [...dom.stdout.matchAll(/<polyline class="pass"[^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(' ').length);
    expect(pass).toEqual([3, 3, 3]);
    expect(dom.stdout.match(/<polyline class="maj"/g)).toHaveLength(3);
    const shot = join(dir, 'report.png');
    await run('chromium', [...flags, `--screenshot=${shot}`, `file://${html}`], { timeout: 60_000 });
    const img = readPng(readFileSync(shot));
    expect(img.width).toBe(1300);
    // first chart (all rollouts) in the left column: both curves drawn in their colours
    const left = { x0: 0, x1: 620 };
    const blue = findColour(img, PASS_COLOUR, left);
    const orange = findColour(img, MAJ_COLOUR, left);
    expect(blue.count).toBeGreaterThan(400);
    expect(orange.count).toBeGreaterThan(200);
    // pass@k rises with k (overall 0.37 → 0.58 → 0.67 here): the right end of the blue curve is higher on screen
    expect(blue.meanY(blue.maxX - 12, blue.maxX + 1)).toBeLessThan(blue.meanY(blue.minX, blue.minX + 12) - 20);
  }, 120_000);
});

// A serving install (`npm ci --omit=dev --omit=optional`): the package with only the node_modules entries
// package-lock.json does not mark dev or optional (linked from this checkout's), so the policy runner's
// packages (Dawn, tokenizers) are absent. `serve` starts, is ready and scores every task type, the
// JavaScript sandbox included; the runner's commands that need the missing packages say how to install them.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinary, type Binary } from '../helpers/binary.js';
import { ROOT } from '../helpers/cli.js';

interface LockEntry { dev?: boolean; optional?: boolean; devOptional?: boolean }
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
/** top-level package names that `npm ci --omit=dev --omit=optional` installs */
const kept = Object.entries(lock.packages)
  .filter(([k, e]) => /^node_modules\/(@[^/]+\/)?[^/@]+$/.test(k) && !e.dev && !e.optional && !e.devOptional)
  .map(([k]) => k.slice('node_modules/'.length));
const omitted = Object.keys(lock.packages).filter((k) => lock.packages[k]!.optional).map((k) => k.replace(/^.*node_modules\//, ''));

let dir: string;
let srv: Binary | undefined;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'r1-lean-'));
  chmodSync(dir, 0o755); // the sandbox uids read the package
  for (const f of ['package.json', 'bin', 'dist', 'proto', 'sandboxes']) cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  for (const name of kept) {
    mkdirSync(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(dir, 'node_modules', name));
  }
});
afterAll(async () => {
  if (srv && srv.child.exitCode === null) {
    srv.child.kill('SIGTERM');
    await srv.exit;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/r1-reward.js', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
}

describe('a serving install without the optional packages', () => {
  it('leaves out the policy runner packages and nothing the service needs', () => {
    for (const p of ['webgpu', '@huggingface/tokenizers', '@huggingface/jinja']) {
      expect(omitted).toContain(p);
      expect(readdirSync(path.join(ROOT, 'node_modules'))).toContain(p.split('/')[0]); // in the full install
    }
    expect(kept).toEqual(expect.arrayContaining(['isolated-vm-5', 'isolated-vm-6', 'fastify', 'mathjs', 'esbuild']));
    expect(readdirSync(path.join(dir, 'node_modules'))).not.toContain('webgpu');
  });

  it('serves: ready, and math, exact, Python and JavaScript rollouts score', async () => {
    srv = await startBinary([], { cwd: dir });
    const rollouts = [
      { id: 'exact', completion: '<think>x</think>\\boxed{B}', task: { type: 'exact', answer: 'B' } },
      { id: 'math', completion: '<think>x</think>\\boxed{\\frac{1}{2}}', task: { type: 'math', answer: '0.5' } },
      { id: 'py', completion: '```python\nprint(int(input()) * 2)\n```', task: { type: 'code', language: 'python', tests: [{ stdin: '21\n', stdout: '42\n' }] } },
      { id: 'js', completion: '```js\nfunction add(a, b) { return a + b; }\n```', task: { type: 'code', language: 'javascript', tests: [{ call: 'add', args: [1, 2], expected: 3 }] } },
    ];
    const res = await fetch(`${srv.http}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts }) });
    expect(res.status).toBe(200);
    const results = ((await res.json()) as { results: { id: string; status: string; rewards: { accuracy: number | null } }[] }).results;
    expect(results.map((r) => [r.id, r.status, r.rewards.accuracy])).toEqual([
      ['exact', 'ok', 1],
      ['math', 'ok', 1],
      ['py', 'ok', 1],
      ['js', 'ok', 1],
    ]);
    await expect.poll(async () => (await fetch(`${srv!.http}/readyz`)).status, { timeout: 20_000, interval: 100 }).toBe(200);
  }, 60_000);

  it('rollout, loop and forward --backend webgpu explain how to install the runner packages', () => {
    const model = path.join(dir, 'model');
    const init = cli('init-model', model, '--preset', 'tiny'); // needs none of them
    expect(init.status, init.stderr).toBe(0);
    const prompts = path.join(dir, 'prompts.jsonl');
    cpSync(path.join(ROOT, 'examples/prompts.jsonl'), prompts);
    for (const args of [
      ['rollout', '--model', model, '--prompts', prompts, '-G', '2', '--max-tokens', '2', '-o', '-'],
      ['loop', '--model', model, '--prompts', prompts, '-G', '2', '--max-tokens', '2'],
      ['forward', '--model', model, '--tokens', '1,2', '--backend', 'webgpu'],
    ]) {
      const r = cli(...args);
      expect(r.status, args[0]).toBe(2);
      expect(r.stderr).toMatch(/needs the package (@huggingface\/tokenizers|webgpu), which this install left out/);
      expect(r.stderr).toContain('`npm ci` without `--omit=optional`');
    }
    const cpu = cli('forward', '--model', model, '--tokens', '1,2', '--backend', 'cpu'); // the CPU reference needs none
    expect(cpu.status, cpu.stderr).toBe(0);
    expect(JSON.parse(cpu.stdout)).toHaveLength(2);
  }, 120_000);
});

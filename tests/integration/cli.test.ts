import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'r1-cli-'));
const ok = '<think>I reason about it.</think>The answer is A.';
const lines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));

describe('r1-reward score', () => {
  it('scores a file, computes advantages over the whole file, and prints a summary', async () => {
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    writeFileSync(
      input,
      [
        { id: '1', prompt: 'p', completion: ok, task: { type: 'exact', answer: 'A' } },
        { id: '2', prompt: 'q', completion: ok },
        { id: '3', prompt: 'p', completion: 'A', task: { type: 'exact', answer: 'A' } },
      ].map((r) => JSON.stringify(r)).join('\n') + '\n\n',
    );
    const res = await runCli(['score', input, '-o', output]);
    expect(res.code).toBe(0);
    const rows = lines(readFileSync(output, 'utf8'));
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3']);
    // rows 1 and 3 share prompt p across the file: rewards 2 and 1
    expect(rows[0].advantage).toBeGreaterThan(0);
    expect(rows[2].advantage).toBeCloseTo(-rows[0].advantage, 10);
    expect(rows[1].advantage).toBe(0);
    expect(res.stderr).toMatch(/rollouts\s+3 \(3 scored, 0 not ok\)/);
    expect(res.stderr).toMatch(/groups\s+2/);
  });

  it('turns a malformed line into an error row naming its line, and scores the rest (stdin to stdout)', async () => {
    const stdin = `${JSON.stringify({ completion: ok })}\n{"completion": oops}\n${JSON.stringify({ completion: ok })}\n`;
    const res = await runCli(['score', '-', '-o', '-'], stdin);
    expect(res.code).toBe(0);
    const rows = lines(res.stdout);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ status: 'invalid_rollout', line: 2, reward: null });
    expect(rows[1].error).toMatch(/^line 2: malformed JSON/);
    expect(rows[0].status).toBe('ok');
    expect(rows[2].details.line).toBe(3);
    expect(res.stderr).toMatch(/status\s+ok=2 invalid_rollout=1/);
  });

  it('uses a config file, and rejects a bad one naming the key', async () => {
    const cfg = join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ weights: { format: 3 } }));
    const res = await runCli(['score', '-', '-c', cfg], JSON.stringify({ completion: ok }));
    expect(lines(res.stdout)[0].reward).toBe(3);
    writeFileSync(cfg, JSON.stringify({ weights: { fromat: 3 } }));
    const bad = await runCli(['score', '-', '-c', cfg], '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('weights.fromat: unknown key');
  });

  it('exits non-zero on unreadable input', async () => {
    const res = await runCli(['score', join(dir, 'missing.jsonl')]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('missing.jsonl');
    const asDir = await runCli(['score', dir]);
    expect(asDir.code).not.toBe(0);
    const badOut = await runCli(['score', '-', '-o', join(dir, 'no', 'such', 'dir.jsonl')], JSON.stringify({ completion: ok }));
    expect(badOut.code).toBe(2);
    expect(badOut.stderr).toContain('cannot write');
  });

  it('documents every command in --help', async () => {
    const res = await runCli(['--help']);
    for (const c of ['score', 'serve', 'config']) expect(res.stdout).toContain(c);
    const score = await runCli(['score', '--help']);
    for (const o of ['--output', '--config', '--no-progress']) expect(score.stdout).toContain(o);
  });

  it('prints the resolved config', async () => {
    const res = await runCli(['config']);
    expect(JSON.parse(res.stdout).advantage.estimator).toBe('grpo');
  });
});

describe('progress bar', () => {
  it('is drawn on a terminal and only there', async () => {
    // util-linux `script` (Debian's essential bsdutils) gives the CLI a pseudo-terminal.
    const { spawnSync } = await import('node:child_process');
    const { BIN, ROOT } = await import('../helpers/cli.js');
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${BIN} score examples/batch.jsonl -o /dev/null`, '/dev/null'], { cwd: ROOT, encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/scoring 16 rollouts/);
    const piped = await runCli(['score', 'examples/batch.jsonl', '-o', '/dev/null']);
    expect(piped.stderr).not.toMatch(/scoring \d+ rollouts/);
    expect(piped.stderr).toMatch(/rollouts\s+16/);
  });

  it('documents every serve option in --help', async () => {
    const res = await runCli(['serve', '--help']);
    for (const o of ['--port', '--grpc-port', '--host', '--config', '--workers', '--max-rollouts', '--max-inflight', '--body-limit', '--log-level', '--label-task-type', '--shutdown-timeout-ms', '--sandbox-uid-base']) {
      expect(res.stdout).toContain(o);
    }
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

describe('serve --workers 2 (node:cluster)', () => {
  it('serves from several processes on one port, sums their metrics, and drains on SIGTERM', async () => {
    const [port, grpcPort] = [await freePort(), await freePort()];
    const proc = spawn(process.execPath, [BIN, 'serve', '--workers', '2', '--host', '127.0.0.1', '--port', String(port), '--grpc-port', String(grpcPort), '--log-level', 'silent'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    const url = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 100; i++) {
        try {
          if ((await fetch(`${url}/healthz`)).ok) break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const N = 12;
      const body = JSON.stringify({ rollouts: [{ completion: '<think>a</think>b' }, { completion: 'no tags' }] });
      const answers = await Promise.all(
        Array.from({ length: N }, () => fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json() as Promise<{ results: { reward: number }[] }>)),
      );
      expect(answers.every((a) => a.results[0]!.reward === 1 && a.results[1]!.reward === 0)).toBe(true);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      // whichever worker answers the scrape, the count covers every worker's requests
      expect(metrics).toMatch(new RegExp(`r1_reward_requests_total\\{route="/v1/score",code="200"\\} ${N}\\b`));
      expect(metrics).toMatch(new RegExp(`r1_reward_rollouts_total\\{status="ok"\\} ${2 * N}\\b`));
    } finally {
      proc.kill('SIGTERM');
    }
    const [code] = (await once(proc, 'exit')) as [number];
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('draining 2 workers');
  });
});

describe('a worker killed mid-run', () => {
  it('leaks no box: the primary removes its rollouts\' box directories', async () => {
    const { mkdtempSync, chmodSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'r1-cluster-'));
    chmodSync(tmp, 0o755);
    const boxes = () => readdirSync(tmp).filter((d) => d.startsWith('r1-code-'));
    const [port, grpcPort] = [await freePort(), await freePort()];
    const base = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 1400;
    const proc = spawn(process.execPath, [BIN, 'serve', '--workers', '1', '--host', '127.0.0.1', '--port', String(port), '--grpc-port', String(grpcPort), '--log-level', 'silent'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TMPDIR: tmp, R1_SANDBOX_UID_BASE: String(base) },
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; i < 100; i++) {
        try {
          if ((await fetch(`${url}/healthz`)).ok) break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const cpp = '```cpp\n#include <iostream>\nint main(){ int a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n```';
      const rollout = { completion: cpp, task: { type: 'code', language: 'cpp', tests: [{ stdin: '1 2\n', stdout: '3\n' }] } };
      // a sandbox per test: the C++ compile then writes into a box directory on the host
      const body = JSON.stringify({ rollouts: Array.from({ length: 4 }, () => rollout), config: { code: { sandbox: 'per_test' } } });
      void fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => undefined);
      for (let i = 0; i < 200 && boxes().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(boxes().length).toBeGreaterThan(0);
      const worker = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .find((d) => {
          try {
            return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === proc.pid;
          } catch {
            return false;
          }
        });
      process.kill(Number(worker), 'SIGKILL');
      for (let i = 0; i < 100 && boxes().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(boxes()).toEqual([]);
    } finally {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});

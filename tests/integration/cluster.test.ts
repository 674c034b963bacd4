import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { sandboxPids } from '../code/helpers.js';
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

  it('gives each worker its own sandbox uid range and holds --max-inflight for the whole service', async () => {
    const [port, grpcPort] = [await freePort(), await freePort()];
    // apart from the other tests' ranges (and from other checkouts testing on this host, by their R1_SANDBOX_UID_BASE)
    const base = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 3200;
    const args = ['serve', '--workers', '2', '--max-inflight', '4', '--sandbox-uid-base', String(base), '--host', '127.0.0.1', '--port', String(port), '--grpc-port', String(grpcPort), '--log-level', 'silent'];
    const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, R1_SANDBOX_UID_BASE: '' } });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    const url = `http://127.0.0.1:${port}`;
    const bothUp = async () => {
      // each worker reports its share of the bound, and the primary sums them
      let capacity = '';
      for (let i = 0; i < 150 && capacity !== '4'; i++) {
        try {
          capacity = /^r1_reward_inflight_capacity (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? '';
        } catch {
          /* not listening yet */
        }
        if (capacity !== '4') await new Promise((r) => setTimeout(r, 100));
      }
      expect(capacity).toBe('4');
    };
    // six requests of two slow programs: at most 4 rollouts may be in flight across both workers
    const slow = { completion: '<think>a</think>\n```python\nimport time\ntime.sleep(1.5)\nprint(3)\n```', task: { type: 'code', language: 'python', tests: [{ stdin: '', stdout: '3' }], time_limit_ms: 5000 } };
    const body = JSON.stringify({ rollouts: [slow, slow] });
    // One round: six requests at once, each on a new connection (the primary hands out connections, not
    // requests: kept-alive sockets of an earlier round would all stay with the worker that got them). The
    // bound must hold in every round: at most 4 rollouts (2 requests) admitted, the rest refused with 503. A
    // round in which one worker was busy may send it none; rounds repeat (at most 4) until both workers took
    // one request each, their programs seen running under their own uid ranges.
    const round = async (): Promise<boolean> => {
      const headers = { 'content-type': 'application/json', connection: 'close' };
      const pending = Array.from({ length: 6 }, () => fetch(`${url}/v1/score`, { method: 'POST', headers, body }));
      // while they sleep: worker 0's programs run as base + slot, worker 1's as base + 1000 + slot
      let [w0, w1] = [0, 0];
      for (let i = 0; i < 20 && !(w0 && w1); i++) {
        await new Promise((r) => setTimeout(r, 100));
        w0 ||= sandboxPids(base, 500).length;
        w1 ||= sandboxPids(base + 1000, 500).length;
      }
      const statuses = await Promise.all(pending.map((p) => p.then((r) => r.status)));
      const admitted = statuses.filter((c) => c === 200).length;
      expect(admitted).toBeGreaterThanOrEqual(1);
      expect(admitted).toBeLessThanOrEqual(2);
      expect(statuses.filter((c) => c === 503).length).toBe(6 - admitted);
      return admitted === 2 && w0 > 0 && w1 > 0;
    };
    const rounds = async (): Promise<void> => {
      let both = false;
      for (let k = 0; k < 4 && !both; k++) both = await round();
      expect(both, 'each worker admitted its share, under its own uid range').toBe(true);
    };
    try {
      await bothUp();
      await rounds();
      // a killed worker's replacement takes over its range
      const workers = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(proc.pid));
      expect(workers.length).toBe(2);
      process.kill(Number(workers[0]), 'SIGKILL');
      for (let i = 0; i < 100 && !stderr.includes('starting another'); i++) await new Promise((r) => setTimeout(r, 100));
      await bothUp();
      await rounds();
    } finally {
      proc.kill('SIGTERM');
    }
    const [code] = (await once(proc, 'exit')) as [number];
    expect(code, stderr).toBe(0);
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
      const cpp = '```cpp\n#include <iostream>\nint main(){ int a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n```';
      const rollout = { completion: cpp, task: { type: 'code', language: 'cpp', tests: [{ stdin: '1 2\n', stdout: '3\n' }] } };
      // a sandbox per test: the C++ compile then writes into a box directory on the host
      const body = JSON.stringify({ rollouts: Array.from({ length: 4 }, () => rollout), config: { code: { sandbox: 'per_test' } } });
      void fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => undefined);
      for (let i = 0; i < 200 && boxes().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(boxes().length).toBeGreaterThan(0);
      // the worker: the primary's child (its stat's field after the command name, which ends at the last ')')
      const childOfPrimary = () =>
        readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d))
          .find((d) => {
            try {
              const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
              return Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]) === proc.pid;
            } catch {
              return false;
            }
          });
      let worker = childOfPrimary();
      for (let i = 0; i < 40 && !worker; i++) {
        await new Promise((r) => setTimeout(r, 50));
        worker = childOfPrimary();
      }
      expect(worker, `no worker process of the primary; its log: ${stderr.slice(-2000)}`).toBeDefined();
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

// Graceful shutdown of the real binary: SIGTERM while an HTTP and a gRPC request are being scored; both
// complete, new work is refused, and the process exits 0. Needs `npm run build` (scripts/test.sh builds).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { rewardClient } from '../helpers/service.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Starts `r1-reward serve` on free ports and reads them from its log. */
async function startBinary(): Promise<{ http: string; grpc: string; exit: Promise<number | null>; logs: () => string }> {
  child = spawn(process.execPath, ['bin/r1-reward.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0', '--shutdown-timeout-ms', '60000'], { cwd: ROOT });
  let logs = '';
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const ports = await new Promise<{ http_port: number; grpc_port: number }>((resolve, reject) => {
    let buf = '';
    child!.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      logs += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"grpc_port"'));
      if (line) resolve(JSON.parse(line) as { http_port: number; grpc_port: number });
    });
    void exit.then((code) => reject(new Error(`server exited (${code}) before listening: ${logs}`)));
  });
  return { http: `http://127.0.0.1:${ports.http_port}`, grpc: `127.0.0.1:${ports.grpc_port}`, exit, logs: () => logs };
}

// Language detection, one rollout at a time: seconds of work, with the event loop free between items
// (so that /metrics and the signal handler run while it is in flight).
const THOUGHT = '<think>' + 'The quick brown fox jumps over the lazy dog and thinks about numbers. '.repeat(30) + '</think> 42';
const heavy = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i), prompt: `q${i % 5}`, completion: THOUGHT }));
const CONFIG = { weights: { language: 1 }, limits: { concurrency: 1 } };
const N = 400;

async function inflightRequests(http: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  return Number(/^r1_reward_inflight_requests (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('graceful shutdown', () => {
  it('on SIGTERM finishes in-flight HTTP and gRPC work, refuses new work, exits 0', async () => {
    const srv = await startBinary();
    const client = rewardClient(srv.grpc);
    const viaHttp = fetch(`${srv.http}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts: heavy(N), config: CONFIG }) });
    const viaGrpc = client.score<{ results: Record<string, unknown>[] }>({ rollouts: heavy(N).map((r) => ({ ...r })), config_json: JSON.stringify(CONFIG) });
    await expect.poll(() => inflightRequests(srv.http), { timeout: 10_000, interval: 50 }).toBe(2);
    child!.kill('SIGTERM');
    // New work is refused while draining (503 on a kept-alive connection, else connection refused).
    await expect.poll(async () => {
      try {
        return (await fetch(`${srv.http}/healthz`)).status === 503 ? 'refused' : 'accepted';
      } catch {
        return 'refused';
      }
    }, { timeout: 5000, interval: 50 }).toBe('refused');
    const fresh = rewardClient(srv.grpc);
    const refused = await fresh.score({ rollouts: [{ completion: 'x' }] }).then(() => 0, (e: grpc.ServiceError) => e.code);
    expect(refused).toBe(grpc.status.UNAVAILABLE);
    fresh.close();
    // In-flight work completes in full.
    const res = await viaHttp;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { status: string }[] };
    expect(body.results).toHaveLength(N);
    expect(body.results.every((r) => r.status === 'ok')).toBe(true);
    const g = await viaGrpc;
    expect(g.results).toHaveLength(N);
    expect(g.results.every((r) => r['status'] === 'ok')).toBe(true);
    client.close();
    expect(await srv.exit).toBe(0);
    expect(srv.logs()).toContain('SIGTERM: draining in-flight work');
  }, 90_000);
});

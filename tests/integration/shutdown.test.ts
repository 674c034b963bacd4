// Graceful shutdown of the real binary: SIGTERM while an HTTP and a gRPC request are being scored; both
// complete, new work is refused, and the process exits 0. Needs `npm run build` (scripts/test.sh builds).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startBinary, type Binary } from '../helpers/binary.js';
import { rewardClient } from '../helpers/service.js';

let srv: Binary | undefined;
afterEach(async () => {
  if (srv && srv.child.exitCode === null && srv.child.signalCode === null) {
    srv.child.kill('SIGKILL');
    await srv.exit;
  }
  srv = undefined;
});

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
    srv = await startBinary(['--shutdown-timeout-ms', '60000']);
    const client = rewardClient(srv.grpc);
    const viaHttp = fetch(`${srv.http}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts: heavy(N), config: CONFIG }) });
    const viaGrpc = client.score<{ results: Record<string, unknown>[] }>({ rollouts: heavy(N).map((r) => ({ ...r })), config_json: JSON.stringify(CONFIG) });
    await expect.poll(() => inflightRequests(srv!.http), { timeout: 10_000, interval: 50 }).toBe(2);
    srv.child.kill('SIGTERM');
    // New work is refused while draining (503 on a kept-alive connection, else connection refused).
    await expect.poll(async () => {
      try {
        return (await fetch(`${srv!.http}/healthz`)).status === 503 ? 'refused' : 'accepted';
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

  it('exits 1 once in-flight work outlasts the shutdown timeout', async () => {
    srv = await startBinary(['--shutdown-timeout-ms', '300']);
    const n = 20 * N; // tens of seconds of language detection: far past the timeout
    const viaHttp = fetch(`${srv.http}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts: heavy(n), config: CONFIG }) }).then(
      (r) => r.status,
      () => 'connection lost',
    );
    await expect.poll(() => inflightRequests(srv!.http), { timeout: 10_000, interval: 50 }).toBe(1);
    const t0 = Date.now();
    srv.child.kill('SIGTERM');
    expect(await srv.exit).toBe(1);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(15_000); // cut short, not waited out
    expect(srv.logs()).toContain('shutdown timed out after 300 ms');
    expect(await viaHttp).toBe('connection lost'); // the request was cut, never answered as if complete
  }, 60_000);

  it('turns gRPC health NOT_SERVING as the drain begins', async () => {
    srv = await startBinary(['--shutdown-timeout-ms', '60000']);
    const def = protoLoader.loadSync(healthProtoPath, { enums: String });
    const Health = grpc.makeClientConstructor(def['grpc.health.v1.Health'] as grpc.ServiceDefinition, 'Health');
    const h = new Health(srv.grpc, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (req: unknown) => grpc.ClientReadableStream<{ status: string }>>;
    const watch = h['Watch']!.call(h, { service: 'r1reward.v1.RewardService' });
    const seen: string[] = [];
    watch.on('data', (m: { status: string }) => seen.push(m.status));
    watch.on('error', () => {}); // cancelled below
    await expect.poll(() => seen, { timeout: 10_000 }).toContain('SERVING');
    // work in flight keeps the process draining while we look
    const client = rewardClient(srv.grpc);
    const inflight = client.score<{ results: unknown[] }>({ rollouts: heavy(N), config_json: JSON.stringify(CONFIG) });
    await expect.poll(() => inflightRequests(srv!.http), { timeout: 10_000, interval: 50 }).toBe(1);
    srv.child.kill('SIGTERM');
    await expect.poll(() => seen, { timeout: 5000, interval: 20 }).toContain('NOT_SERVING');
    expect(srv.child.exitCode).toBeNull(); // still draining: NOT_SERVING came first
    watch.cancel(); // a watch is a call too: the drain waits for it
    expect((await inflight).results).toHaveLength(N);
    client.close();
    h.close();
    expect(await srv.exit).toBe(0);
  }, 90_000);
});

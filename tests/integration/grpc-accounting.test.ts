// Every rollout a gRPC call brought in is counted in r1_reward_rollouts_total, also when the caller has gone
// (issue 10, item 11): the rollouts were admitted and scored or cut short all the same.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { grpcError, rewardClient, startService } from '../helpers/service.js';

type Svc = Awaited<ReturnType<typeof startService>>;
let svc: Svc;
let client: ReturnType<typeof rewardClient>;

beforeAll(async () => {
  svc = await startService();
  client = rewardClient(svc.grpcAddress);
});
afterAll(async () => {
  client.close();
  await svc.close();
});

async function rolloutsCounted(): Promise<number> {
  const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^r1_reward_rollouts_total\{status="[a-z_]+"\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

it('counts the rollouts of cancelled and timed-out Score calls', async () => {
  const before = await rolloutsCounted();
  const sleepers = (n: number) => Array.from({ length: n }, () => ({ completion: 'x', task_json: '{"type":"sleep","ms":10000}' }));
  let call: grpc.ClientUnaryCall | undefined;
  const cancelled = grpcError(client.score({ rollouts: sleepers(3) }, {}, (c) => (call = c)));
  await expect.poll(() => svc.probe.started, { timeout: 2000 }).toBe(3);
  call!.cancel();
  expect((await cancelled).code).toBe(grpc.status.CANCELLED);
  const late = await grpcError(client.score({ rollouts: sleepers(2) }, { deadline: Date.now() + 300 }));
  expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  await expect.poll(rolloutsCounted, { timeout: 3000 }).toBe(before + 5);
});

it('counts every rollout a cancelled ScoreStream admitted, the queued ones included', async () => {
  const before = await rolloutsCounted();
  const started = svc.probe.started;
  const call = client.stream();
  call.on('data', () => {});
  const ended = new Promise<void>((resolve) => call.on('error', () => resolve()));
  call.write({ config: { config_json: JSON.stringify({ limits: { concurrency: 1 } }) } });
  for (let i = 0; i < 4; i++) call.write({ rollout: { rollout: { id: `q${i}`, group: 'q', completion: 'x', task_json: '{"type":"sleep","ms":10000}' } } });
  await expect.poll(() => svc.probe.started, { timeout: 2000 }).toBe(started + 1);
  // one running and one queued; then the stream stops reading (backpressure), so the rest were never admitted
  await expect.poll(() => svc.app.r1.admission.current, { timeout: 2000 }).toBe(2);
  call.cancel();
  await ended;
  await expect.poll(rolloutsCounted, { timeout: 3000 }).toBe(before + 2);
});

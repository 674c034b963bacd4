// gRPC vs HTTP on the same work, and ScoreStream latency. The server is `r1-reward serve` in its own
// process (built: npm run build); this process is the load generator.
//   npm run bench:grpc [-- --seconds 8 --inflight 4 --pings 2000]
// Targets: unary Score with 256-rollout batches within 10% of HTTP's throughput (with each transport's
// per-call p50/p99, under load and one call at a time); over ScoreStream the first scored rollout back
// within 5 ms of sending it (format-only config), p50/p99.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { rewardService } from '../src/grpc/proto.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const SECONDS = arg('seconds', 6);
const INFLIGHT = arg('inflight', 4);
const PINGS = arg('pings', 2000);
const BATCH = 256;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Obj = Record<string, unknown>;

/** CPU seconds (user + system) the process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function startServer(): Promise<{ http: string; grpc: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['bin/r1-reward.js', 'serve', '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<{ http_port: number; grpc_port: number }>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"grpc_port"'));
      if (line) resolve(JSON.parse(line) as { http_port: number; grpc_port: number });
    });
    child.once('exit', (c) => reject(new Error(`server exited (${c}); run npm run build first`)));
  });
  child.stdout.resume();
  return {
    http: `http://127.0.0.1:${ports.http_port}`,
    grpc: `127.0.0.1:${ports.grpc_port}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** 256 rollouts: 8 groups of 32, ~1.5 KB completions, exact-match tasks (format + accuracy). */
function batch(seed: number, task: Obj | null = { type: 'exact' }): Obj[] {
  const words = 'so we add the two numbers and check the result again carefully before answering '.repeat(18);
  return Array.from({ length: BATCH }, (_, i) => ({
    id: `${seed}-${i}`,
    group: `g${seed}-${i >> 5}`,
    prompt: `Question ${seed}-${i >> 5}: what is ${i % 7} + ${i % 5}?`,
    completion: `<think>${words}</think>\nThe answer is \\boxed{${(i % 7) + (i % 5) + (i % 3 === 0 ? 1 : 0)}}`,
    ...(task && { task: { answer: String((i % 7) + (i % 5)), ...task } }),
  }));
}
const toMsg = (r: Obj): Obj => {
  const { task, ...rest } = r;
  return task === undefined ? rest : { ...rest, task_json: JSON.stringify(task) };
};

type Unary = (req: unknown, cb: (e: grpc.ServiceError | null, v?: Obj) => void) => void;

function grpcClient(address: string): grpc.Client & Record<string, Unary> {
  const Ctor = grpc.makeClientConstructor(rewardService(), 'RewardService');
  return new Ctor(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 }) as grpc.Client & Record<string, Unary>;
}

/** Rollouts per second over `seconds` with `inflight` requests outstanding; `latencies` gets each call's ms. */
async function throughput(call: (seed: number) => Promise<number>, seconds: number, latencies: number[] = [], inflight = INFLIGHT): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let rollouts = 0;
  let seed = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      rollouts += await call(seed++ % 16);
      latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, lane));
  return rollouts / ((performance.now() - t0) / 1000);
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown'} x${cpu.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const srv = await startServer();
  const client = grpcClient(srv.grpc);
  const batches = Array.from({ length: 16 }, (_, s) => batch(s));
  const config = {};

  const viaHttp = async (seed: number): Promise<number> => {
    const res = await fetch(`${srv.http}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rollouts: batches[seed], config }) });
    const body = (await res.json()) as { results: Obj[] };
    if (res.status !== 200 || body.results.length !== BATCH) throw new Error(`HTTP ${res.status}`);
    return body.results.length;
  };
  const viaGrpc = (seed: number): Promise<number> =>
    new Promise((resolve, reject) =>
      client['Score']!.call(client, { rollouts: batches[seed]!.map(toMsg), config_json: JSON.stringify(config) }, (e, v) => {
        const n = (v?.['results'] as Obj[] | undefined)?.length;
        if (e || n !== BATCH) reject(e ?? new Error('short response'));
        else resolve(n);
      }),
    );

  // Warm both paths (JIT, connections), then alternate so that drift in the machine's load hits both.
  await throughput(viaHttp, 1);
  await throughput(viaGrpc, 1);
  const h: number[] = [];
  const g: number[] = [];
  const hLat: number[] = [];
  const gLat: number[] = [];
  for (let round = 0; round < 2; round++) {
    h.push(await throughput(viaHttp, SECONDS / 2, hLat));
    g.push(await throughput(viaGrpc, SECONDS / 2, gLat));
  }
  // Latency of one call with nothing else in flight (the transport's own cost plus the scoring).
  const hOne: number[] = [];
  const gOne: number[] = [];
  for (let round = 0; round < 2; round++) {
    await throughput(viaHttp, SECONDS / 4, hOne, 1);
    await throughput(viaGrpc, SECONDS / 4, gOne, 1);
  }
  const pLat = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(6)} ms   (${xs.length} calls)`;
  const hr = h.reduce((a, b) => a + b) / h.length;
  const gr = g.reduce((a, b) => a + b) / g.length;
  console.log(`\nunary, ${BATCH}-rollout batches, ${INFLIGHT} in flight, ${SECONDS}s each (format + exact accuracy):`);
  console.log(`  HTTP POST /v1/score   ${hr.toFixed(0).padStart(7)} rollouts/s   (rounds: ${h.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  gRPC Score            ${gr.toFixed(0).padStart(7)} rollouts/s   (rounds: ${g.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  gRPC / HTTP = ${(gr / hr).toFixed(3)}   target >= 0.90: ${gr / hr >= 0.9 ? 'met' : 'NOT met'}`);
  console.log(`unary call latency, ${BATCH}-rollout batch, send -> whole response:`);
  console.log(`  HTTP, ${INFLIGHT} in flight   ${pLat(hLat)}`);
  console.log(`  gRPC, ${INFLIGHT} in flight   ${pLat(gLat)}`);
  console.log(`  HTTP, 1 in flight   ${pLat(hOne)}`);
  console.log(`  gRPC, 1 in flight   ${pLat(gOne)}`);

  // Sizing: server CPU per rollout for each kind of work (gRPC Score, 256-rollout batches). CPU seconds
  // are the server process's own, so the figure holds on a busy machine: cores per 1,000 rollouts/s.
  const extra = process.argv.indexOf('--task');
  const kinds: [string, Obj | null, Obj][] = [
    ['format only (no task)', null, {}],
    ['format + exact', { type: 'exact' }, {}],
    ['format + exact + language', { type: 'exact' }, { weights: { language: 1 } }],
    ...(extra > 0 ? [[`format + ${process.argv[extra + 1]}`, JSON.parse(process.argv[extra + 1]!) as Obj, {}] as [string, Obj, Obj]] : []),
  ];
  console.log(`\nsizing: server CPU per 1,000 rollouts/s (gRPC Score, ${BATCH}-rollout batches, ${SECONDS / 2}s each):`);
  for (const [label, task, cfg] of kinds) {
    const msgs = Array.from({ length: 16 }, (_, s) => ({ rollouts: batch(s, task).map(toMsg), config_json: JSON.stringify(cfg) }));
    const run = (seed: number): Promise<number> =>
      new Promise((resolve, reject) => client['Score']!.call(client, msgs[seed], (e, v) => (e ? reject(e) : resolve((v!['results'] as Obj[]).length))));
    await throughput(run, 0.5);
    const c0 = cpuSeconds(srv.pid);
    const t0 = performance.now();
    const rate = await throughput(run, SECONDS / 2);
    const cpu = cpuSeconds(srv.pid) - c0;
    const rollouts = (rate * (performance.now() - t0)) / 1000;
    console.log(`  ${label.padEnd(30)} ${((cpu / rollouts) * 1000).toFixed(3)} cores   (${(rollouts / cpu).toFixed(0)} rollouts per CPU-second)`);
  }

  // ScoreStream latency: send one rollout, time until its score comes back (format-only config).
  const stream = client.makeBidiStreamRequest(
    '/r1reward.v1.RewardService/ScoreStream',
    (m: Obj) => (rewardService()['ScoreStream']!.requestSerialize as (x: Obj) => Buffer)(m),
    (b: Buffer) => (rewardService()['ScoreStream']!.responseDeserialize as (x: Buffer) => Obj)(b),
  );
  const waiting = new Map<string, (t: number) => void>();
  stream.on('data', (m: Obj) => {
    const s = m['scored'] as Obj | undefined;
    if (s) waiting.get(s['id'] as string)?.(performance.now());
  });
  stream.write({ config: { config_json: JSON.stringify({ weights: { accuracy: 0, format: 1 } }) } });
  const completion = '<think>' + 'short reasoning about the problem. '.repeat(20) + '</think> The answer is 4.';
  /** Sends one rollout; resolves with [sent at, scored at]. */
  const send = (i: number): Promise<[number, number]> =>
    new Promise((resolve) => {
      const id = `p${i}`;
      const t0 = performance.now();
      waiting.set(id, (t) => {
        waiting.delete(id);
        resolve([t0, t]);
      });
      stream.write({ rollout: { rollout: { id, completion } } });
    });
  const ping = async (i: number): Promise<number> => {
    const [t0, t1] = await send(i);
    return t1 - t0;
  };
  for (let i = 0; i < 200; i++) await ping(-1 - i); // warm-up
  const lat: number[] = [];
  for (let i = 0; i < PINGS; i++) lat.push(await ping(i));
  // Bursts: 64 rollouts (a group) written at once; each one's latency from its own send, and the
  // first score of the burst from the burst's first send.
  const burst: number[] = [];
  const firstOfBurst: number[] = [];
  for (let round = 0; round < 50; round++) {
    const times = await Promise.all(Array.from({ length: 64 }, (_, i) => send(100_000 + round * 64 + i)));
    burst.push(...times.map(([a, b]) => b - a));
    firstOfBurst.push(Math.min(...times.map(([, b]) => b)) - times[0]![0]);
  }
  stream.end();
  console.log(`\nScoreStream, format-only, send -> scored rollout back:`);
  console.log(`  one at a time (${PINGS}):   p50 ${pct(lat, 50).toFixed(3)} ms   p99 ${pct(lat, 99).toFixed(3)} ms   target p99 < 5 ms: ${pct(lat, 99) < 5 ? 'met' : 'NOT met'}`);
  console.log(`  bursts of 64, first score (${firstOfBurst.length}):  p50 ${pct(firstOfBurst, 50).toFixed(3)} ms   p99 ${pct(firstOfBurst, 99).toFixed(3)} ms`);
  console.log(`  bursts of 64, every rollout (${burst.length}): p50 ${pct(burst, 50).toFixed(3)} ms   p99 ${pct(burst, 99).toFixed(3)} ms`);
  client.close();
  await srv.stop();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

// HTTP /v1/score throughput with 256-rollout batches (format + language), the server in its own
// process and autocannon here; then p50/p99 latency at half that load.
import autocannon from 'autocannon';
import { machineLine } from './machine.js';
import { rollouts } from './fixtures.js';
import { startServerProcess } from './server-process.js';

const BATCH = 256;
const body = JSON.stringify({ rollouts: rollouts(BATCH), config: { weights: { language: 1 } } });
console.log(machineLine());
console.log(`request: ${BATCH} rollouts of ~1 kB, ${(body.length / 1024).toFixed(0)} KiB body, format + language`);

const workers = Number(process.env['BENCH_WORKERS'] ?? 1);
console.log(`server: r1-reward serve --workers ${workers}`);
const server = await startServerProcess(18000 + Math.floor(Math.random() * 1000), ['--workers', String(workers), '--grpc-port', '0']);
const run = (opts: Partial<autocannon.Options>) =>
  autocannon({
    url: `${server.url}/v1/score`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duration: Number(process.env['BENCH_SECONDS'] ?? 10),
    ...opts,
  });

try {
  await run({ connections: 4, duration: 2 }); // warm-up
  const full = await run({ connections: 4 });
  const rps = full.requests.average;
  const rate = rps * BATCH;
  console.log(`saturated: ${rps.toFixed(1)} req/s = ${Math.round(rate)} rollouts/s, p50 ${full.latency.p50} ms, p99 ${full.latency.p99} ms, non-2xx ${full.non2xx}`);
  const half = await run({ connections: 2, overallRate: Math.max(1, Math.floor(rps / 2)) });
  console.log(`at half load (${Math.floor(rps / 2)} req/s): p50 ${half.latency.p50} ms, p99 ${half.latency.p99} ms, non-2xx ${half.non2xx}`);
  console.log(`target >= 5,000 rollouts/s: ${rate >= 5000 ? 'met' : 'MISSED'}`);
} finally {
  await server.stop();
}

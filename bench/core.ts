// In-process throughput of the cheap rewards on one core: format alone, and format + language (full pipeline).
import { performance } from 'node:perf_hooks';
import { RewardEngine } from '../src/core/engine.js';
import { formatReward } from '../src/rewards/format.js';
import { loadavg } from 'node:os';
import { machineLine } from './machine.js';
import { completion1k, rollouts } from './fixtures.js';

const engine = new RewardEngine();
console.log(machineLine());
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// Wall-clock rate, and the rate per CPU-second of this process (steady even when the machine is shared).
let cpu0 = process.cpuUsage();
function rate(label: string, n: number, ms: number): number {
  const c = process.cpuUsage(cpu0);
  const cpuS = (c.user + c.system) / 1e6;
  const r = n / (ms / 1000);
  console.log(`${label.padEnd(46)} ${Math.round(r).toString().padStart(9)} rollouts/s wall, ${Math.round(n / cpuS).toString().padStart(9)} per CPU-second  (${n} in ${ms.toFixed(0)} ms)`);
  return r;
}
const startClock = (): number => {
  cpu0 = process.cpuUsage();
  return performance.now();
};

const texts = Array.from({ length: 1000 }, (_, i) => completion1k(i));
console.log(`completion size: ${texts[0]!.length} chars`);
const fcfg = engine.config().format;
for (let i = 0; i < 20000; i++) formatReward(texts[i % 1000]!, false, fcfg); // warm-up
let t = startClock();
const N = 200_000;
for (let i = 0; i < N; i++) formatReward(texts[i % 1000]!, false, fcfg);
const fmt = rate('format reward (function)', N, performance.now() - t);

async function pipeline(label: string, cfg: object, n: number): Promise<number> {
  const config = engine.config(cfg);
  const batch = rollouts(256);
  await engine.score(batch, config);
  t = startClock();
  let done = 0;
  while (done < n) {
    await engine.score(batch, config);
    done += batch.length;
  }
  return rate(label, done, performance.now() - t);
}

const fOnly = await pipeline('pipeline: format only (256-rollout batches)', {}, 100_000);
const fl = await pipeline('pipeline: format + language (256-rollout batches)', { weights: { language: 1 } }, 20_000);
console.log(`targets: format alone >= 50,000/s -> ${fmt >= 50_000 ? 'met' : 'MISSED'}; format + language >= 5,000/s -> ${fl >= 5000 ? 'met' : 'MISSED'}`);
console.log(`ratio format-only pipeline / format+language pipeline: ${(fOnly / fl).toFixed(1)}x`);

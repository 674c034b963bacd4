// The batch CLI on a 100,000-line JSONL file: throughput and peak RSS (memory must stay flat).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './machine.js';
import { completion1k } from './fixtures.js';

const BIN = fileURLToPath(new URL('../bin/r1-reward.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'r1-bench-'));
console.log(machineLine());

async function makeFile(n: number): Promise<string> {
  const path = join(dir, `in-${n}.jsonl`);
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const line = JSON.stringify({ id: String(i), prompt: `Problem ${Math.floor(i / 8)}`, completion: completion1k(i), task: { type: 'exact', answer: '7' } }) + '\n';
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return path;
}

/** Runs the CLI; it reports its own peak RSS (getrusage) in the summary. */
async function score(path: string, extra: string[] = [], nodeArgs: string[] = []): Promise<{ seconds: number; peakMiB: number; summary: string }> {
  const t0 = process.hrtime.bigint();
  const p = spawn(process.execPath, [...nodeArgs, BIN, 'score', path, '-o', join(dir, 'out.jsonl'), '--no-progress', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let summary = '';
  p.stderr.on('data', (d: Buffer) => (summary += d));
  const [code] = (await once(p, 'exit')) as [number];
  if (code !== 0) throw new Error(`score exited ${code}: ${summary}`);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const peak = /peak RSS (\d+) MiB/.exec(summary);
  return { seconds, peakMiB: peak ? Number(peak[1]) : NaN, summary };
}

const sizes = [10_000, 100_000, 300_000];
const results: { n: number; rate: number; peak: number }[] = [];
let largest = '';
for (const n of sizes) {
  const path = await makeFile(n);
  largest = path;
  const r = await score(path);
  const rate = n / r.seconds;
  results.push({ n, rate, peak: r.peakMiB });
  console.log(`${String(n).padStart(7)} lines (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB): ${r.seconds.toFixed(1)} s, ${Math.round(rate)} rollouts/s, peak RSS ${r.peakMiB.toFixed(0)} MiB`);
}
const [small, big, huge] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
console.log(`peak RSS ratio 100k/10k lines: ${(big.peak / small.peak).toFixed(2)}, 300k/100k lines: ${(huge.peak / big.peak).toFixed(2)} (flat memory: close to 1)`);
console.log(`target >= 5,000 rollouts/s on 100k lines: ${big.rate >= 5000 ? 'met' : 'MISSED'}`);
// RSS includes the garbage collector's slack; a hard cap on the V8 heap shows what is really kept.
const capped = await score(largest, [], ['--max-old-space-size=48']).then(
  () => 'completes',
  (e: Error) => `FAILS (${e.message.split('\n')[0]})`,
);
console.log(`300k lines with the V8 old generation capped at 48 MiB: ${capped}`);
rmSync(dir, { recursive: true, force: true });

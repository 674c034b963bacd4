// WebGPU backend benchmark: matmul GFLOP/s WebGPU vs the CPU reference, and (once the model exists)
// prefill/decode tokens/s. Prints the machine and the adapter; compares as ratios within one run.
// Run: npm run bench:webgpu   (after `bash scripts/setup.sh`, which fetches the lavapipe driver)
import os from 'node:os';
import { CpuOps } from '../src/runner/cpu/ops.js';
import type { Ops, Tensor } from '../src/runner/ops.js';
import { createWebGpuOps } from '../src/runner/webgpu/index.js';

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Seconds per matmul, timed over enough repetitions to take ~minSeconds. */
async function timeMatmul(o: Ops, M: number, N: number, K: number, minSeconds: number): Promise<number> {
  const x = o.upload(rand(M * K, 1), [M, K]);
  const w = o.upload(rand(N * K, 2), [N, K], 'weight');
  const once = async (reps: number) => {
    let last: Tensor | null = null;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      if (last) o.free(last);
      last = o.matmul(x, w);
    }
    await o.read(last!);
    o.free(last!);
    return (performance.now() - t0) / 1000;
  };
  await once(1); // warm-up: pipeline compile, pool fill
  let reps = 1;
  let t = await once(reps);
  while (t < minSeconds && reps < 1 << 12) {
    reps = Math.max(reps * 2, Math.ceil((reps * minSeconds) / Math.max(t, 1e-4)));
    t = await once(reps);
  }
  o.free(x);
  o.free(w);
  return t / reps;
}

async function main(): Promise<void> {
  const cpuInfo = os.cpus()[0]?.model ?? 'unknown';
  console.log(`machine: ${cpuInfo}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const gpu = await createWebGpuOps();
  const cpu = new CpuOps();
  console.log(`webgpu adapter: ${gpu.info().device}`);
  console.log(`cpu reference: ${cpu.info().device}`);
  const minSeconds = Number(process.env.BENCH_SECONDS ?? 0.5);
  const shapes: [string, number, number, number][] = [
    ['decode M=1, 512->512', 1, 512, 512],
    ['decode M=1, 512->4096 (lm_head-like)', 1, 4096, 512],
    ['decode M=8 (G=8), 512->1024', 8, 1024, 512],
    ['prefill M=64, 512->512', 64, 512, 512],
    ['prefill M=256, 1024->1024', 256, 1024, 1024],
  ];
  console.log('\nmatmul y = x·Wᵀ (f32)');
  console.log('| shape | M×N×K | CPU ms | CPU GFLOP/s | WebGPU ms | WebGPU GFLOP/s | speed-up |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, M, N, K] of shapes) {
    const flops = 2 * M * N * K;
    const tc = await timeMatmul(cpu, M, N, K, minSeconds);
    const tg = await timeMatmul(gpu, M, N, K, minSeconds);
    console.log(
      `| ${name} | ${M}×${N}×${K} | ${(tc * 1e3).toFixed(2)} | ${(flops / tc / 1e9).toFixed(2)} | ${(tg * 1e3).toFixed(2)} | ${(flops / tg / 1e9).toFixed(2)} | ${(tc / tg).toFixed(2)}x |`,
    );
  }
  gpu.dispose();
}

await main();

// WebGPU backend benchmark: matmul GFLOP/s WebGPU vs the CPU reference, and (once the model exists)
// prefill/decode tokens/s. Prints the machine and the adapter; compares as ratios within one run.
// Run: npm run bench:webgpu   (after `bash scripts/setup.sh`, which fetches the lavapipe driver)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Checkpoint } from '../src/runner/checkpoint.js';
import { CpuOps } from '../src/runner/cpu/ops.js';
import { generate } from '../src/runner/generate.js';
import { isMoeLayer, type ModelConfig } from '../src/runner/config.js';
import { initModel, type PresetName } from '../src/runner/init-model.js';
import { DeepSeekV3 } from '../src/runner/model.js';
import type { Ops, Tensor } from '../src/runner/ops.js';
import { createWebGpuOps, WebGpuOps } from '../src/runner/webgpu/index.js';

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

/**
 * Bytes one batched decode step reads at least: every weight it multiplies by (matrices at `matrixBytes` per
 * value, the rest f32; an upper bound of min(G·k, n_routed) active experts per MoE layer) plus the latent-cache
 * rows each sample attends to (`ctx` rows of kv_lora_rank + qk_rope_head_dim f32 values per layer). The
 * bandwidth bound of decode is this divided by the device's memory bandwidth.
 */
function decodeStepBytes(cfg: ModelConfig, g: number, ctx: number, matrixBytes: number): number {
  const { hiddenSize: d, numAttentionHeads: h, qkNopeHeadDim: dn, qkRopeHeadDim: dr, vHeadDim: dv, kvLoraRank: c } = cfg;
  let matrices = cfg.vocabSize * d; // lm_head
  for (let i = 0; i < cfg.numHiddenLayers; i++) {
    matrices += cfg.qLoraRank === null ? h * (dn + dr) * d : cfg.qLoraRank * d + h * (dn + dr) * cfg.qLoraRank;
    matrices += (c + dr) * d + h * (dn + dv) * c + d * h * dv;
    if (isMoeLayer(cfg, i)) {
      const experts = Math.min(cfg.nRoutedExperts, g * cfg.numExpertsPerTok) + cfg.nSharedExperts;
      matrices += cfg.nRoutedExperts * d + experts * 3 * cfg.moeIntermediateSize * d;
    } else matrices += 3 * cfg.intermediateSize * d;
  }
  const cache = cfg.numHiddenLayers * g * ctx * (c + dr) * 4;
  return matrices * matrixBytes + g * d * 4 + cache;
}

/** Device bytes a WebGPU backend holds (weights, caches and its buffer pool), in MiB; '-' for the CPU reference. */
function held(ops: Ops): string {
  return ops instanceof WebGpuOps ? (ops.bytesAllocated / 2 ** 20).toFixed(1) : '-';
}

async function main(): Promise<void> {
  const cpuInfo = os.cpus()[0]?.model ?? 'unknown';
  console.log(`machine: ${cpuInfo}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const gpu = await createWebGpuOps({ weightDtype: 'f32' });
  const gpu16 = await createWebGpuOps({ weightDtype: 'f16' });
  const cpu = new CpuOps();
  console.log(`webgpu adapter: ${gpu.info().device}`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes share these cores)`);
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
  console.log('| shape | M×N×K | CPU ms | CPU GFLOP/s | WebGPU ms | WebGPU GFLOP/s | speed-up | WebGPU f16-weights ms | speed-up |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, M, N, K] of shapes) {
    const flops = 2 * M * N * K;
    const tc = await timeMatmul(cpu, M, N, K, minSeconds);
    const tg = await timeMatmul(gpu, M, N, K, minSeconds);
    const th = await timeMatmul(gpu16, M, N, K, minSeconds);
    console.log(
      `| ${name} | ${M}×${N}×${K} | ${(tc * 1e3).toFixed(2)} | ${(flops / tc / 1e9).toFixed(2)} | ${(tg * 1e3).toFixed(2)} | ${(flops / tg / 1e9).toFixed(2)} | ${(tc / tg).toFixed(2)}x | ${(th * 1e3).toFixed(2)} | ${(tc / th).toFixed(2)}x |`,
    );
  }

  // End to end: generate() = one prefill of the prompt, then batched decode of G samples.
  const prompt = Array.from({ length: Number(process.env.BENCH_PROMPT ?? 64) }, (_, i) => (i * 37 + 11) % 500);
  const maxTokens = Number(process.env.BENCH_TOKENS ?? 16);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  console.log(`\ngenerate: BF16 checkpoint, prompt ${prompt.length} tokens, ${maxTokens} new tokens per sample, greedy; webgpu = f32 weight storage, webgpu-f16 = f16 (exact for BF16)`);
  console.log('| preset | G | backend | prefill tok/s | decode tok/s | decode ms/step | weights MiB | decode MB read/step | decode GB/s | device MiB held |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const presets = (process.env.BENCH_PRESETS ?? 'tiny,small').split(',') as PresetName[];
  for (const preset of presets) {
    gpu.trim(); // the pool starts empty for each preset, so "device MiB held" is this model's weights, caches and pool
    gpu16.trim();
    const dir = mkdtempSync(join(os.tmpdir(), `r1-bench-${preset}-`));
    try {
      initModel(dir, { preset, seed: 1, dtype: 'BF16' }); // init-model's default; 'auto' storage keeps it as exact f16
      const ckpt = new Checkpoint(dir);
      const models: [string, DeepSeekV3][] = [
        ['cpu', DeepSeekV3.load(cpu, ckpt)],
        ['webgpu', DeepSeekV3.load(gpu, ckpt)],
        ['webgpu-f16', DeepSeekV3.load(gpu16, ckpt)], // 'f16' on a BF16 checkpoint = what the default 'auto' does, lossless
      ];
      ckpt.close();
      for (const g of [1, 8]) {
        // Best of `rounds`, CPU and WebGPU interleaved: the machine is shared, the minimum is the least disturbed run.
        const best: Record<string, { pre: number; dec: number; step: number }> = {};
        for (let round = 0; round < rounds; round++) {
          for (const [name, model] of models) {
            const opts = { samples: g, maxTokens, seed: 1, eosIds: [], temperature: 0, topP: 1, topK: 0 };
            if (round === 0) await generate(model, prompt.slice(0, 8), { ...opts, maxTokens: 2 }); // warm-up (pipelines, pool)
            const t = (await generate(model, prompt, opts)).timings;
            const cur = { pre: t.prefillTokens / (t.prefillMs / 1000), dec: t.decodeTokens / (t.decodeMs / 1000), step: t.decodeMs / Math.max(1, t.decodeSteps) };
            const b = best[name];
            best[name] = b ? { pre: Math.max(b.pre, cur.pre), dec: Math.max(b.dec, cur.dec), step: Math.min(b.step, cur.step) } : cur;
          }
        }
        for (const [name, model] of models) {
          const b = best[name]!;
          const bytes = decodeStepBytes(model.cfg, g, prompt.length + maxTokens / 2, model.ops.info().weightDtype === 'f16' ? 2 : 4);
          console.log(
            `| ${preset} | ${g} | ${name} | ${b.pre.toFixed(1)} | ${b.dec.toFixed(1)} | ${b.step.toFixed(1)} | ${(model.weightBytes() / 2 ** 20).toFixed(1)} | ${(bytes / 1e6).toFixed(1)} | ${(bytes / (b.step / 1000) / 1e9).toFixed(2)} | ${held(model.ops)} |`,
          );
        }
        const c = best.cpu!;
        for (const name of ['webgpu', 'webgpu-f16']) {
          const w = best[name]!;
          console.log(`| ${preset} | ${g} | **${name} / cpu** | **${(w.pre / c.pre).toFixed(2)}x** | **${(w.dec / c.dec).toFixed(2)}x** |  |  |  |  |  |`);
        }
      }
      await interleavedSteps(preset, models, prompt);
      for (const [, model] of models) model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  gpu.dispose();
  gpu16.dispose();
}

/**
 * Decode steps timed one at a time with the backends interleaved step by step (CPU, WebGPU f32, WebGPU f16, CPU, ...),
 * so every backend sees the same moments of the shared machine's load; median and minimum per backend, and ratios.
 */
async function interleavedSteps(preset: string, models: [string, DeepSeekV3][], prompt: number[]): Promise<void> {
  const steps = Number(process.env.BENCH_STEPS ?? 24);
  const P = prompt.length;
  const ar = (n: number, f: (i: number) => number) => Int32Array.from({ length: n }, (_, i) => f(i));
  console.log(`\n${preset}: decode steps interleaved across backends (${steps} steps after a ${P}-token prefill; ms per step)`);
  console.log('| preset | G | backend | median ms | min ms | median speed-up vs cpu | min speed-up vs cpu |');
  console.log('|---|---|---|---|---|---|---|');
  for (const g of [1, 8]) {
    const caches = models.map(([, m]) => m.newCache(P + g * steps));
    const times = models.map(() => [] as number[]);
    const prefill = { ids: Int32Array.from(prompt), positions: ar(P, (i) => i), cacheRows: ar(P, (i) => i), spans: ar(4 * P, (j) => (j % 4 === 1 ? Math.floor(j / 4) + 1 : 0)) };
    for (const [i, [, m]] of models.entries()) await m.forward(prefill, caches[i]!, { logitRows: Int32Array.of(P - 1) });
    for (let s = 0; s < steps; s++) {
      // Sample k of G attends to the shared prompt rows and its own rows (as generate() lays out the cache).
      const step = { ids: ar(g, (k) => (k * 13 + s * 7) % 500), positions: ar(g, () => P + s), cacheRows: ar(g, (k) => P + k * steps + s), spans: ar(4 * g, (j) => [0, P, P + Math.floor(j / 4) * steps, s + 1][j % 4]!) };
      for (const [i, [, m]] of models.entries()) {
        const t0 = performance.now();
        await m.forward(step, caches[i]!);
        times[i]!.push(performance.now() - t0);
      }
    }
    models.forEach(([, m], i) => m.freeCache(caches[i]!));
    const q = (a: number[], f: number) => [...a].sort((x, y) => x - y)[Math.floor(f * (a.length - 1))]!;
    const [cMed, cMin] = [q(times[0]!, 0.5), q(times[0]!, 0)];
    models.forEach(([name], i) => {
      const [med, min] = [q(times[i]!, 0.5), q(times[i]!, 0)];
      console.log(`| ${preset} | ${g} | ${name} | ${med.toFixed(2)} | ${min.toFixed(2)} | ${(cMed / med).toFixed(2)}x | ${(cMin / min).toFixed(2)}x |`);
    });
  }
}

await main();

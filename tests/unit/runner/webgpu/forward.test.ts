// The whole DeepSeek-V3 forward pass on the tiny preset, WebGPU vs the CPU reference: prefill logits
// (max abs error, top-1 agreement), forced token-by-token decode through the latent cache, and the naive
// (decompressed) attention path. Fails loudly when no WebGPU adapter can be acquired.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../../../src/runner/checkpoint.js';
import { CpuOps } from '../../../../src/runner/cpu/ops.js';
import { initModel } from '../../../../src/runner/init-model.js';
import { generate } from '../../../../src/runner/generate.js';
import { DeepSeekV3, type AttentionMode, type Step } from '../../../../src/runner/model.js';
import type { Ops } from '../../../../src/runner/ops.js';
import { createWebGpuOps, type WebGpuOps } from '../../../../src/runner/webgpu/index.js';

// Logit tolerance: f32 kernels with a different summation order than the f64-accumulating reference,
// through 2 layers and a 512-way lm_head; observed errors are ~1e-6..1e-5 for logits of magnitude ~1-10.
const LOGIT_ATOL = 2e-4;
const TOKENS = [0, 17, 305, 99, 4, 250, 250, 7, 1, 511, 64, 3];

let dir: string;
let gpuOps: WebGpuOps & Ops;
let cpu: DeepSeekV3;
let gpu: DeepSeekV3;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r1-webgpu-fwd-'));
  initModel(dir, { preset: 'tiny', seed: 7, dtype: 'F32' });
  const ckpt = new Checkpoint(dir);
  gpuOps = await createWebGpuOps();
  cpu = DeepSeekV3.load(new CpuOps(), ckpt);
  gpu = DeepSeekV3.load(gpuOps, ckpt);
  ckpt.close();
}, 120_000);

afterAll(() => {
  gpu?.dispose();
  gpuOps?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function prefillStep(ids: number[]): Step {
  const n = ids.length;
  const spans = new Int32Array(4 * n);
  for (let t = 0; t < n; t++) spans.set([0, t + 1, 0, 0], 4 * t);
  const ar = Int32Array.from({ length: n }, (_, i) => i);
  return { ids: Int32Array.from(ids), positions: ar, cacheRows: ar, spans };
}

function compare(a: Float32Array, b: Float32Array, vocab: number): { maxErr: number; top1: number } {
  let maxErr = 0;
  let agree = 0;
  const rows = a.length / vocab;
  for (let r = 0; r < rows; r++) {
    let ia = 0;
    let ib = 0;
    for (let v = 0; v < vocab; v++) {
      const x = a[r * vocab + v]!;
      const y = b[r * vocab + v]!;
      maxErr = Math.max(maxErr, Math.abs(x - y));
      if (x > a[r * vocab + ia]!) ia = v;
      if (y > b[r * vocab + ib]!) ib = v;
    }
    if (ia === ib) agree++;
  }
  return { maxErr, top1: agree / rows };
}

async function prefill(model: DeepSeekV3, mode: AttentionMode): Promise<Float32Array> {
  const cache = model.newCache(TOKENS.length);
  try {
    return await model.forward(prefillStep(TOKENS), cache, { attention: mode });
  } finally {
    model.freeCache(cache);
  }
}

describe('tiny preset forward pass: WebGPU vs CPU reference', () => {
  it.each(['absorbed', 'naive'] as const)('prefill logits agree (%s attention)', async (mode) => {
    const vocab = cpu.cfg.vocabSize;
    const ref = await prefill(cpu, mode);
    const got = await prefill(gpu, mode);
    expect(got.length).toBe(TOKENS.length * vocab);
    const { maxErr, top1 } = compare(ref, got, vocab);
    expect(maxErr).toBeLessThan(LOGIT_ATOL);
    expect(top1).toBe(1);
  });

  it('forced token-by-token decode through the cache matches the CPU prefill', async () => {
    const vocab = cpu.cfg.vocabSize;
    const ref = await prefill(cpu, 'absorbed');
    const cache = gpu.newCache(TOKENS.length);
    const rows: Float32Array[] = [];
    try {
      for (let t = 0; t < TOKENS.length; t++) {
        const step: Step = { ids: Int32Array.of(TOKENS[t]!), positions: Int32Array.of(t), cacheRows: Int32Array.of(t), spans: Int32Array.of(0, t + 1, 0, 0) };
        rows.push(await gpu.forward(step, cache));
      }
    } finally {
      gpu.freeCache(cache);
    }
    const got = new Float32Array(TOKENS.length * vocab);
    rows.forEach((r, t) => got.set(r, t * vocab));
    const { maxErr, top1 } = compare(ref, got, vocab);
    expect(maxErr).toBeLessThan(LOGIT_ATOL);
    expect(top1).toBe(1);
  });

  it('batched decode of 3 samples sharing a prompt cache matches the CPU reference', async () => {
    const run = async (model: DeepSeekV3) => {
      const p = 5;
      const cache = model.newCache(p + 3 * 2);
      try {
        await model.forward(prefillStep(TOKENS.slice(0, p)), cache, { logitRows: Int32Array.of(p - 1) });
        const spans = new Int32Array(12);
        for (let s = 0; s < 3; s++) spans.set([0, p, p + 2 * s, 1], 4 * s);
        const step: Step = { ids: Int32Array.of(8, 9, 10), positions: Int32Array.of(p, p, p), cacheRows: Int32Array.of(p, p + 2, p + 4), spans };
        return await model.forward(step, cache);
      } finally {
        model.freeCache(cache);
      }
    };
    const { maxErr, top1 } = compare(await run(cpu), await run(gpu), cpu.cfg.vocabSize);
    expect(maxErr).toBeLessThan(LOGIT_ATOL);
    expect(top1).toBe(1);
  });

  it('sampled generation (G=4, seeded) is deterministic on WebGPU and picks the same tokens as the CPU reference', async () => {
    const opts = { samples: 4, maxTokens: 6, seed: 11, eosIds: [], temperature: 1, topP: 0.95, topK: 0 };
    const prompt = TOKENS.slice(0, 6);
    const a = await generate(gpu, prompt, opts);
    const b = await generate(gpu, prompt, opts);
    const c = await generate(cpu, prompt, opts);
    expect(b.samples.map((x) => x.tokens)).toEqual(a.samples.map((x) => x.tokens));
    expect(b.samples.map((x) => x.logprobs)).toEqual(a.samples.map((x) => x.logprobs));
    expect(a.samples.map((x) => x.tokens)).toEqual(c.samples.map((x) => x.tokens));
    a.samples.forEach((s, i) => s.logprobs.forEach((lp, j) => expect(Math.abs(lp - c.samples[i]!.logprobs[j]!)).toBeLessThan(1e-4)));
    expect(new Set(a.samples.map((x) => x.tokens.join(','))).size).toBeGreaterThan(1); // really sampled, not all greedy
  });

  it('does not leak device memory across forward passes', async () => {
    await prefill(gpu, 'absorbed');
    const before = gpuOps.bytesAllocated;
    for (let i = 0; i < 3; i++) await prefill(gpu, 'absorbed');
    expect(gpuOps.bytesAllocated).toBe(before);
  });
});

// f16 weight storage (weightDtype 'f16'): matrix weights are stored as f16 and read by the matmul and
// embedding kernels directly. The CPU reference gets the same f16-rounded weights, so the only difference
// left is f32 summation order: the tolerances stay as tight as the f32 path's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checkpoint } from '../../../../src/runner/checkpoint.js';
import { CpuOps } from '../../../../src/runner/cpu/ops.js';
import { f16ToF32, f32ToF16 } from '../../../../src/runner/dtype.js';
import { initModel } from '../../../../src/runner/init-model.js';
import { DeepSeekV3 } from '../../../../src/runner/model.js';
import type { Ops } from '../../../../src/runner/ops.js';
import { createWebGpuOps, type WebGpuOps } from '../../../../src/runner/webgpu/index.js';

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}
const toF16 = (a: Float32Array): Float32Array => a.map((v) => f16ToF32(f32ToF16(v)));

let gpu: WebGpuOps & Ops;
const cpu = new CpuOps();
beforeAll(async () => {
  gpu = await createWebGpuOps({ weightDtype: 'f16' });
}, 60_000);
afterAll(() => gpu?.dispose());

async function maxDiff(a: Promise<Float32Array>, b: Promise<Float32Array>): Promise<number> {
  const [x, y] = await Promise.all([a, b]);
  expect(y.length).toBe(x.length);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

describe('f16 weight storage', () => {
  it('reports f16 weights', () => {
    expect(gpu.info().weightDtype).toBe('f16');
  });

  it.each([
    [1, 24, 64],
    [6, 40, 36],
    [3, 8, 10], // K not a multiple of 4: falls back to the f32 copy
  ])('matmul M=%i N=%i K=%i equals the reference on f16-rounded weights', async (M, N, K) => {
    const x = rand(M * K, 1);
    const w = rand(N * K, 2);
    const d = await maxDiff(
      cpu.read(cpu.matmul(cpu.upload(x, [M, K]), cpu.upload(toF16(w), [N, K]))),
      gpu.read(gpu.matmul(gpu.upload(x, [M, K]), gpu.upload(w, [N, K], 'weight'))),
    );
    expect(d).toBeLessThan(1e-5);
    // and the rounding is real: against unrounded weights the error is larger
    const d2 = await maxDiff(cpu.read(cpu.matmul(cpu.upload(x, [M, K]), cpu.upload(w, [N, K]))), gpu.read(gpu.matmul(gpu.upload(x, [M, K]), gpu.upload(w, [N, K], 'weight'))));
    expect(d2).toBeGreaterThan(d);
  });

  it('headMatmul, embedding and f16 weights used by other ops (f32 copy)', async () => {
    const w = rand(3 * 4 * 8, 3);
    const x = rand(2 * 3 * 8, 4);
    expect(await maxDiff(cpu.read(cpu.headMatmul(cpu.upload(x, [2, 24]), cpu.upload(toF16(w), [3, 4, 8]))), gpu.read(gpu.headMatmul(gpu.upload(x, [2, 24]), gpu.upload(w, [3, 4, 8], 'weight'))))).toBeLessThan(1e-5);
    // Heads wider than K = 8: 12 columns (whole vec4s, read packed) and 10 (not, so the kernel reads an f32 copy of the weight).
    for (const S of [12, 10]) {
      const xs = rand(2 * 3 * S, 6);
      expect(await maxDiff(cpu.read(cpu.headMatmul(cpu.upload(xs, [2, 3 * S]), cpu.upload(toF16(w), [3, 4, 8]))), gpu.read(gpu.headMatmul(gpu.upload(xs, [2, 3 * S]), gpu.upload(w, [3, 4, 8], 'weight'))))).toBeLessThan(1e-5);
    }
    const table = rand(10 * 8, 5);
    const ids = Int32Array.of(9, 0, 4);
    expect(await maxDiff(cpu.read(cpu.embedding(cpu.upload(toF16(table), [10, 8]), ids)), gpu.read(gpu.embedding(gpu.upload(table, [10, 8], 'weight'), ids)))).toBe(0);
    const wg = gpu.upload(table, [10, 8], 'weight');
    expect(await maxDiff(Promise.resolve(toF16(table)), gpu.read(wg))).toBe(0);
    expect(await maxDiff(cpu.read(cpu.scale(cpu.upload(toF16(table), [10, 8]), 2)), gpu.read(gpu.scale(wg, 2)))).toBe(0);
  });

  it.each([
    ['f16', 'F16'],
    ['auto', 'BF16'],
  ] as const)('tiny model, %s storage of a %s checkpoint, matches the CPU reference', async (mode, dtype) => {
    const dir = mkdtempSync(join(tmpdir(), 'r1-webgpu-f16-'));
    const ops = mode === 'f16' ? gpu : await createWebGpuOps({ weightDtype: 'auto' });
    try {
      initModel(dir, { preset: 'tiny', seed: 3, dtype });
      const ckpt = new Checkpoint(dir);
      const a = DeepSeekV3.load(cpu, ckpt);
      const before = ops.bytesAllocated;
      const b = DeepSeekV3.load(ops, ckpt);
      expect(ops.info().weightDtype).toBe('f16');
      // every matrix went to f16: the device holds little more than half of the f32 weight bytes
      expect(ops.bytesAllocated - before).toBeLessThan(0.55 * a.weightBytes());
      ckpt.close();
      const ids = [0, 5, 300, 42, 42, 7, 1];
      const n = ids.length;
      const spans = new Int32Array(4 * n);
      for (let t = 0; t < n; t++) spans.set([0, t + 1, 0, 0], 4 * t);
      const ar = Int32Array.from({ length: n }, (_, i) => i);
      const step = { ids: Int32Array.from(ids), positions: ar, cacheRows: ar, spans };
      const run = async (m: DeepSeekV3) => {
        const c = m.newCache(n);
        try {
          return await m.forward(step, c);
        } finally {
          m.freeCache(c);
        }
      };
      expect(await maxDiff(run(a), run(b))).toBeLessThan(2e-4);
      b.dispose();
    } finally {
      if (ops !== gpu) ops.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("'auto' keeps f32 for weights that f16 cannot hold exactly", async () => {
    const ops = await createWebGpuOps({ weightDtype: 'auto' });
    try {
      const w = rand(16 * 8, 9); // arbitrary f32 values
      const exact = toF16(rand(16 * 8, 10)); // f16-representable
      const x = rand(2 * 8, 11);
      const y1 = await ops.read(ops.matmul(ops.upload(x, [2, 8]), ops.upload(w, [16, 8], 'weight')));
      expect(ops.info().weightDtype).toBe('f32');
      const ref = await cpu.read(cpu.matmul(cpu.upload(x, [2, 8]), cpu.upload(w, [16, 8])));
      expect(await maxDiff(Promise.resolve(ref), Promise.resolve(y1))).toBeLessThan(1e-6);
      ops.upload(exact, [16, 8], 'weight');
      expect(ops.info().weightDtype).toBe('f16');
    } finally {
      ops.dispose();
    }
  });
});

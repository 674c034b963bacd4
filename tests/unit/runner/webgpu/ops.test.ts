// Every WebGPU op against the CPU reference on lavapipe (or whatever adapter the set-up provides).
// No skipping: if no adapter can be acquired, createWebGpuOps() throws and every test here fails loudly.
// Tolerance: max |gpu - cpu| <= ATOL + RTOL * max|cpu| per op (f32 kernels; differences come only from
// summation order and exp/rsqrt precision). Sizes are small and odd on purpose (tails, non-multiples of 4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuOps } from '../../../../src/runner/cpu/ops.js';
import type { GateConfig, Ops, Tensor } from '../../../../src/runner/ops.js';
import { createWebGpuOps, type WebGpuOps } from '../../../../src/runner/webgpu/index.js';

const ATOL = 1e-5;
const RTOL = 1e-5;

function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

let gpu: WebGpuOps & Ops;
const cpu = new CpuOps();

beforeAll(async () => {
  gpu = await createWebGpuOps();
}, 60_000);
afterAll(() => gpu?.dispose());

/** Run `f` on both backends with the same host inputs and compare the results. */
async function both(inputs: { data: Float32Array; shape: number[] }[], f: (o: Ops, ts: Tensor[]) => Tensor, tol = { atol: ATOL, rtol: RTOL }): Promise<Float32Array> {
  const run = async (o: Ops) => {
    const ts = inputs.map((i) => o.upload(i.data, i.shape));
    const y = f(o, ts);
    return { data: await o.read(y), shape: y.shape };
  };
  const a = await run(cpu);
  const b = await run(gpu);
  expect(b.shape).toEqual(a.shape);
  expect(b.data.length).toBe(a.data.length);
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < a.data.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(a.data[i]!));
    maxErr = Math.max(maxErr, Math.abs(a.data[i]! - b.data[i]!));
  }
  expect(Number.isFinite(maxErr)).toBe(true);
  expect(maxErr).toBeLessThanOrEqual(tol.atol + tol.rtol * maxRef);
  return b.data;
}

const T = (data: Float32Array, shape: number[]) => ({ data, shape });

describe('WebGPU ops vs CPU reference', () => {
  it('reports its adapter', () => {
    const info = gpu.info();
    expect(info.backend).toBe('webgpu');
    expect(info.device).toMatch(/\[vulkan/);
  });

  it.each([
    [1, 8, 16],
    [3, 5, 7],
    [8, 33, 64],
    [17, 40, 36],
    [64, 96, 128],
  ])('matmul M=%i N=%i K=%i', async (M, N, Kd) => {
    await both([T(rand(M * Kd, 1), [M, Kd]), T(rand(N * Kd, 2), [N, Kd])], (o, [x, w]) => o.matmul(x!, w!), { atol: 1e-5, rtol: 1e-5 * Math.sqrt(Kd) });
  });

  it.each([
    [1, 8, 16],
    [3, 5, 7],
    [6, 40, 36],
  ])('matmulAdd M=%i N=%i K=%i (matmul plus a residual)', async (M, N, Kd) => {
    await both([T(rand(M * Kd, 41), [M, Kd]), T(rand(N * Kd, 42), [N, Kd]), T(rand(M * N, 43, 5), [M, N])], (o, [x, w, r]) => o.matmulAdd(x!, w!, r!), { atol: 1e-5, rtol: 1e-5 * Math.sqrt(Kd) });
    expect(() => gpu.matmulAdd(gpu.zeros([M, Kd]), gpu.zeros([N, Kd]), gpu.zeros([M, N + 1]))).toThrow(/matmulAdd: .* need x \[M, K\], w \[N, K\], r \[M, N\]/);
  });

  it('writeLatentRows (norm + RoPE + cache write in one op) matches rmsnorm, rope, concatCols and writeRows', async () => {
    const [S, R, C, D] = [7, 3, 10, 6];
    const rows = Int32Array.from([4, 0, 6]);
    const inputs = [T(rand(S * (C + D), 44), [S, C + D]), T(rand(R * (C + D), 45, 3), [R, C + D]), T(rand(C, 46), [C]), T(rand((R * D) / 2, 47), [R, D / 2]), T(rand((R * D) / 2, 48), [R, D / 2])];
    const fused = await both(inputs, (o, [cache, kva, w, cs, sn]) => {
      const before = o.scale(cache!, 1); // enqueued before the write: must see the old rows
      o.writeLatentRows(cache!, kva!, w!, 1e-6, cs!, sn!, rows);
      return o.concatCols(before, cache!, 1);
    });
    // The same numbers as the unfused ops on the CPU reference, and untouched rows stay as they were.
    const c = inputs.map((i) => cpu.upload(i.data, i.shape));
    const [cache, kva, w, cs, sn] = c as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const old = await cpu.read(cache);
    cpu.writeRows(cache, cpu.concatCols(cpu.rmsnorm(cpu.sliceCols(kva, 1, 0, C), w, 1e-6), cpu.rope(cpu.sliceCols(kva, 1, C, D), cs, sn, 1), 1), rows);
    const ref = await cpu.read(cache);
    const N = C + D;
    for (let s = 0; s < S; s++)
      for (let j = 0; j < N; j++) {
        expect(fused[s * 2 * N + j]).toBe(old[s * N + j]);
        expect(Math.abs(fused[s * 2 * N + N + j]! - ref[s * N + j]!)).toBeLessThanOrEqual(1e-5 * 4);
      }
    expect(() => gpu.writeLatentRows(gpu.zeros([S, N]), gpu.zeros([R, N]), gpu.zeros([C]), 1e-6, gpu.zeros([R, D / 2]), gpu.zeros([R, D / 2]), Int32Array.from([0, S, 1]))).toThrow(/writeLatentRows: row 7 outside/);
  });

  it.each([
    [1, 3, 4, 8],
    [5, 2, 6, 5],
    [9, 4, 8, 16],
  ])('headMatmul M=%i H=%i N=%i K=%i', async (M, H, N, Kd) => {
    await both([T(rand(M * H * Kd, 3), [M, H * Kd]), T(rand(H * N * Kd, 4), [H, N, Kd])], (o, [x, w]) => o.headMatmul(x!, w!));
    // Heads wider than K (S = K + 4 and K + 3): each head reads only its first K columns.
    for (const S of [Kd + 4, Kd + 3]) await both([T(rand(M * H * S, 5), [M, H * S]), T(rand(H * N * Kd, 4), [H, N, Kd])], (o, [x, w]) => o.headMatmul(x!, w!));
  });

  it('rmsnorm', async () => {
    await both([T(rand(5 * 37, 5, 3), [5, 37]), T(rand(37, 6), [37])], (o, [x, w]) => o.rmsnorm(x!, w!, 1e-6));
  });

  it.each(['add', 'mul', 'siluMul'] as const)('%s', async (op) => {
    await both([T(rand(3 * 13, 7, 4), [3, 13]), T(rand(3 * 13, 8, 2), [3, 13])], (o, [a, b]) => o[op](a!, b!));
  });

  it('scale', async () => {
    await both([T(rand(3 * 13, 9), [3, 13])], (o, [x]) => o.scale(x!, -0.37));
  });

  it('softmax (large logits)', async () => {
    const y = await both([T(rand(4 * 50, 10, 30), [4, 50])], (o, [x]) => o.softmax(x!), { atol: 1e-6, rtol: 1e-5 });
    for (let r = 0; r < 4; r++) expect(y.subarray(r * 50, r * 50 + 50).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('embedding', async () => {
    const ids = Int32Array.from([3, 0, 9, 3]);
    await both([T(rand(10 * 6, 11), [10, 6])], (o, [tb]) => o.embedding(tb!, ids), { atol: 0, rtol: 0 });
  });

  it('sliceCols / concatCols / repeatCols', async () => {
    await both([T(rand(3 * 4 * 5, 12), [3, 20])], (o, [x]) => o.sliceCols(x!, 4, 1, 3), { atol: 0, rtol: 0 });
    await both([T(rand(3 * 8, 13), [3, 8]), T(rand(3 * 12, 14), [3, 12])], (o, [a, b]) => o.concatCols(a!, b!, 4), { atol: 0, rtol: 0 });
    await both([T(rand(3 * 5, 15), [3, 5])], (o, [x]) => o.repeatCols(x!, 3), { atol: 0, rtol: 0 });
  });

  it('gatherRows / scatterAddRows (repeated rows accumulate)', async () => {
    const rows = Int32Array.from([2, 0, 2, 4]);
    await both([T(rand(5 * 7, 16), [5, 7])], (o, [x]) => o.gatherRows(x!, rows), { atol: 0, rtol: 0 });
    const w = Float32Array.from([0.5, -1, 2, 0.25]);
    await both([T(rand(5 * 7, 17), [5, 7]), T(rand(4 * 7, 18), [4, 7])], (o, [d, s]) => o.scatterAddRows(d!, s!, rows, w));
  });

  // Router configurations of DeepSeek-V3 (sigmoid, bias, groups by top-2 sum), V2 (softmax, groups by max) and plain greedy.
  const gates: GateConfig[] = [
    { nRoutedExperts: 16, numExpertsPerTok: 4, nGroup: 4, topkGroup: 2, topkMethod: 'noaux_tc', scoringFunc: 'sigmoid', normTopkProb: true, routedScalingFactor: 2.5 },
    { nRoutedExperts: 12, numExpertsPerTok: 3, nGroup: 3, topkGroup: 2, topkMethod: 'group_limited_greedy', scoringFunc: 'softmax', normTopkProb: false, routedScalingFactor: 1 },
    { nRoutedExperts: 7, numExpertsPerTok: 2, nGroup: 1, topkGroup: 1, topkMethod: 'greedy', scoringFunc: 'softmax', normTopkProb: true, routedScalingFactor: 1 },
  ];
  it.each(gates)('moeRoute $topkMethod/$scoringFunc: the same experts as the host rule, weights within f32 rounding', async (gate) => {
    const E = gate.nRoutedExperts, M = 9;
    const inputs = [T(rand(M * E, 21, 3), [M, E]), T(rand(E, 22, 0.5), [E])];
    const experts = await both(inputs, (o, [l, b]) => o.moeRoute(l!, gate, b).experts, { atol: 0, rtol: 0 });
    await both(inputs, (o, [l, b]) => o.moeRoute(l!, gate, b).weights, { atol: 1e-6, rtol: 1e-6 });
    // The host rule picks distinct experts per token; the bias changes the choice (so it is really applied).
    for (let m = 0; m < M; m++) expect(new Set(experts.subarray(m * gate.numExpertsPerTok, (m + 1) * gate.numExpertsPerTok)).size).toBe(gate.numExpertsPerTok);
    if (gate.topkMethod === 'noaux_tc') {
      const unbiased = await both([inputs[0]!, T(new Float32Array(E), [E])], (o, [l, b]) => o.moeRoute(l!, gate, b).experts, { atol: 0, rtol: 0 });
      expect(Array.from(unbiased)).not.toEqual(Array.from(experts));
    }
  });

  it.each([
    [1, 24, 8, 6, 4],
    [5, 24, 12, 6, 3],
    [6, 21, 10, 5, 2],
  ])('moeExperts M=%i D=%i I=%i E=%i K=%i (experts may repeat within a token)', async (M, D, I, E, k) => {
    const ids = Float32Array.from({ length: M * k }, (_, a) => (a * 7 + Math.floor(a / k)) % E);
    ids[0] = ids[1 % (M * k)]!; // a repeated expert within the first token
    const inputs = [
      T(rand(M * D, 23), [M, D]),
      T(rand(M * D, 24), [M, D]),
      T(rand(E * I * D, 25, 0.3), [E, I, D]),
      T(rand(E * I * D, 26, 0.3), [E, I, D]),
      T(rand(E * D * I, 27, 0.3), [E, D, I]),
      T(ids, [M, k]),
      T(rand(M * k, 28), [M, k]),
    ];
    await both(inputs, (o, [dst, x, g, u, d, ex, w]) => o.moeExperts(dst!, x!, { gate: g!, up: u!, down: d! }, ex!, w!), { atol: 1e-5, rtol: 1e-5 * Math.sqrt(D) });
  });

  it('moeExperts with f16-stored expert weights reads them packed', async () => {
    const [M, D, I, E, k] = [3, 16, 8, 4, 2];
    const r = (n: number, seed: number) => Float32Array.from(rand(n, seed, 0.3), (v) => Math.round(v * 256) / 256); // exact in f16
    const host = { x: rand(M * D, 29), g: r(E * I * D, 30), u: r(E * I * D, 31), d: r(E * D * I, 32), ex: Float32Array.of(0, 3, 2, 0, 1, 3), w: rand(M * k, 33) };
    const run = async (o: Ops, kind: 'weight' | 'activation') => {
      const y = o.moeExperts(o.zeros([M, D]), o.upload(host.x, [M, D]), { gate: o.upload(host.g, [E, I, D], kind), up: o.upload(host.u, [E, I, D], kind), down: o.upload(host.d, [E, D, I], kind) }, o.upload(host.ex, [M, k]), o.upload(host.w, [M, k]));
      return o.read(y);
    };
    const f16 = await createWebGpuOps({ weightDtype: 'f16' });
    try {
      const [ref, got] = [await run(cpu, 'weight'), await run(f16, 'weight')];
      expect(f16.info().weightDtype).toBe('f16');
      for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(1e-5);
    } finally {
      f16.dispose();
    }
  });

  it('writeRows mutates the cache in place, after earlier reads of it', async () => {
    await both([T(rand(6 * 4, 19), [6, 4]), T(rand(2 * 4, 20), [2, 4])], (o, [c, s]) => {
      const before = o.scale(c!, 1); // enqueued before the write: must see the old rows
      o.writeRows(c!, s!, Int32Array.from([5, 1]));
      return o.concatCols(before, c!, 1);
    }, { atol: 0, rtol: 0 });
  });

  it('zeros', async () => {
    await both([], (o) => o.zeros([3, 5]), { atol: 0, rtol: 0 });
  });

  it('rope (interleaved pairs)', async () => {
    const M = 3, H = 2, R = 8;
    const ang = (s: number) => T(rand(M * (R / 2), s, 3), [M, R / 2]);
    const c = ang(21), s = ang(22);
    c.data = c.data.map(Math.cos);
    s.data = s.data.map(Math.sin);
    await both([T(rand(M * H * R, 23), [M, H * R]), c, s], (o, [x, cs, sn]) => o.rope(x!, cs!, sn!, H));
    // On a column slice of each head (q_pe inside q): the same numbers as slicing first.
    const S = 13, start = 5;
    const x = T(rand(M * H * S, 24), [M, H * S]);
    const sliced = await both([x, c, s], (o, [q, cs, sn]) => o.rope(q!, cs!, sn!, H, { start, len: R }));
    const ref = await both([x, c, s], (o, [q, cs, sn]) => o.rope(o.sliceCols(q!, H, start, R), cs!, sn!, H));
    expect(Array.from(sliced)).toEqual(Array.from(ref));
    expect(() => gpu.rope(gpu.zeros([M, H * S]), gpu.zeros([M, R / 2]), gpu.zeros([M, R / 2]), H, { start: 6, len: R })).toThrow(/rope: .* no even-width columns \[6, 14\)/);
  });

  it('attention (GQA, causal spans and two-range decode spans)', async () => {
    const H = 4, Hk = 2, Dk = 6, Dv = 5, S = 7;
    const q1 = T(rand(3 * H * Dk, 24), [3, H * Dk]);
    const k = T(rand(S * Hk * Dk, 25), [S, Hk * Dk]);
    const v = T(rand(S * Hk * Dv, 26), [S, Hk * Dv]);
    const spans = Int32Array.from([0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 5, 2]);
    await both([q1, k, v], (o, [q, kk, vv]) => o.attention(q!, kk!, vv!, spans, { heads: H, kvHeads: Hk, scale: 0.4 }));
  });

  it('mlaAttention (absorbed, latent cache)', async () => {
    const M = 3, H = 2, C = 12, R = 4, S = 9;
    const spans = Int32Array.from([0, 5, 0, 0, 0, 5, 5, 1, 0, 5, 7, 2]);
    await both(
      [T(rand(M * H * C, 27), [M, H * C]), T(rand(M * H * R, 28), [M, H * R]), T(rand(S * (C + R), 29), [S, C + R])],
      (o, [ql, qp, c]) => o.mlaAttention(ql!, qp!, c!, spans, { heads: H, latentDim: C, ropeDim: R, scale: 0.3 }),
    );
  });

  it('attention and mlaAttention in chunks of query rows give the same result', async () => {
    const chunked = await createWebGpuOps({ attentionScoreBytes: 64 }); // a chunk per query row
    try {
      const H = 2, C = 8, R = 4, S = 7, M = 5;
      const spans = new Int32Array(4 * M);
      for (let t = 0; t < M; t++) spans.set([0, t + 3, 0, 0], 4 * t);
      const inputs = [rand(M * H * C, 30), rand(M * H * R, 31), rand(S * (C + R), 32)];
      const run = async (o: Ops) => {
        const [ql, qp, c] = [o.upload(inputs[0]!, [M, H * C]), o.upload(inputs[1]!, [M, H * R]), o.upload(inputs[2]!, [S, C + R])];
        const a = await o.read(o.mlaAttention(ql, qp, c, spans, { heads: H, latentDim: C, ropeDim: R, scale: 0.3 }));
        const lat = o.sliceCols(c, 1, 0, C);
        const b = await o.read(o.attention(ql, lat, lat, spans, { heads: H, kvHeads: 1, scale: 0.3 }));
        return [...a, ...b];
      };
      const ref = await run(cpu);
      const got = await run(chunked);
      expect(got.length).toBe(ref.length);
      expect(Math.max(...ref.map((v, i) => Math.abs(v - got[i]!)))).toBeLessThan(1e-5);
    } finally {
      chunked.dispose();
    }
  });

  it('a SiLU MLP (gate and up matmuls over one x, then siluMul) runs as one dual-weight dispatch', async () => {
    const prof = await createWebGpuOps({ profile: true });
    try {
      for (const [M, N, Kd] of [[1, 24, 16], [6, 20, 12], [3, 9, 10]]) {
        const x = rand(M! * Kd!, 40), wg = rand(N! * Kd!, 41), wu = rand(N! * Kd!, 42);
        const run = async (o: Ops) => {
          const [gw, uw] = [o.upload(wg, [N!, Kd!], 'weight'), o.upload(wu, [N!, Kd!], 'weight')];
          const xt = o.upload(x, [M!, Kd!]);
          const g = o.matmul(xt, gw);
          const u = o.matmul(xt, uw);
          const h = o.siluMul(g, u);
          return [...(await o.read(h)), ...(await o.read(g)), ...(await o.read(u))]; // g and u stay valid
        };
        const ref = await run(cpu);
        const got = await run(prof);
        expect(Math.max(...ref.map((v, i) => Math.abs(v - got[i]!)))).toBeLessThan(1e-5);
      }
      const kernels = (await prof.profile()).map((k) => k.kernel);
      expect(kernels.some((k) => k.startsWith('matmul2:'))).toBe(true);
      expect(kernels.some((k) => k === 'binary:siluMul')).toBe(false);
      // Anything between the matmuls and siluMul breaks the pattern: still correct, not fused.
      const xt = prof.upload(rand(8, 43), [2, 4]);
      const w = prof.upload(rand(12, 44), [3, 4], 'weight');
      const g = prof.matmul(xt, w);
      const u = prof.matmul(xt, w);
      const s = prof.scale(g, 2);
      const h = prof.siluMul(s, u);
      const c = cpu.matmul(cpu.upload(rand(8, 43), [2, 4]), cpu.upload(rand(12, 44), [3, 4]));
      const ref = await cpu.read(cpu.siluMul(cpu.scale(c, 2), c));
      const got = await prof.read(h);
      expect(Math.max(...ref.map((v, i) => Math.abs(v - got[i]!)))).toBeLessThan(1e-5);
      expect((await prof.profile()).map((k) => k.kernel)).toContain('binary:siluMul');
    } finally {
      prof.dispose();
    }
  });

  it('rejects bad shapes with the op named', () => {
    const a = gpu.upload(rand(6, 1), [2, 3]);
    const b = gpu.upload(rand(8, 1), [2, 4]);
    expect(() => gpu.matmul(a, b)).toThrow(/matmul/);
    expect(() => gpu.add(a, b)).toThrow(/add: shapes/);
    expect(() => gpu.embedding(a, Int32Array.from([2]))).toThrow(/embedding: id 2/);
    gpu.free(a);
    expect(() => gpu.scale(a, 2)).toThrow(/freed/);
  });

  it('reports an asynchronous device validation error from the next read()', async () => {
    const other = await createWebGpuOps();
    try {
      const x = other.upload(rand(8, 3), [2, 4]);
      other.device.createBuffer({ size: 4, usage: 0 }); // invalid: surfaces as an uncaptured error
      await expect(other.read(x)).rejects.toThrow(/WebGPU device error: Buffer usages must not be 0/);
    } finally {
      other.dispose();
    }
  });

  it('trim() drops pooled buffers without breaking recorded work or live tensors', async () => {
    const x = gpu.upload(rand(64, 5), [8, 8]);
    const y = gpu.scale(x, 3);
    gpu.free(gpu.scale(x, 2)); // recorded, then pooled: trim must submit before destroying it
    gpu.trim();
    const got = await gpu.read(y);
    const xs = await gpu.read(x);
    expect(got[7]).toBeCloseTo(3 * xs[7]!, 6);
  });

  it('reuses freed buffers from the pool', async () => {
    const x = gpu.upload(rand(64, 2), [8, 8]);
    const before = gpu.bytesAllocated;
    for (let i = 0; i < 20; i++) gpu.free(gpu.scale(x, 2));
    expect(gpu.bytesAllocated - before).toBeLessThanOrEqual(256);
    const y = gpu.scale(x, 2);
    const got = await gpu.read(y);
    expect(got[5]).toBeCloseTo(2 * (await gpu.read(x))[5]!, 6);
  });
});

// The CPU reference's op semantics against hand-computed values (the WebGPU kernels are tested
// against this backend, so it must be right on its own).
import { describe, expect, it } from 'vitest';
import { createCpuOps } from '../../../src/runner/cpu/ops.js';

const ops = createCpuOps();
const T = (data: number[], shape: number[]) => ops.upload(Float32Array.from(data), shape);
const read = async (t: ReturnType<typeof T>): Promise<number[]> => Array.from(await ops.read(t));

describe('CPU ops', () => {
  it('matmul uses the [out, in] weight layout; headMatmul applies one matrix per head', async () => {
    expect(await read(ops.matmul(T([1, 2, 3, 4], [2, 2]), T([1, 0, 1, 1, 0, 2], [3, 2])))).toEqual([1, 3, 4, 3, 7, 8]);
    // x [1, 2 heads × 2], w [2 heads, 1 out, 2 in]
    expect(await read(ops.headMatmul(T([1, 2, 3, 4], [1, 4]), T([1, 1, 2, -1], [2, 1, 2])))).toEqual([3, 2]);
    expect(() => ops.matmul(T([1, 2], [1, 2]), T([1, 2, 3], [1, 3]))).toThrow(/matmul: .*inner dims differ/);
  });

  it('rmsnorm, siluMul, softmax, elementwise', async () => {
    const y = await read(ops.rmsnorm(T([3, 4], [1, 2]), T([1, 2], [2]), 0));
    expect(y[0]).toBeCloseTo(3 / Math.sqrt(12.5), 6);
    expect(y[1]).toBeCloseTo((2 * 4) / Math.sqrt(12.5), 6);
    const s = await read(ops.siluMul(T([0, 2], [1, 2]), T([5, 3], [1, 2])));
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo((2 / (1 + Math.exp(-2))) * 3, 6);
    const p = await read(ops.softmax(T([0, Math.log(3), 1000, 1000], [2, 2])));
    [0.25, 0.75, 0.5, 0.5].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 6));
    expect(await read(ops.add(T([1, 2], [2]), T([3, 4], [2])))).toEqual([4, 6]);
    expect(await read(ops.mul(T([1, 2], [2]), T([3, 4], [2])))).toEqual([3, 8]);
    expect(await read(ops.scale(T([1, 2], [2]), -2))).toEqual([-2, -4]);
    expect(() => ops.add(T([1], [1]), T([1, 2], [2]))).toThrow(/add: shapes differ/);
  });

  it('gathers, slices per group, concatenates per group, repeats, scatters and writes rows', async () => {
    expect(await read(ops.embedding(T([0, 1, 10, 11, 20, 21], [3, 2]), Int32Array.of(2, 0, 2)))).toEqual([20, 21, 0, 1, 20, 21]);
    expect(() => ops.embedding(T([0, 1], [1, 2]), Int32Array.of(1))).toThrow(/token id 1 at 0 is outside the vocabulary/);
    // [1, 2 groups × 3]: take column 1..2 of each group
    expect(await read(ops.sliceCols(T([1, 2, 3, 4, 5, 6], [1, 6]), 2, 1, 2))).toEqual([2, 3, 5, 6]);
    expect(await read(ops.concatCols(T([1, 2], [1, 2]), T([7, 8, 9, 10], [1, 4]), 2))).toEqual([1, 7, 8, 2, 9, 10]);
    expect(await read(ops.repeatCols(T([1, 2, 3, 4], [2, 2]), 2))).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
    expect(await read(ops.gatherRows(T([1, 2, 3, 4], [2, 2]), Int32Array.of(1, 1)))).toEqual([3, 4, 3, 4]);
    const dst = T([0, 0, 1, 1], [2, 2]);
    expect(await read(ops.scatterAddRows(dst, T([1, 2, 3, 4], [2, 2]), Int32Array.of(1, 1), Float32Array.of(2, -1)))).toEqual([0, 0, 0, 1]);
    expect(await read(dst)).toEqual([0, 0, 1, 1]); // not mutated
    const cache = ops.zeros([3, 2]);
    ops.writeRows(cache, T([5, 6], [1, 2]), Int32Array.of(2));
    expect(await read(cache)).toEqual([0, 0, 0, 0, 5, 6]);
    expect(() => ops.writeRows(cache, T([5, 6], [1, 2]), Int32Array.of(3))).toThrow(/row 3 is outside/);
  });

  it('attention attends over exactly the rows of both spans', async () => {
    // one head, dk = 1, dv = 1; keys k_t = t, values v_t = 10·t
    const k = T([0, 1, 2, 3, 4, 5], [6, 1]), v = T([0, 10, 20, 30, 40, 50], [6, 1]);
    const q = T([1, 1], [2, 1]);
    // row 0: rows {0,1}; row 1: rows {1} ∪ {4,5}
    const y = await read(ops.attention(q, k, v, Int32Array.of(0, 2, 0, 0, 1, 1, 4, 2), { heads: 1, kvHeads: 1, scale: 1 }));
    expect(y[0]).toBeCloseTo((0 * 1 + 10 * Math.E) / (1 + Math.E), 5);
    const w = [Math.exp(1), Math.exp(4), Math.exp(5)];
    expect(y[1]).toBeCloseTo((10 * w[0]! + 40 * w[1]! + 50 * w[2]!) / (w[0]! + w[1]! + w[2]!), 4);
    expect(() => ops.attention(q, k, v, Int32Array.of(0, 7, 0, 0, 0, 1, 0, 0), { heads: 1, kvHeads: 1, scale: 1 })).toThrow(/outside the 6 key rows/);
  });

  it('mlaAttention scores latent·latent + rope·rope and returns the weighted latents', async () => {
    // 1 head, latent 2, rope 1; cache rows [l0 l1 | r]
    const cache = T([1, 0, 0, /**/ 0, 1, 2], [2, 3]);
    const y = await read(ops.mlaAttention(T([1, 0], [1, 2]), T([1], [1, 1]), cache, Int32Array.of(0, 2, 0, 0), { heads: 1, latentDim: 2, ropeDim: 1, scale: 0.5 }));
    // s0 = 0.5·(1 + 0) = 0.5, s1 = 0.5·(0 + 2) = 1
    const p0 = Math.exp(0.5) / (Math.exp(0.5) + Math.exp(1));
    expect(y[0]).toBeCloseTo(p0, 6);
    expect(y[1]).toBeCloseTo(1 - p0, 6);
  });

  it('refuses freed tensors', () => {
    const t = T([1], [1]);
    ops.free(t);
    expect(() => ops.scale(t, 2)).toThrow(/scale: tensor was freed/);
  });
});

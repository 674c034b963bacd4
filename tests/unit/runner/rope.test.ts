import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../../src/runner/config.js';
import { createCpuOps } from '../../../src/runner/cpu/ops.js';
import { attentionScale, ropeCosSinScale, ropeInvFreq, ropeTables, yarnMscale, yarnRange } from '../../../src/runner/rope.js';

const V3_YARN = { type: 'yarn' as const, factor: 40, originalMaxPositionEmbeddings: 4096, betaFast: 32, betaSlow: 1, mscale: 1, mscaleAllDim: 1 };

describe('RoPE frequencies', () => {
  it('plain: θ_i = base^(-2i/d)', () => {
    const inv = ropeInvFreq({ qkRopeHeadDim: 8, ropeTheta: 10000, ropeScaling: null });
    [1, 0.1, 0.01, 0.001].forEach((v, i) => expect(inv[i]).toBeCloseTo(v, 12));
  });

  it("YaRN reproduces DeepSeek-V3's ramp (low 10, high 23) and attention scale 0.1352338", () => {
    expect(yarnRange(32, 1, 64, 10000, 4096)).toEqual([10, 23]);
    const inv = ropeInvFreq({ qkRopeHeadDim: 64, ropeTheta: 10000, ropeScaling: V3_YARN });
    const plain = (i: number): number => 10000 ** (-(2 * i) / 64);
    for (const i of [0, 5, 10]) expect(inv[i]).toBeCloseTo(plain(i), 14); // high frequencies kept
    for (const i of [23, 31]) expect(inv[i]).toBeCloseTo(plain(i) / 40, 14); // low frequencies interpolated
    const r = (16 - 10) / 13; // in between: linear blend
    expect(inv[16]).toBeCloseTo((plain(16) / 40) * r + plain(16) * (1 - r), 14);
    expect(yarnMscale(40, 1)).toBeCloseTo(1.368888, 6);
    expect(attentionScale({ qkNopeHeadDim: 128, qkRopeHeadDim: 64, ropeScaling: V3_YARN })).toBeCloseTo(0.1352338, 6);
    expect(attentionScale({ qkNopeHeadDim: 128, qkRopeHeadDim: 64, ropeScaling: null })).toBeCloseTo(0.0721688, 6);
    expect(ropeCosSinScale({ ropeScaling: V3_YARN })).toBe(1);
    expect(ropeCosSinScale({ ropeScaling: { ...V3_YARN, mscaleAllDim: 0 } })).toBeCloseTo(1.368888, 6);
  });

  it('config rope_scaling flows into the frequencies', () => {
    const raw = { vocab_size: 8, hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 1, kv_lora_rank: 4, qk_nope_head_dim: 4, qk_rope_head_dim: 64, v_head_dim: 4 };
    const cfg = parseModelConfig({ ...raw, rope_scaling: { type: 'yarn', factor: 40, original_max_position_embeddings: 4096, beta_fast: 32, beta_slow: 1, mscale: 1, mscale_all_dim: 1 } });
    expect(ropeInvFreq(cfg)[31]).toBeCloseTo(10000 ** (-62 / 64) / 40, 14);
  });
});

describe('interleaved RoPE op', () => {
  it('rotates pairs (x[2i], x[2i+1]) of every head by pos·θ_i', async () => {
    const ops = createCpuOps();
    const inv = Float64Array.of(Math.PI / 2, Math.PI);
    const { cos, sin } = ropeTables(inv, Int32Array.of(0, 1));
    // 2 rows (positions 0 and 1), 2 heads of 4 dims
    const x = Float32Array.of(1, 0, 2, 3, 5, 6, 7, 8, /* row 1 */ 1, 0, 2, 3, 5, 6, 7, 8);
    const y = await ops.read(ops.rope(ops.upload(x, [2, 8]), ops.upload(cos, [2, 2]), ops.upload(sin, [2, 2]), 2));
    const want = [1, 0, 2, 3, 5, 6, 7, 8, /* pos 1: +90° on pair 0, +180° on pair 1 */ 0, 1, -2, -3, -6, 5, -7, -8];
    want.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
  });
});

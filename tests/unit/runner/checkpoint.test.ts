// A checkpoint written by hand (not by init-model): sharded with an index, BF16 + FP8-with-block-scales
// + F32, no q LoRA, softmax routing limited by group max, no shared expert, tied embeddings, plain RoPE.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../../../src/runner/checkpoint.js';
import { parseModelConfig } from '../../../src/runner/config.js';
import { createCpuOps } from '../../../src/runner/cpu/ops.js';
import { bf16ToF32, f32ToBf16 } from '../../../src/runner/dtype.js';
import { DeepSeekV3 } from '../../../src/runner/model.js';
import { Prng } from '../../../src/runner/prng.js';
import { writeSafetensors, type TensorToWrite } from '../../../src/runner/safetensors.js';
import { maxAbsDiff, prefill, tmp } from './helpers.js';
import { referenceForward } from './reference.js';

const config = {
  architectures: ['DeepseekV3ForCausalLM'],
  vocab_size: 40, hidden_size: 24, intermediate_size: 40, moe_intermediate_size: 12, num_hidden_layers: 2, first_k_dense_replace: 1,
  num_attention_heads: 2, q_lora_rank: null, kv_lora_rank: 16, qk_nope_head_dim: 8, qk_rope_head_dim: 4, v_head_dim: 6,
  n_routed_experts: 6, n_shared_experts: null, num_experts_per_tok: 2, n_group: 3, topk_group: 2, topk_method: 'group_limited_greedy',
  scoring_func: 'softmax', norm_topk_prob: false, routed_scaling_factor: 1.5, rms_norm_eps: 1e-5, rope_theta: 500, rope_scaling: null,
  tie_word_embeddings: true, bos_token_id: 0, eos_token_id: [1, 2],
  quantization_config: { quant_method: 'fp8', fmt: 'e4m3', weight_block_size: [4, 4] },
};

// E4M3-exact values, so the dequantized weight is exactly q · scale
const FP8_LEVELS = [-1.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 0.875, 1, 1.25];

describe('loading a hand-written checkpoint', () => {
  const dir = tmp();
  const rng = new Prng(3);
  const expected = new Map<string, Float32Array>(); // f32 values the loader must produce
  const shards: TensorToWrite[][] = [[], []];
  const bf16 = (name: string, shape: number[], shard: number, mean = 0): void => {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => mean + 0.4 * rng.normal());
    shards[shard]!.push({ name, dtype: 'BF16', shape, data });
    expected.set(name, data.map((v) => bf16ToF32(f32ToBf16(v))));
  };
  const fp8 = (name: string, [o, i]: [number, number], shard: number): void => {
    const q = Float32Array.from({ length: o * i }, () => FP8_LEVELS[Math.floor(rng.next() * FP8_LEVELS.length)]!);
    const sh = [Math.ceil(o / 4), Math.ceil(i / 4)];
    const scale = Float32Array.from({ length: sh[0]! * sh[1]! }, (_, k) => 0.05 + 0.01 * k);
    shards[shard]!.push({ name, dtype: 'F8_E4M3', shape: [o, i], data: q });
    shards[shard]!.push({ name: `${name}_scale_inv`, dtype: 'F32', shape: sh, data: scale });
    expected.set(name, q.map((v, k) => v * scale[Math.floor(Math.floor(k / i) / 4) * sh[1]! + Math.floor((k % i) / 4)]!));
  };
  bf16('model.embed_tokens.weight', [40, 24], 0);
  for (let l = 0; l < 2; l++) {
    const p = `model.layers.${l}`, a = `${p}.self_attn`, s = l;
    bf16(`${p}.input_layernorm.weight`, [24], s, 1);
    bf16(`${p}.post_attention_layernorm.weight`, [24], s, 1);
    fp8(`${a}.q_proj.weight`, [2 * 12, 24], s);
    fp8(`${a}.kv_a_proj_with_mqa.weight`, [16 + 4, 24], s);
    bf16(`${a}.kv_a_layernorm.weight`, [16], s, 1);
    fp8(`${a}.kv_b_proj.weight`, [2 * (8 + 6), 16], s);
    fp8(`${a}.o_proj.weight`, [24, 2 * 6], s);
    const mlp = (q: string, inter: number): void => {
      fp8(`${q}.gate_proj.weight`, [inter, 24], s);
      fp8(`${q}.up_proj.weight`, [inter, 24], s);
      fp8(`${q}.down_proj.weight`, [24, inter], s);
    };
    if (l === 0) mlp(`${p}.mlp`, 40);
    else {
      bf16(`${p}.mlp.gate.weight`, [6, 24], s);
      for (let e = 0; e < 6; e++) mlp(`${p}.mlp.experts.${e}`, 12);
    }
  }
  bf16('model.norm.weight', [24], 1, 1);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const map: Record<string, string> = {};
  shards.forEach((tensors, k) => {
    const file = `model-0000${k + 1}-of-00002.safetensors`;
    writeSafetensors(join(dir, file), tensors);
    for (const t of tensors) map[t.name] = file;
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: map }));

  it('parses the config (null q LoRA, null shared experts, eos list)', () => {
    const cfg = parseModelConfig(config);
    expect(cfg.qLoraRank).toBeNull();
    expect(cfg.nSharedExperts).toBe(0);
    expect(cfg.eosTokenIds).toEqual([1, 2]);
    expect(cfg.ropeScaling).toBeNull();
  });

  it('reads every tensor from the right shard, dequantizing FP8 by block', () => {
    const ckpt = new Checkpoint(dir);
    for (const [name, want] of expected) expect(maxAbsDiff(ckpt.get(name), want), name).toBeLessThan(1e-6);
    expect(() => ckpt.get('model.norm.weight', [25])).toThrow(/has shape \[24\], expected \[25\]/);
    expect(() => ckpt.get('nope')).toThrow(/no tensor nope/);
    ckpt.close();
  });

  it('runs the model to the same logits as the independent reference', async () => {
    const ckpt = new Checkpoint(dir);
    const model = DeepSeekV3.load(createCpuOps(), ckpt);
    const cfg = ckpt.config;
    const inv = Array.from({ length: 2 }, (_, i) => 1 / 500 ** ((2 * i) / 4));
    const tokens = [0, 7, 39, 12, 5];
    const ref = referenceForward(cfg, expected, tokens, inv, 12 ** -0.5);
    const got = await prefill(model, tokens);
    expect(maxAbsDiff(got, ref.flat())).toBeLessThan(1e-4);
    expect(maxAbsDiff(await prefill(model, tokens, 'naive'), got)).toBeLessThan(1e-4);
    ckpt.close();
  });
});

describe('config.json validation', () => {
  const ok = { ...config };
  it('names the offending field', () => {
    expect(() => parseModelConfig({ ...ok, hidden_size: 'big' })).toThrow(/hidden_size must be a number/);
    expect(() => parseModelConfig({ ...ok, kv_lora_rank: undefined })).toThrow(/kv_lora_rank must be a number \(missing\)/);
    expect(() => parseModelConfig({ ...ok, scoring_func: 'relu' })).toThrow(/scoring_func must be one of sigmoid, softmax/);
    expect(() => parseModelConfig({ ...ok, rope_scaling: { type: 'linear', factor: 2 } })).toThrow(/rope_scaling.type must be "yarn"/);
    expect(() => parseModelConfig({ ...ok, rope_scaling: { type: 'yarn', factor: 4 } })).toThrow(/rope_scaling.original_max_position_embeddings/);
    expect(() => parseModelConfig({ ...ok, n_group: 4 })).toThrow(/divisible by n_group/);
    expect(() => parseModelConfig({ ...ok, num_experts_per_tok: 9 })).toThrow(/num_experts_per_tok/);
    expect(() => parseModelConfig({ ...ok, eos_token_id: 40 })).toThrow(/outside vocab_size/);
    expect(() => parseModelConfig([])).toThrow(/JSON object/);
  });
  it('reads the DeepSeek-V3 YaRN block and the reference convention q_lora_rank = 0', () => {
    const cfg = parseModelConfig({
      ...ok, q_lora_rank: 0,
      rope_scaling: { type: 'yarn', factor: 40, original_max_position_embeddings: 4096, beta_fast: 32, beta_slow: 1, mscale: 1.0, mscale_all_dim: 1.0 },
    });
    expect(cfg.qLoraRank).toBeNull();
    expect(cfg.ropeScaling).toEqual({ type: 'yarn', factor: 40, originalMaxPositionEmbeddings: 4096, betaFast: 32, betaSlow: 1, mscale: 1, mscaleAllDim: 1 });
  });
});

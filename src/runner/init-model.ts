// Writes a randomly initialised DeepSeek-V3-shaped checkpoint in Hugging Face layout:
// config.json, model.safetensors (BF16, F16 or F32), tokenizer.json (a byte-level BPE trained on
// the bundled corpus) and tokenizer_config.json (with a DeepSeek-R1-style chat template).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainByteLevelBpe } from './bpe-train.js';
import { isMoeLayer, parseModelConfig } from './config.js';
import { CORPUS } from './corpus.js';
import { Prng } from './prng.js';
import { writeSafetensors, type TensorToWrite } from './safetensors.js';

export const BOS = '<｜begin▁of▁sentence｜>';
export const EOS = '<｜end▁of▁sentence｜>';
const USER = '<｜User｜>';
const ASSISTANT = '<｜Assistant｜>';

const CHAT_TEMPLATE =
  "{{ bos_token }}{% for m in messages %}{% if m.role == 'system' %}{{ m.content }}{% elif m.role == 'user' %}" +
  USER +
  "{{ m.content }}{% elif m.role == 'assistant' %}" +
  ASSISTANT +
  '{{ m.content }}{{ eos_token }}{% endif %}{% endfor %}{% if add_generation_prompt %}' +
  ASSISTANT +
  '<think>\n{% endif %}';

const COMMON = {
  architectures: ['DeepseekV3ForCausalLM'],
  model_type: 'deepseek_v3',
  hidden_act: 'silu',
  attention_bias: false,
  moe_layer_freq: 1,
  topk_method: 'noaux_tc',
  scoring_func: 'sigmoid',
  norm_topk_prob: true,
  routed_scaling_factor: 2.5,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: false,
  bos_token_id: 0,
  eos_token_id: 1,
};

export const PRESETS = {
  /** For tests: q LoRA, YaRN, grouped routing with bias, 2 layers (1 dense + 1 MoE). */
  tiny: {
    ...COMMON,
    vocab_size: 512, hidden_size: 64, intermediate_size: 128, moe_intermediate_size: 32, num_hidden_layers: 2, first_k_dense_replace: 1,
    num_attention_heads: 4, num_key_value_heads: 4, q_lora_rank: 32, kv_lora_rank: 32, qk_nope_head_dim: 16, qk_rope_head_dim: 8, v_head_dim: 16,
    n_routed_experts: 8, n_shared_experts: 1, num_experts_per_tok: 2, n_group: 4, topk_group: 2, max_position_embeddings: 1024,
    rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 256, beta_fast: 32, beta_slow: 1, mscale: 1, mscale_all_dim: 1 },
  },
  /** For benches: ~26M parameters, 4 layers (1 dense + 3 MoE of 16 experts, 4 active), plain RoPE. */
  small: {
    ...COMMON,
    vocab_size: 2048, hidden_size: 512, intermediate_size: 1024, moe_intermediate_size: 256, num_hidden_layers: 4, first_k_dense_replace: 1,
    num_attention_heads: 8, num_key_value_heads: 8, q_lora_rank: 192, kv_lora_rank: 128, qk_nope_head_dim: 32, qk_rope_head_dim: 16, v_head_dim: 32,
    n_routed_experts: 16, n_shared_experts: 1, num_experts_per_tok: 4, n_group: 4, topk_group: 2, max_position_embeddings: 4096, rope_scaling: null,
  },
} as const;

export type PresetName = keyof typeof PRESETS;
export type WeightDtype = 'BF16' | 'F16' | 'F32';

/** Every tensor of a DeepSeek-V3 checkpoint for `config` (HF names and [out, in] shapes), randomly initialised. */
export function randomWeights(rawConfig: Record<string, unknown>, seed: number, dtype: WeightDtype): TensorToWrite[] {
  const cfg = parseModelConfig(rawConfig);
  const rng = new Prng(seed);
  const out: TensorToWrite[] = [];
  const { hiddenSize: d, numAttentionHeads: h, qkNopeHeadDim: dn, qkRopeHeadDim: dr, vHeadDim: dv, kvLoraRank: c } = cfg;
  const linear = (name: string, o: number, i: number): void => {
    const data = new Float32Array(o * i);
    const std = 1 / Math.sqrt(i);
    for (let k = 0; k < data.length; k++) data[k] = rng.normal() * std;
    out.push({ name, dtype, shape: [o, i], data });
  };
  const norm = (name: string, n: number): void => {
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++) data[k] = 1 + 0.1 * rng.normal();
    out.push({ name, dtype, shape: [n], data });
  };
  const mlp = (p: string, inter: number): void => {
    linear(`${p}.gate_proj.weight`, inter, d);
    linear(`${p}.up_proj.weight`, inter, d);
    linear(`${p}.down_proj.weight`, d, inter);
  };
  linear('model.embed_tokens.weight', cfg.vocabSize, 1); // std 1
  out[0]!.shape = [cfg.vocabSize, d];
  out[0]!.data = Float32Array.from({ length: cfg.vocabSize * d }, () => rng.normal());
  for (let l = 0; l < cfg.numHiddenLayers; l++) {
    const p = `model.layers.${l}`, a = `${p}.self_attn`;
    norm(`${p}.input_layernorm.weight`, d);
    norm(`${p}.post_attention_layernorm.weight`, d);
    if (cfg.qLoraRank === null) linear(`${a}.q_proj.weight`, h * (dn + dr), d);
    else {
      linear(`${a}.q_a_proj.weight`, cfg.qLoraRank, d);
      norm(`${a}.q_a_layernorm.weight`, cfg.qLoraRank);
      linear(`${a}.q_b_proj.weight`, h * (dn + dr), cfg.qLoraRank);
    }
    linear(`${a}.kv_a_proj_with_mqa.weight`, c + dr, d);
    norm(`${a}.kv_a_layernorm.weight`, c);
    linear(`${a}.kv_b_proj.weight`, h * (dn + dv), c);
    linear(`${a}.o_proj.weight`, d, h * dv);
    if (isMoeLayer(cfg, l)) {
      const m = `${p}.mlp`;
      linear(`${m}.gate.weight`, cfg.nRoutedExperts, d);
      out.push({ name: `${m}.gate.e_score_correction_bias`, dtype: 'F32', shape: [cfg.nRoutedExperts], data: Float32Array.from({ length: cfg.nRoutedExperts }, () => 0.05 * rng.normal()) });
      for (let e = 0; e < cfg.nRoutedExperts; e++) mlp(`${m}.experts.${e}`, cfg.moeIntermediateSize);
      if (cfg.nSharedExperts > 0) mlp(`${m}.shared_experts`, cfg.moeIntermediateSize * cfg.nSharedExperts);
    } else mlp(`${p}.mlp`, cfg.intermediateSize);
  }
  norm('model.norm.weight', d);
  if (!cfg.tieWordEmbeddings) linear('lm_head.weight', cfg.vocabSize, d);
  return out;
}

export interface InitOptions {
  preset: PresetName;
  seed: number;
  dtype: WeightDtype;
}

/** Write the whole checkpoint directory; returns the list of files written. */
export function initModel(dir: string, opts: InitOptions): string[] {
  const config: Record<string, unknown> = { ...PRESETS[opts.preset], torch_dtype: opts.dtype === 'F32' ? 'float32' : opts.dtype === 'F16' ? 'float16' : 'bfloat16' };
  mkdirSync(dir, { recursive: true });
  const tokenizer = trainByteLevelBpe(CORPUS, { vocabSize: config.vocab_size as number, specials: [BOS, EOS, USER, ASSISTANT], added: ['<think>', '</think>'] });
  const files = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeSafetensors(join(dir, 'model.safetensors'), randomWeights(config, opts.seed, opts.dtype), { format: 'pt' });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer) + '\n');
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ add_bos_token: true, add_eos_token: false, bos_token: BOS, eos_token: EOS, clean_up_tokenization_spaces: false, model_max_length: config.max_position_embeddings, tokenizer_class: 'LlamaTokenizerFast', chat_template: CHAT_TEMPLATE }, null, 2) + '\n',
  );
  return files;
}

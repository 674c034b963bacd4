// DeepSeek-V3 `config.json` (Hugging Face field names) -> a validated, defaulted ModelConfig.
// Errors name the field. Unknown fields are ignored (real configs carry many we do not use).

export interface YarnScaling {
  type: 'yarn';
  factor: number;
  originalMaxPositionEmbeddings: number;
  betaFast: number;
  betaSlow: number;
  mscale: number;
  mscaleAllDim: number;
}

export interface ModelConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  moeIntermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** null = direct q_proj (HF writes null, the reference writes 0: both map to null). */
  qLoraRank: number | null;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
  nRoutedExperts: number;
  nSharedExperts: number;
  numExpertsPerTok: number;
  firstKDenseReplace: number;
  moeLayerFreq: number;
  nGroup: number;
  topkGroup: number;
  topkMethod: 'noaux_tc' | 'greedy' | 'group_limited_greedy';
  scoringFunc: 'sigmoid' | 'softmax';
  normTopkProb: boolean;
  routedScalingFactor: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: YarnScaling | null;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** HF `rope_interleave` (default true: DeepSeek's complex-pair layout). false = rotate-half pairs (i, i + dr/2). */
  ropeInterleave: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
}

export class ModelConfigError extends Error {}

type Raw = Record<string, unknown>;

function num(raw: Raw, key: string, opts: { int?: boolean; min?: number; def?: number } = {}): number {
  const v = raw[key] ?? opts.def;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelConfigError(`config.json: ${key} must be a number${v === undefined ? ' (missing)' : `, got ${JSON.stringify(v)}`}`);
  if (opts.int && !Number.isInteger(v)) throw new ModelConfigError(`config.json: ${key} must be an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new ModelConfigError(`config.json: ${key} must be ≥ ${opts.min}, got ${v}`);
  return v;
}

function bool(raw: Raw, key: string, def: boolean): boolean {
  const v = raw[key] ?? def;
  if (typeof v !== 'boolean') throw new ModelConfigError(`config.json: ${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(raw: Raw, key: string, allowed: readonly T[], def: T): T {
  const v = raw[key] ?? def;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new ModelConfigError(`config.json: ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

function parseRopeScaling(v: unknown): YarnScaling | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ModelConfigError('config.json: rope_scaling must be an object or null');
  const r = v as Raw;
  const type = r.type ?? r.rope_type;
  if (type !== 'yarn') throw new ModelConfigError(`config.json: rope_scaling.type must be "yarn" (or rope_scaling null), got ${JSON.stringify(type)}`);
  const sub = (key: string, def?: number, min?: number): number => {
    try {
      return num(r, key, { ...(def !== undefined && { def }), ...(min !== undefined && { min }) });
    } catch (e) {
      throw new ModelConfigError((e as Error).message.replace(`config.json: ${key}`, `config.json: rope_scaling.${key}`));
    }
  };
  return {
    type: 'yarn',
    factor: sub('factor', undefined, 1),
    originalMaxPositionEmbeddings: sub('original_max_position_embeddings', undefined, 1),
    betaFast: sub('beta_fast', 32),
    betaSlow: sub('beta_slow', 1),
    mscale: sub('mscale', 1),
    mscaleAllDim: sub('mscale_all_dim', 0),
  };
}

function eosIds(v: unknown): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => Number.isInteger(x) && (x as number) >= 0)) throw new ModelConfigError(`config.json: eos_token_id must be a token id or a list of them, got ${JSON.stringify(v)}`);
  return list as number[];
}

export function parseModelConfig(raw: unknown): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelConfigError('config.json must hold a JSON object');
  const r = raw as Raw;
  const qLora = r.q_lora_rank;
  const cfg: ModelConfig = {
    vocabSize: num(r, 'vocab_size', { int: true, min: 1 }),
    hiddenSize: num(r, 'hidden_size', { int: true, min: 1 }),
    intermediateSize: num(r, 'intermediate_size', { int: true, min: 1 }),
    moeIntermediateSize: num(r, 'moe_intermediate_size', { int: true, min: 1, def: 1 }),
    numHiddenLayers: num(r, 'num_hidden_layers', { int: true, min: 1 }),
    numAttentionHeads: num(r, 'num_attention_heads', { int: true, min: 1 }),
    qLoraRank: qLora === null || qLora === undefined || qLora === 0 ? null : num(r, 'q_lora_rank', { int: true, min: 1 }),
    kvLoraRank: num(r, 'kv_lora_rank', { int: true, min: 1 }),
    qkNopeHeadDim: num(r, 'qk_nope_head_dim', { int: true, min: 0 }),
    qkRopeHeadDim: num(r, 'qk_rope_head_dim', { int: true, min: 2 }),
    vHeadDim: num(r, 'v_head_dim', { int: true, min: 1 }),
    nRoutedExperts: r.n_routed_experts === null ? 0 : num(r, 'n_routed_experts', { int: true, min: 0, def: 0 }),
    nSharedExperts: r.n_shared_experts === null ? 0 : num(r, 'n_shared_experts', { int: true, min: 0, def: 0 }),
    numExpertsPerTok: r.num_experts_per_tok === null ? 0 : num(r, 'num_experts_per_tok', { int: true, min: 0, def: 0 }),
    firstKDenseReplace: num(r, 'first_k_dense_replace', { int: true, min: 0, def: 0 }),
    moeLayerFreq: num(r, 'moe_layer_freq', { int: true, min: 1, def: 1 }),
    nGroup: r.n_group === null ? 1 : num(r, 'n_group', { int: true, min: 1, def: 1 }),
    topkGroup: r.topk_group === null ? 1 : num(r, 'topk_group', { int: true, min: 1, def: 1 }),
    topkMethod: oneOf(r, 'topk_method', ['noaux_tc', 'greedy', 'group_limited_greedy'] as const, 'greedy'),
    scoringFunc: oneOf(r, 'scoring_func', ['sigmoid', 'softmax'] as const, 'softmax'),
    normTopkProb: bool(r, 'norm_topk_prob', false),
    routedScalingFactor: num(r, 'routed_scaling_factor', { def: 1 }),
    rmsNormEps: num(r, 'rms_norm_eps', { min: 0, def: 1e-6 }),
    ropeTheta: num(r, 'rope_theta', { min: 1, def: 10000 }),
    ropeScaling: parseRopeScaling(r.rope_scaling),
    maxPositionEmbeddings: num(r, 'max_position_embeddings', { int: true, min: 1, def: 4096 }),
    tieWordEmbeddings: bool(r, 'tie_word_embeddings', false),
    ropeInterleave: bool(r, 'rope_interleave', true),
    bosTokenId: r.bos_token_id === null || r.bos_token_id === undefined ? null : num(r, 'bos_token_id', { int: true, min: 0 }),
    eosTokenIds: eosIds(r.eos_token_id),
  };
  if (cfg.qkRopeHeadDim % 2 !== 0) throw new ModelConfigError(`config.json: qk_rope_head_dim must be even, got ${cfg.qkRopeHeadDim}`);
  if (cfg.nRoutedExperts > 0) {
    if (cfg.numExpertsPerTok < 1 || cfg.numExpertsPerTok > cfg.nRoutedExperts)
      throw new ModelConfigError(`config.json: num_experts_per_tok must be in [1, n_routed_experts=${cfg.nRoutedExperts}], got ${cfg.numExpertsPerTok}`);
    if (cfg.nRoutedExperts % cfg.nGroup !== 0) throw new ModelConfigError(`config.json: n_routed_experts (${cfg.nRoutedExperts}) must be divisible by n_group (${cfg.nGroup})`);
    if (cfg.topkGroup > cfg.nGroup) throw new ModelConfigError(`config.json: topk_group (${cfg.topkGroup}) must be ≤ n_group (${cfg.nGroup})`);
    if (cfg.nGroup > 1 && cfg.topkGroup * (cfg.nRoutedExperts / cfg.nGroup) < cfg.numExpertsPerTok)
      throw new ModelConfigError(`config.json: topk_group × experts per group must be ≥ num_experts_per_tok (${cfg.numExpertsPerTok})`);
  }
  for (const id of [cfg.bosTokenId, ...cfg.eosTokenIds])
    if (id !== null && id >= cfg.vocabSize) throw new ModelConfigError(`config.json: special token id ${id} is outside vocab_size ${cfg.vocabSize}`);
  return cfg;
}

/** Whether layer i uses the MoE block (DeepSeek-V3: i ≥ first_k_dense_replace and i % moe_layer_freq == 0). */
export function isMoeLayer(cfg: ModelConfig, i: number): boolean {
  return cfg.nRoutedExperts > 0 && i >= cfg.firstKDenseReplace && i % cfg.moeLayerFreq === 0;
}

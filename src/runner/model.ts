// The DeepSeek-V3 model (MLA + DeepSeekMoE) written once over the `Ops` backend interface.
//
//   h = embed[tokens]
//   for each layer:  h += MLA(RMSNorm(h));  h += FFN(RMSNorm(h))      (FFN: dense MLP or MoE)
//   logits = lm_head(RMSNorm(h))
//
// MLA (per token; H heads, dn = qk_nope, dr = qk_rope, dv = v_head, c = kv_lora_rank):
//   q       = W_qb · RMSNorm(W_qa · x)   or  W_q · x                  [H, dn+dr] -> q_nope | q_pe
//   [ckv | k_pe] = W_kva · x;  latent = RMSNorm(ckv);  k_pe, q_pe get interleaved RoPE
//   cache row = [latent (c) | roped k_pe (dr)]   — all that is ever stored per token per layer
//   absorbed: s_t = scale·((W_UKᵀ q_nope_h)·latent_t + q_pe_h·k_pe_t); o_h = W_UV_h · Σ_t p_t latent_t
//   naive:    k_h = [W_UK_h latent | k_pe], v_h = W_UV_h latent; standard attention (same numbers)
//   out = W_o · concat_h(o_h)
// MoE: routing (moe-gate.ts's rule) and the routed experts stay on the device (moeRoute, moeExperts), so a
// forward pass reads back only its logits; shared experts always on.
import type { Checkpoint } from './checkpoint.js';
import { isMoeLayer, type ModelConfig } from './config.js';
import type { ExpertStack, Ops, Spans, Tensor } from './ops.js';
import { attentionScale, ropeCosSinScale, ropeInvFreq, ropeTables } from './rope.js';
import { scoped } from './scope.js';

/** eps of q_a_layernorm and kv_a_layernorm (HF builds them with the default 1e-6, not rms_norm_eps). */
const LATENT_NORM_EPS = 1e-6;

interface Mlp {
  gate: Tensor;
  up: Tensor;
  down: Tensor;
}
interface Moe {
  router: Tensor;
  /** e_score_correction_bias [E]. */
  bias: Tensor | undefined;
  experts: ExpertStack;
  shared: Mlp | undefined;
}
interface Layer {
  inputNorm: Tensor;
  postNorm: Tensor;
  q?: Tensor; // q_proj (no q LoRA)
  qA?: Tensor;
  qANorm?: Tensor;
  qB?: Tensor;
  kvA: Tensor;
  kvANorm: Tensor;
  kvB: Tensor; // [H*(dn+dv), c], for the naive path
  wUKT: Tensor; // [H, c, dn]: q_lat_h = W_UK_hᵀ · q_nope_h
  wUV: Tensor; // [H, dv, c]: o_h = W_UV_h · o_lat_h
  o: Tensor;
  ffn: Mlp | Moe;
}

/** Per-layer latent caches: [capacity, kv_lora_rank + qk_rope_head_dim] each. */
export interface KvCache {
  layers: Tensor[];
  capacity: number;
}

/** One forward call: M tokens at given positions, written to given cache rows, attending over spans. */
export interface Step {
  ids: Int32Array;
  positions: Int32Array;
  /** Cache row each token's latent and rope key are written to. */
  cacheRows: Int32Array;
  /** Key rows each token attends to (see Spans in ops.ts); must include its own row. */
  spans: Spans;
}

export type AttentionMode = 'absorbed' | 'naive';

export interface ForwardOptions {
  attention?: AttentionMode;
  /** Rows (of the step) whose logits to compute; default all. */
  logitRows?: Int32Array;
}

export class DeepSeekV3 {
  private readonly invFreq: Float64Array;
  private readonly ropeMscale: number;
  readonly scale: number;

  private constructor(
    readonly ops: Ops,
    readonly cfg: ModelConfig,
    private readonly embed: Tensor,
    private readonly layers: Layer[],
    private readonly norm: Tensor,
    private readonly lmHead: Tensor,
    private readonly owned: Tensor[],
  ) {
    this.invFreq = ropeInvFreq(cfg);
    this.ropeMscale = ropeCosSinScale(cfg);
    this.scale = attentionScale(cfg);
  }

  /** Upload a checkpoint's weights (converted to f32) to the backend. */
  static load(ops: Ops, ckpt: Checkpoint): DeepSeekV3 {
    const cfg = ckpt.config;
    const { hiddenSize: d, numAttentionHeads: h, qkNopeHeadDim: dn, qkRopeHeadDim: dr, vHeadDim: dv, kvLoraRank: c } = cfg;
    const owned: Tensor[] = [];
    const up = (data: Float32Array, shape: number[]): Tensor => {
      const t = ops.upload(data, shape, 'weight');
      owned.push(t);
      return t;
    };
    const w = (name: string, shape: number[]): Tensor => up(ckpt.get(name, shape), shape);
    // Rotate-half checkpoints (rope_interleave false) pair dims (i, i + dr/2). Permuting the rope rows of the
    // projections that produce q_pe and k_pe into (2i, 2i+1) order gives the same scores with interleaved RoPE.
    const ropeRows = (name: string, shape: [number, number], groups: number, before: number): Tensor => {
      const data = ckpt.get(name, shape);
      if (cfg.ropeInterleave) return up(data, shape);
      const cols = shape[1], out = Float32Array.from(data), half = dr / 2;
      for (let g = 0; g < groups; g++)
        for (let i = 0; i < dr; i++) {
          const src = g * (before + dr) + before + (i % 2 === 0 ? i / 2 : half + (i - 1) / 2);
          out.set(data.subarray(src * cols, (src + 1) * cols), (g * (before + dr) + before + i) * cols);
        }
      return up(out, shape);
    };
    const mlp = (p: string, inter: number): Mlp => ({
      gate: w(`${p}.gate_proj.weight`, [inter, d]),
      up: w(`${p}.up_proj.weight`, [inter, d]),
      down: w(`${p}.down_proj.weight`, [d, inter]),
    });
    // Routed experts stacked per projection ([E, I, D] and [E, D, I]) for moeExperts.
    const stack = (p: string, n: number, proj: string, shape: [number, number]): Tensor => {
      const one = shape[0] * shape[1], data = new Float32Array(n * one);
      for (let e = 0; e < n; e++) data.set(ckpt.get(`${p}.${e}.${proj}.weight`, shape), e * one);
      return up(data, [n, ...shape]);
    };
    const experts = (p: string, n: number, inter: number): ExpertStack => ({
      gate: stack(p, n, 'gate_proj', [inter, d]),
      up: stack(p, n, 'up_proj', [inter, d]),
      down: stack(p, n, 'down_proj', [d, inter]),
    });
    const layers: Layer[] = [];
    for (let i = 0; i < cfg.numHiddenLayers; i++) {
      const p = `model.layers.${i}`;
      const a = `${p}.self_attn`;
      const kvB = ckpt.get(`${a}.kv_b_proj.weight`, [h * (dn + dv), c]);
      const wUKT = new Float32Array(h * c * dn), wUV = new Float32Array(h * dv * c);
      for (let hh = 0; hh < h; hh++) {
        for (let r = 0; r < dn; r++) for (let k = 0; k < c; k++) wUKT[(hh * c + k) * dn + r] = kvB[(hh * (dn + dv) + r) * c + k]!;
        wUV.set(kvB.subarray((hh * (dn + dv) + dn) * c, (hh + 1) * (dn + dv) * c), hh * dv * c);
      }
      let ffn: Mlp | Moe;
      if (isMoeLayer(cfg, i)) {
        const m = `${p}.mlp`;
        ffn = {
          router: w(`${m}.gate.weight`, [cfg.nRoutedExperts, d]),
          bias: ckpt.has(`${m}.gate.e_score_correction_bias`) ? w(`${m}.gate.e_score_correction_bias`, [cfg.nRoutedExperts]) : undefined,
          experts: experts(`${m}.experts`, cfg.nRoutedExperts, cfg.moeIntermediateSize),
          shared: cfg.nSharedExperts > 0 ? mlp(`${m}.shared_experts`, cfg.moeIntermediateSize * cfg.nSharedExperts) : undefined,
        };
      } else ffn = mlp(`${p}.mlp`, cfg.intermediateSize);
      const qPath =
        cfg.qLoraRank === null
          ? { q: ropeRows(`${a}.q_proj.weight`, [h * (dn + dr), d], h, dn) }
          : {
              qA: w(`${a}.q_a_proj.weight`, [cfg.qLoraRank, d]),
              qANorm: w(`${a}.q_a_layernorm.weight`, [cfg.qLoraRank]),
              qB: ropeRows(`${a}.q_b_proj.weight`, [h * (dn + dr), cfg.qLoraRank], h, dn),
            };
      layers.push({
        inputNorm: w(`${p}.input_layernorm.weight`, [d]),
        postNorm: w(`${p}.post_attention_layernorm.weight`, [d]),
        ...qPath,
        kvA: ropeRows(`${a}.kv_a_proj_with_mqa.weight`, [c + dr, d], 1, c),
        kvANorm: w(`${a}.kv_a_layernorm.weight`, [c]),
        kvB: up(kvB, [h * (dn + dv), c]),
        wUKT: up(wUKT, [h, c, dn]),
        wUV: up(wUV, [h, dv, c]),
        o: w(`${a}.o_proj.weight`, [d, h * dv]),
        ffn,
      });
    }
    const embed = w('model.embed_tokens.weight', [cfg.vocabSize, d]);
    const lmHead = cfg.tieWordEmbeddings || !ckpt.has('lm_head.weight') ? embed : w('lm_head.weight', [cfg.vocabSize, d]);
    if (!cfg.tieWordEmbeddings && lmHead === embed) throw new Error(`${ckpt.dir}: no lm_head.weight and tie_word_embeddings is false`);
    return new DeepSeekV3(ops, cfg, embed, layers, w('model.norm.weight', [d]), lmHead, owned);
  }

  /** A zeroed latent cache with room for `capacity` token rows per layer. */
  newCache(capacity: number): KvCache {
    const width = this.cfg.kvLoraRank + this.cfg.qkRopeHeadDim;
    return { layers: this.layers.map(() => this.ops.zeros([capacity, width])), capacity };
  }

  freeCache(cache: KvCache): void {
    for (const t of cache.layers) this.ops.free(t);
  }

  /** Run M tokens through the model, appending them to the cache; returns logits [R, vocab] (row-major) of `logitRows`. */
  async forward(step: Step, cache: KvCache, opts: ForwardOptions = {}): Promise<Float32Array> {
    const cfg = this.cfg, m = step.ids.length, eps = cfg.rmsNormEps;
    if (step.positions.length !== m || step.cacheRows.length !== m) throw new Error('forward: ids, positions and cacheRows must have the same length');
    const { ops: o, release } = scoped(this.ops);
    const { cos: cosH, sin: sinH } = ropeTables(this.invFreq, step.positions, this.ropeMscale);
    const cos = o.upload(cosH, [m, cfg.qkRopeHeadDim / 2]), sin = o.upload(sinH, [m, cfg.qkRopeHeadDim / 2]);
    let x = o.embedding(this.embed, step.ids);
    try {
      for (let i = 0; i < this.layers.length; i++) {
        const L = this.layers[i]!;
        x = this.attention(o, L, x, o.rmsnorm(x, L.inputNorm, eps), cos, sin, cache.layers[i]!, step, opts.attention ?? 'absorbed');
        const h = o.rmsnorm(x, L.postNorm, eps);
        x = 'router' in L.ffn ? this.moe(o, L.ffn, h, x) : this.mlp(o, L.ffn, h, x);
        release([x, cos, sin]);
      }
      const rows = opts.logitRows ? o.gatherRows(x, opts.logitRows) : x;
      return await o.read(o.matmul(o.rmsnorm(rows, this.norm, eps), this.lmHead));
    } finally {
      release();
    }
  }

  /** x + MLA(x_normed): the residual is added by the output projection. */
  private attention(o: Ops, L: Layer, residual: Tensor, x: Tensor, cos: Tensor, sin: Tensor, cache: Tensor, step: Step, mode: AttentionMode): Tensor {
    const { numAttentionHeads: h, qkNopeHeadDim: dn, qkRopeHeadDim: dr, vHeadDim: dv, kvLoraRank: c } = this.cfg;
    const q = L.q ? o.matmul(x, L.q) : o.matmul(o.rmsnorm(o.matmul(x, L.qA!), L.qANorm!, LATENT_NORM_EPS), L.qB!);
    const qPe = o.rope(q, cos, sin, h, { start: dn, len: dr });
    const kva = o.matmul(x, L.kvA);
    o.writeLatentRows(cache, kva, L.kvANorm, LATENT_NORM_EPS, cos, sin, step.cacheRows);
    let out: Tensor;
    if (mode === 'absorbed') {
      // headMatmul reads each head's first dn columns of q: q_nope without a copy.
      const oLat = o.mlaAttention(o.headMatmul(q, L.wUKT), qPe, cache, step.spans, { heads: h, latentDim: c, ropeDim: dr, scale: this.scale });
      out = o.headMatmul(oLat, L.wUV);
    } else {
      // Decompress every cache row any query needs into full per-head keys and values.
      let s = 0;
      for (let r = 0; r < step.ids.length; r++) s = Math.max(s, step.spans[4 * r]! + step.spans[4 * r + 1]!, step.spans[4 * r + 2]! + step.spans[4 * r + 3]!);
      const kv = o.gatherRows(cache, Int32Array.from({ length: s }, (_, i) => i));
      const kvb = o.matmul(o.sliceCols(kv, 1, 0, c), L.kvB); // [S, H*(dn+dv)]
      const k = o.concatCols(o.sliceCols(kvb, h, 0, dn), o.repeatCols(o.sliceCols(kv, 1, c, dr), h), h);
      out = o.attention(o.concatCols(o.sliceCols(q, h, 0, dn), qPe, h), k, o.sliceCols(kvb, h, dn, dv), step.spans, { heads: h, kvHeads: h, scale: this.scale });
    }
    return o.matmulAdd(out, L.o, residual);
  }

  /** residual + SiLU MLP(x). */
  private mlp(o: Ops, w: Mlp, x: Tensor, residual: Tensor): Tensor {
    return o.matmulAdd(o.siluMul(o.matmul(x, w.gate), o.matmul(x, w.up)), w.down, residual);
  }

  /** residual + shared experts(x) + routed experts(x). */
  private moe(o: Ops, w: Moe, x: Tensor, residual: Tensor): Tensor {
    const { experts, weights } = o.moeRoute(o.matmul(x, w.router), this.cfg, w.bias);
    return o.moeExperts(w.shared ? this.mlp(o, w.shared, x, residual) : residual, x, w.experts, experts, weights);
  }

  /** Bytes of weights held on the device (matrices in the backend's weight dtype, vectors in f32). */
  weightBytes(): number {
    const matrix = this.ops.info().weightDtype === 'f16' ? 2 : 4;
    return [...new Set(this.owned)].reduce((a, t) => a + (t.shape.length > 1 ? matrix : 4) * t.shape.reduce((p, q) => p * q, 1), 0);
  }

  dispose(): void {
    for (const t of new Set(this.owned)) this.ops.free(t);
  }
}

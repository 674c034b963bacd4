// The backend interface the model (src/runner/model.ts) is written against. Two implementations:
// the CPU reference (src/runner/cpu/) and WebGPU (src/runner/webgpu/, `createWebGpuOps()`).
//
// Design rules (GPU efficiency):
// - Tensors are opaque device handles; every op ENQUEUES work and returns a new tensor at once
//   (synchronously). Only `read()` is async and waits for the device, so a whole layer or decode
//   step is recorded with no readback in between (the model reads back logits once per step and
//   the MoE router scores once per MoE layer — see `gatherRows`/`scatterAddRows`).
// - All values are f32 in the interface. Weights are uploaded once with `upload(..., 'weight')`
//   (the loader converts F16/BF16/FP8 to f32 first); a backend may store 'weight' tensors in f16
//   internally if it says so in `info().weightDtype` (tolerances in tests then loosen).
// - Ops never mutate their inputs, except `writeRows` (the KV cache) — documented there.
// - Shapes are row-major. A "[M, H*D]" tensor is a 2-D tensor of M rows whose row is H heads
//   of D numbers each, head-major (head h occupies columns h*D .. h*D+D-1).
// - Host-side arguments (token ids, row lists, spans, weights of routed experts) are plain
//   typed arrays; a backend uploads them as small uniform/storage buffers.
// - MoE routing stays on the DEVICE: the model computes router logits x·W_gateᵀ with `matmul`, picks
//   experts with `moeRoute` (the rule of src/runner/moe-gate.ts) and runs every routed expert of every
//   token with one `moeExperts` call, so a forward pass reads back only its logits. (`gatherRows` and
//   `scatterAddRows` remain for host-routed use.)
// - Every op checks its shapes and throws an Error naming the op and the mismatch.
//
// Tolerances: the CPU reference accumulates in f32 (Math.fround not enforced; JS numbers are
// f64 during accumulation). WebGPU kernels should match it within ~1e-4 relative for f32
// weights at the sizes of the tiny/small presets.

import type { GateConfig } from './moe-gate.js';

export type { GateConfig };

/** An opaque device tensor. `shape` is known on the host without a readback. */
export interface Tensor {
  readonly shape: readonly number[];
}

/** Which physical storage and device a backend uses — printed by the CLI and benches. */
export interface OpsInfo {
  /** 'cpu' or 'webgpu'. */
  backend: string;
  /** Human-readable device, e.g. "llvmpipe: Mesa 25.0.7 (vulkan)" or the CPU model. */
  device: string;
  /** Storage of 'weight' tensors: 'f32' or 'f16'. */
  weightDtype: 'f32' | 'f16';
}

/**
 * Two key-row ranges per query row, packed as Int32Array [M*4]:
 * for query row m, keys are rows [s0, s0+n0) ∪ [s1, s1+n1) of the key tensor(s), in that order,
 * where (s0, n0, s1, n1) = spans[4m .. 4m+3]. n0+n1 must be ≥ 1.
 * - causal prefill of a T-token prompt: row t -> (0, t+1, 0, 0)
 * - batched decode of G samples sharing a P-token prompt cache, sample g at its step i whose own rows
 *   start at base_g: row g -> (0, P, base_g, i+1)
 */
export type Spans = Int32Array;

/** Stacked routed-expert weights: gate and up [E, I, D], down [E, D, I] (expert e's SiLU MLP is slice e). */
export interface ExpertStack {
  gate: Tensor;
  up: Tensor;
  down: Tensor;
}

/** Rope only columns [start, start+len) of each head of x [M, H*S]: the result is [M, H*len], as rope(sliceCols(x, H, start, len)). */
export interface RopeSlice {
  start: number;
  len: number;
}

export interface Ops {
  info(): OpsInfo;

  // ---------------------------------------------------------------- memory

  /** Copy host data to a new device tensor of `shape` (data.length == prod(shape)).
   *  kind 'weight': uploaded once, read many times (a backend may store it as f16);
   *  kind 'activation' (default): per-step inputs such as RoPE tables. */
  upload(data: Float32Array, shape: readonly number[], kind?: 'weight' | 'activation'): Tensor;
  /** A new zero-filled tensor (used for KV caches). */
  zeros(shape: readonly number[]): Tensor;
  /** Wait for all enqueued work and return the tensor's contents (row-major, length prod(shape)). */
  read(t: Tensor): Promise<Float32Array>;
  /** Release the tensor's storage. Using it afterwards is an error. Freeing twice is a no-op. */
  free(t: Tensor): void;

  // ---------------------------------------------------------------- linear algebra

  /** y[M,N] = x[M,K] · w[N,K]ᵀ  (Hugging Face Linear layout: w is [out, in]). */
  matmul(x: Tensor, w: Tensor): Tensor;
  /** y[M,N] = r + x · wᵀ: matmul with a residual r [M, N] added (the transformer's h + W·a, one pass instead of two). */
  matmulAdd(x: Tensor, w: Tensor, r: Tensor): Tensor;
  /** Per-head matmul: x [M, H*S] (S ≥ K), w [H, N, K] -> y [M, H*N] with y[m, h*N+n] = Σ_k x[m, h*S+k]·w[h, n, k]:
   *  head h reads the first K of its S columns (S = K is the plain case; S > K reads q_nope straight out of q).
   *  Used for MLA absorption (q_nope·W_UK, o_lat·W_UVᵀ with weights pre-arranged at load). */
  headMatmul(x: Tensor, w: Tensor): Tensor;

  // ---------------------------------------------------------------- elementwise / norms

  /** y[M,D] = x · rsqrt(mean_d(x²) + eps) · w,  w [D]; per row, computed in f32. */
  rmsnorm(x: Tensor, w: Tensor, eps: number): Tensor;
  /** y = a + b, same shapes. */
  add(a: Tensor, b: Tensor): Tensor;
  /** y = a ⊙ b (elementwise), same shapes. */
  mul(a: Tensor, b: Tensor): Tensor;
  /** y = s · x for a host scalar s. */
  scale(x: Tensor, s: number): Tensor;
  /** y = silu(gate) ⊙ up = gate/(1+exp(-gate)) · up, same shapes [M, I]. */
  siluMul(gate: Tensor, up: Tensor): Tensor;
  /** Row-wise softmax over the last dim of [M, N] (max-subtracted, f32). */
  softmax(x: Tensor): Tensor;

  // ---------------------------------------------------------------- shape / indexing

  /** Embedding gather: table [V, D], ids (host, each 0 ≤ id < V) -> [ids.length, D]. */
  embedding(table: Tensor, ids: Int32Array): Tensor;
  /** Column slice per group: x [M, G*S] viewed as [M, G, S] -> [M, G*len] = x[:, :, start:start+len].
   *  groups = 1 is a plain slice of the last dim. (Splits q into q_nope/q_pe per head, kv_a into latent/k_pe.) */
  sliceCols(x: Tensor, groups: number, start: number, len: number): Tensor;
  /** Concatenation per group: a [M, G*A], b [M, G*B] -> [M, G*(A+B)], each group = [a_g | b_g]. */
  concatCols(a: Tensor, b: Tensor, groups: number): Tensor;
  /** Repeat columns: x [M, S] -> [M, times*S] = [x | x | ... ] (broadcast the shared rope key to every head, naive MLA). */
  repeatCols(x: Tensor, times: number): Tensor;
  /** Row gather: x [M, N], rows (host, each < M, repeats allowed) -> [rows.length, N]. */
  gatherRows(x: Tensor, rows: Int32Array): Tensor;
  /** Weighted scatter-add: out = copy of dst [M, N]; for r: out[rows[r], :] += weights[r] · src[r, :].
   *  src [R, N], rows/weights length R; repeated rows accumulate in order. (MoE combine.) */
  scatterAddRows(dst: Tensor, src: Tensor, rows: Int32Array, weights: Float32Array): Tensor;
  /** IN PLACE: dst[rows[r], :] = src[r, :] for every r. dst [C, N], src [R, N]. The only mutating op;
   *  it is ordered after all previously enqueued ops that read dst. (KV-cache append.) */
  writeRows(dst: Tensor, src: Tensor, rows: Int32Array): void;

  /** IN PLACE, the MLA cache append in one op: kva [R, C+D] holds rows [latent | k_pe] before norm and RoPE; for each r,
   *  dst[rows[r], :C] = rmsnorm(kva[r, :C]) · w (eps, w [C]) and dst[rows[r], C:] = rope(kva[r, C:]) (one head,
   *  cos/sin [R, D/2]) — the same numbers as writeRows(dst, concatCols(rmsnorm(slice), rope(slice)), rows). dst [S, C+D]. */
  writeLatentRows(dst: Tensor, kva: Tensor, w: Tensor, eps: number, cos: Tensor, sin: Tensor, rows: Int32Array): void;

  // ---------------------------------------------------------------- mixture of experts

  /** DeepSeekMoE routing of M tokens, exactly the rule of `routeTokens` (moe-gate.ts), on the device:
   *  logits [M, E] (router scores before sigmoid/softmax), bias [E] (e_score_correction_bias) or undefined ->
   *  experts [M, K] (expert indices as exact f32 integers, in choice order) and weights [M, K] (combine weights).
   *  Scores are computed in f32 (the host function uses f64), so exact near-ties may break differently. */
  moeRoute(logits: Tensor, gate: GateConfig, bias?: Tensor): { experts: Tensor; weights: Tensor };
  /** Routed experts combined: y = dst + Σ_k weights[m,k] · down_e · (silu(gate_e · x_m) ⊙ (up_e · x_m)),
   *  e = experts[m,k], summed in k order. dst, x [M, D]; experts, weights [M, K] as from `moeRoute`. */
  moeExperts(dst: Tensor, x: Tensor, w: ExpertStack, experts: Tensor, weights: Tensor): Tensor;

  // ---------------------------------------------------------------- positional / attention

  /** Interleaved (complex-pair, DeepSeek/Meta layout) RoPE on every head:
   *  x [M, H*R] (R even), cos/sin [M, R/2] (row m holds that row's position's angles; built on the host).
   *  For pair i of head h: (a, b) = (x[m, h*R+2i], x[m, h*R+2i+1]) ->
   *  (a·cos[m,i] − b·sin[m,i],  a·sin[m,i] + b·cos[m,i]).  Any YaRN mscale on cos/sin is pre-applied by the host. */
  rope(x: Tensor, cos: Tensor, sin: Tensor, heads: number, slice?: RopeSlice): Tensor;

  /** Generic multi-head attention with shared KV heads (MHA/GQA/MQA), used by naive MLA:
   *  q [M, H*Dk], k [S, Hk*Dk], v [S, Hk*Dv], H % Hk == 0, query head h uses kv head floor(h / (H/Hk)).
   *  For query row m and the key rows t of spans(m): s_t = scale · q_h·k_t; p = softmax_t(s) (f32);
   *  out[m, h*Dv:(h+1)*Dv] = Σ_t p_t v_t.  -> [M, H*Dv]. */
  attention(q: Tensor, k: Tensor, v: Tensor, spans: Spans, opts: { heads: number; kvHeads: number; scale: number }): Tensor;

  /** Absorbed MLA attention over the latent cache (DeepSeek-V3 decode; also usable for prefill):
   *  qLat [M, H*C] (q_nope already multiplied by W_UK), qPe [M, H*R] (roped),
   *  cache [S, C+R] whose row t = [normalised latent c_kv_t (C) | roped shared key k_pe_t (R)].
   *  For head h and key rows t of spans(m): s_t = scale · (qLat_h·cache[t,:C] + qPe_h·cache[t,C:]);
   *  p = softmax_t(s) (f32); out[m, h*C:(h+1)*C] = Σ_t p_t cache[t, :C].  -> oLat [M, H*C]
   *  (the caller then applies W_UV with headMatmul). */
  mlaAttention(qLat: Tensor, qPe: Tensor, cache: Tensor, spans: Spans, opts: { heads: number; latentDim: number; ropeDim: number; scale: number }): Tensor;
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

// An independent, deliberately naive DeepSeek-V3 forward pass for tests: plain loops over a map of
// f32 weights, full causal attention with decompressed per-head K/V (no cache, no Ops), HF semantics.
// It shares no code with src/runner/model.ts, so agreement means both read the architecture the same way.
import type { ModelConfig } from '../../../src/runner/config.js';

type W = Map<string, Float32Array>;

function linear(x: number[], w: Float32Array, out: number, inn: number): number[] {
  const y = new Array<number>(out).fill(0);
  for (let o = 0; o < out; o++) {
    let s = 0;
    for (let i = 0; i < inn; i++) s += w[o * inn + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

function rms(x: number[], w: Float32Array, eps: number): number[] {
  const ms = x.reduce((a, v) => a + v * v, 0) / x.length;
  return x.map((v, i) => (v / Math.sqrt(ms + eps)) * w[i]!);
}

function ropeInterleaved(x: number[], pos: number, inv: number[], scale: number): number[] {
  const y = [...x];
  for (let i = 0; i < inv.length; i++) {
    const a = pos * inv[i]!, c = Math.cos(a) * scale, s = Math.sin(a) * scale;
    y[2 * i] = x[2 * i]! * c - x[2 * i + 1]! * s;
    y[2 * i + 1] = x[2 * i]! * s + x[2 * i + 1]! * c;
  }
  return y;
}

const silu = (v: number): number => v / (1 + Math.exp(-v));

function mlp(x: number[], w: W, p: string, d: number, inter: number): number[] {
  const g = linear(x, w.get(`${p}.gate_proj.weight`)!, inter, d);
  const u = linear(x, w.get(`${p}.up_proj.weight`)!, inter, d);
  return linear(g.map((v, i) => silu(v) * u[i]!), w.get(`${p}.down_proj.weight`)!, d, inter);
}

/** Logits [T][V] of a whole sequence. `invFreq`, `ropeScale`, `softmaxScale` are given (tested separately). */
export function referenceForward(cfg: ModelConfig, w: W, tokens: number[], invFreq: number[], softmaxScale: number, ropeScale = 1): number[][] {
  const { hiddenSize: d, numAttentionHeads: H, qkNopeHeadDim: dn, qkRopeHeadDim: dr, vHeadDim: dv, kvLoraRank: c, vocabSize: V } = cfg;
  let hs = tokens.map((t) => Array.from(w.get('model.embed_tokens.weight')!.subarray(t * d, (t + 1) * d)));
  for (let l = 0; l < cfg.numHiddenLayers; l++) {
    const p = `model.layers.${l}`, a = `${p}.self_attn`;
    const xs = hs.map((h) => rms(h, w.get(`${p}.input_layernorm.weight`)!, cfg.rmsNormEps));
    // per token: q [H][dn+dr] and decompressed k [H][dn+dr], v [H][dv]
    const q: number[][][] = [], k: number[][][] = [], v: number[][][] = [];
    xs.forEach((x, t) => {
      const qf =
        cfg.qLoraRank === null
          ? linear(x, w.get(`${a}.q_proj.weight`)!, H * (dn + dr), d)
          : linear(rms(linear(x, w.get(`${a}.q_a_proj.weight`)!, cfg.qLoraRank, d), w.get(`${a}.q_a_layernorm.weight`)!, 1e-6), w.get(`${a}.q_b_proj.weight`)!, H * (dn + dr), cfg.qLoraRank);
      const kva = linear(x, w.get(`${a}.kv_a_proj_with_mqa.weight`)!, c + dr, d);
      const lat = rms(kva.slice(0, c), w.get(`${a}.kv_a_layernorm.weight`)!, 1e-6);
      const kpe = ropeInterleaved(kva.slice(c), t, invFreq, ropeScale);
      const kvb = linear(lat, w.get(`${a}.kv_b_proj.weight`)!, H * (dn + dv), c);
      q.push([]);
      k.push([]);
      v.push([]);
      for (let h = 0; h < H; h++) {
        const qh = qf.slice(h * (dn + dr), (h + 1) * (dn + dr));
        q[t]!.push([...qh.slice(0, dn), ...ropeInterleaved(qh.slice(dn), t, invFreq, ropeScale)]);
        const kh = kvb.slice(h * (dn + dv), (h + 1) * (dn + dv));
        k[t]!.push([...kh.slice(0, dn), ...kpe]);
        v[t]!.push(kh.slice(dn));
      }
    });
    hs = hs.map((h, t) => {
      const o: number[] = [];
      for (let hh = 0; hh < H; hh++) {
        const s = Array.from({ length: t + 1 }, (_, j) => softmaxScale * q[t]![hh]!.reduce((acc, qv, i) => acc + qv * k[j]![hh]![i]!, 0));
        const mx = Math.max(...s);
        const e = s.map((z) => Math.exp(z - mx));
        const z = e.reduce((x1, x2) => x1 + x2, 0);
        for (let i = 0; i < dv; i++) o.push(e.reduce((acc, pj, j) => acc + (pj / z) * v[j]![hh]![i]!, 0));
      }
      const attn = linear(o, w.get(`${a}.o_proj.weight`)!, d, H * dv);
      return h.map((val, i) => val + attn[i]!);
    });
    hs = hs.map((h) => {
      const x = rms(h, w.get(`${p}.post_attention_layernorm.weight`)!, cfg.rmsNormEps);
      let y: number[];
      if (l < cfg.firstKDenseReplace || cfg.nRoutedExperts === 0) y = mlp(x, w, `${p}.mlp`, d, cfg.intermediateSize);
      else {
        const n = cfg.nRoutedExperts;
        const logits = linear(x, w.get(`${p}.mlp.gate.weight`)!, n, d);
        let s: number[];
        if (cfg.scoringFunc === 'sigmoid') s = logits.map((z) => 1 / (1 + Math.exp(-z)));
        else {
          const mx = Math.max(...logits);
          const e = logits.map((z) => Math.exp(z - mx));
          const tot = e.reduce((x1, x2) => x1 + x2, 0);
          s = e.map((z) => z / tot);
        }
        const bias = w.get(`${p}.mlp.gate.e_score_correction_bias`);
        const sel = s.map((z, i) => z + (bias && cfg.topkMethod === 'noaux_tc' ? bias[i]! : 0));
        const gs = n / cfg.nGroup;
        const groupScores = Array.from({ length: cfg.nGroup }, (_, g) => {
          const m = sel.slice(g * gs, (g + 1) * gs).sort((x1, x2) => x2 - x1);
          return cfg.topkMethod === 'noaux_tc' ? m[0]! + (m[1] ?? 0) : m[0]!;
        });
        const groupsKept = groupScores.map((z, g) => [z, g] as const).sort((x1, x2) => x2[0] - x1[0] || x1[1] - x2[1]).slice(0, cfg.nGroup > 1 && cfg.topkMethod !== 'greedy' ? cfg.topkGroup : cfg.nGroup).map((e) => e[1]);
        const cands = sel.map((z, i) => [z, i] as const).filter(([, i]) => groupsKept.includes(Math.floor(i / gs)));
        const chosen = cands.sort((x1, x2) => x2[0] - x1[0] || x1[1] - x2[1]).slice(0, cfg.numExpertsPerTok).map((e) => e[1]);
        let wts = chosen.map((i) => s[i]!);
        if (cfg.normTopkProb) {
          const tot = wts.reduce((x1, x2) => x1 + x2, 0);
          wts = wts.map((z) => z / tot);
        }
        y = new Array<number>(d).fill(0);
        chosen.forEach((e, j) => {
          const out = mlp(x, w, `${p}.mlp.experts.${e}`, d, cfg.moeIntermediateSize);
          for (let i = 0; i < d; i++) y[i]! += wts[j]! * cfg.routedScalingFactor * out[i]!;
        });
        if (cfg.nSharedExperts > 0) {
          const sh = mlp(x, w, `${p}.mlp.shared_experts`, d, cfg.moeIntermediateSize * cfg.nSharedExperts);
          for (let i = 0; i < d; i++) y[i]! += sh[i]!;
        }
      }
      return h.map((val, i) => val + y[i]!);
    });
  }
  const head = cfg.tieWordEmbeddings ? w.get('model.embed_tokens.weight')! : w.get('lm_head.weight')!;
  return hs.map((h) => linear(rms(h, w.get('model.norm.weight')!, cfg.rmsNormEps), head, V, d));
}

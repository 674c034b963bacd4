// Rotary embedding for the decoupled rope slice: inverse frequencies (plain or YaRN), the
// attention softmax scale with YaRN's mscale, and per-row cos/sin tables (built on the host).
import type { ModelConfig } from './config.js';

/** YaRN's attention-magnitude factor: 1 for factor ≤ 1, else 0.1·m·ln(factor) + 1. */
export function yarnMscale(factor: number, m: number): number {
  return factor <= 1 ? 1 : 0.1 * m * Math.log(factor) + 1;
}

/** The dimension index whose wavelength completes `rotations` turns over `maxPos` positions. */
function correctionDim(rotations: number, dim: number, base: number, maxPos: number): number {
  return (dim * Math.log(maxPos / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
}

/** YaRN's [low, high] ramp bounds over the dim/2 frequencies (DeepSeek-V3: low 10, high 23). */
export function yarnRange(betaFast: number, betaSlow: number, dim: number, base: number, maxPos: number): [number, number] {
  const low = Math.floor(correctionDim(betaFast, dim, base, maxPos));
  const high = Math.ceil(correctionDim(betaSlow, dim, base, maxPos));
  return [Math.max(low, 0), Math.min(high, dim - 1)];
}

/** θ_i for i = 0..dim/2-1: base^(-2i/dim), blended towards θ_i/factor by YaRN's linear ramp when configured. */
export function ropeInvFreq(cfg: Pick<ModelConfig, 'qkRopeHeadDim' | 'ropeTheta' | 'ropeScaling'>): Float64Array {
  const dim = cfg.qkRopeHeadDim, base = cfg.ropeTheta, half = dim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / base ** ((2 * i) / dim);
  const y = cfg.ropeScaling;
  if (!y) return inv;
  const [low, high0] = yarnRange(y.betaFast, y.betaSlow, dim, base, y.originalMaxPositionEmbeddings);
  const high = high0 === low ? high0 + 0.001 : high0;
  for (let i = 0; i < half; i++) {
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
    // ramp 0 (high-frequency dims): keep θ (extrapolate); ramp 1 (low-frequency dims): θ/factor (interpolate)
    inv[i] = (inv[i]! / y.factor) * ramp + inv[i]! * (1 - ramp);
  }
  return inv;
}

/** Multiplier on cos and sin (HF: mscale(factor, mscale) / mscale(factor, mscale_all_dim); 1 for DeepSeek-V3). */
export function ropeCosSinScale(cfg: Pick<ModelConfig, 'ropeScaling'>): number {
  const y = cfg.ropeScaling;
  return y ? yarnMscale(y.factor, y.mscale) / yarnMscale(y.factor, y.mscaleAllDim) : 1;
}

/** Attention softmax scale: (qk_nope + qk_rope)^-0.5, times mscale(factor, mscale_all_dim)² under YaRN. */
export function attentionScale(cfg: Pick<ModelConfig, 'qkNopeHeadDim' | 'qkRopeHeadDim' | 'ropeScaling'>): number {
  const s = (cfg.qkNopeHeadDim + cfg.qkRopeHeadDim) ** -0.5;
  const y = cfg.ropeScaling;
  if (!y || !y.mscaleAllDim) return s;
  const m = yarnMscale(y.factor, y.mscaleAllDim);
  return s * m * m;
}

/** cos/sin tables [positions.length, dim/2] for the given token positions. */
export function ropeTables(invFreq: Float64Array, positions: Int32Array, mscale = 1): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(positions.length * half), sin = new Float32Array(positions.length * half);
  positions.forEach((p, r) => {
    for (let i = 0; i < half; i++) {
      const a = p * invFreq[i]!;
      cos[r * half + i] = Math.cos(a) * mscale;
      sin[r * half + i] = Math.sin(a) * mscale;
    }
  });
  return { cos, sin };
}

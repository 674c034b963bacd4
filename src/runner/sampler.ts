// Token sampling from one row of logits: temperature, top-k, top-p (nucleus), seeded.
// Also the log-probability the trainer needs: log softmax(logits)[token] under the model itself
// (temperature 1, before any truncation) — the π_θ(token) of the GRPO ratio.
import type { Prng } from './prng.js';

export interface SamplingOptions {
  /** 0 = greedy (argmax). Default 1. */
  temperature: number;
  /** Keep the smallest set of tokens whose probability reaches top_p (1 = off). */
  topP: number;
  /** Keep the k most likely tokens (0 = off). */
  topK: number;
}

/** log softmax(logits)[token]. */
export function logprobOf(logits: Float32Array, token: number, allowed = logits.length): number {
  let mx = -Infinity;
  for (let i = 0; i < allowed; i++) mx = Math.max(mx, logits[i]!);
  let sum = 0;
  for (let i = 0; i < allowed; i++) sum += Math.exp(logits[i]! - mx);
  return logits[token]! - mx - Math.log(sum);
}

/** Sample a token id among the first `allowed` ids (ids past the tokenizer's vocabulary are never produced). */
export function sampleToken(logits: Float32Array, opts: SamplingOptions, rng: Prng, allowed = logits.length): number {
  if (opts.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < allowed; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  if (opts.topK <= 0 && opts.topP >= 1) {
    // no truncation: one pass over the vocabulary in id order, no sort
    let mx = -Infinity;
    for (let i = 0; i < allowed; i++) mx = Math.max(mx, logits[i]!);
    const p = new Float64Array(allowed);
    let z = 0;
    for (let i = 0; i < allowed; i++) z += p[i] = Math.exp((logits[i]! - mx) / opts.temperature);
    let u = rng.next() * z;
    for (let i = 0; i < allowed; i++) if ((u -= p[i]!) < 0) return i;
    return allowed - 1;
  }
  let ids = Array.from({ length: allowed }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (opts.topK > 0) ids = ids.slice(0, opts.topK);
  const mx = logits[ids[0]!]!;
  let p = ids.map((i) => Math.exp((logits[i]! - mx) / opts.temperature));
  const z = p.reduce((a, b) => a + b, 0);
  p = p.map((v) => v / z);
  if (opts.topP < 1) {
    let cum = 0, keep = 0;
    while (keep < p.length && cum < opts.topP) cum += p[keep++]!;
    ids = ids.slice(0, keep);
    p = p.slice(0, keep);
  }
  const total = p.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let j = 0; j < ids.length; j++) {
    u -= p[j]!;
    if (u < 0) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}

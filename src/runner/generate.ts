// Batched generation: prefill a prompt once, then decode G samples together, each attending to the
// shared prompt rows of the latent cache plus its own rows (no prompt copies, no padding).
import type { DeepSeekV3 } from './model.js';
import { deriveSeed, Prng } from './prng.js';
import { logprobOf, sampleToken, type SamplingOptions } from './sampler.js';

export interface GenerateOptions extends SamplingOptions {
  /** Samples per prompt. */
  samples: number;
  maxTokens: number;
  seed: number;
  /** Generation stops after any of these ids (the id is kept in `tokens`). */
  eosIds: number[];
  /** Only ids below this are sampled (a tokenizer smaller than the embedding). Default: vocab size. */
  allowedVocab?: number;
}

export interface Sample {
  tokens: number[];
  /** log π(token) under the model (temperature 1), one per token. */
  logprobs: number[];
  finishReason: 'eos' | 'length';
}

export interface GenerateResult {
  samples: Sample[];
  timings: { prefillMs: number; decodeMs: number; prefillTokens: number; decodeTokens: number; decodeSteps: number };
}

export async function generate(model: DeepSeekV3, prompt: number[], opts: GenerateOptions): Promise<GenerateResult> {
  const p = prompt.length, g = opts.samples, n = opts.maxTokens;
  if (p < 1) throw new Error('generate: the prompt has no tokens');
  if (g < 1 || n < 0) throw new Error('generate: samples must be ≥ 1 and maxTokens ≥ 0');
  const vocab = model.cfg.vocabSize;
  const allowed = Math.min(opts.allowedVocab ?? vocab, vocab);
  const eos = new Set(opts.eosIds);
  // Rows: [0, p) prompt; sample s owns [p + s·n, p + (s+1)·n).
  const cache = model.newCache(p + g * n);
  const rngs = Array.from({ length: g }, (_, s) => new Prng(deriveSeed(opts.seed, s)));
  const samples: Sample[] = Array.from({ length: g }, () => ({ tokens: [], logprobs: [], finishReason: 'length' as const }));
  const t0 = performance.now();
  try {
    const spans = new Int32Array(4 * p);
    for (let t = 0; t < p; t++) spans.set([0, t + 1, 0, 0], 4 * t);
    const ar = Int32Array.from({ length: p }, (_, i) => i);
    let logits = n > 0 ? await model.forward({ ids: Int32Array.from(prompt), positions: ar, cacheRows: ar, spans }, cache, { logitRows: Int32Array.of(p - 1) }) : new Float32Array(0);
    const t1 = performance.now();
    let active = n > 0 ? samples.map((_, s) => s) : [];
    let rowOf = active.map(() => 0); // which logits row each active sample reads (all share the prefill row)
    let steps = 0, decoded = 0;
    for (let i = 0; active.length > 0; i++) {
      for (let a = 0; a < active.length; a++) {
        const s = active[a]!, row = logits.subarray(rowOf[a]! * vocab, (rowOf[a]! + 1) * vocab);
        const tok = sampleToken(row, opts, rngs[s]!, allowed);
        samples[s]!.tokens.push(tok);
        samples[s]!.logprobs.push(logprobOf(row, tok, allowed));
        if (eos.has(tok)) samples[s]!.finishReason = 'eos';
      }
      active = active.filter((s) => samples[s]!.finishReason !== 'eos' && samples[s]!.tokens.length < n);
      if (active.length === 0) break;
      const m = active.length;
      const step = { ids: new Int32Array(m), positions: new Int32Array(m), cacheRows: new Int32Array(m), spans: new Int32Array(4 * m) };
      active.forEach((s, a) => {
        const base = p + s * n;
        step.ids[a] = samples[s]!.tokens[i]!;
        step.positions[a] = p + i;
        step.cacheRows[a] = base + i;
        step.spans.set([0, p, base, i + 1], 4 * a);
      });
      logits = await model.forward(step, cache);
      rowOf = active.map((_, a) => a);
      steps++;
      decoded += m;
    }
    const t2 = performance.now();
    return { samples, timings: { prefillMs: t1 - t0, decodeMs: t2 - t1, prefillTokens: p, decodeTokens: decoded, decodeSteps: steps } };
  } finally {
    model.freeCache(cache);
  }
}

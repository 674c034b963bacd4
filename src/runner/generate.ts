// Batched generation: prefill prompts once, then decode all their samples together. Each sample
// attends to its prompt's rows of the latent cache (shared by the prompt's G samples, never copied)
// plus its own rows, so prompts of different lengths batch with no padding.
import type { DeepSeekV3 } from './model.js';
import { deriveSeed, Prng } from './prng.js';
import { logprobOf, sampleToken, type SamplingOptions } from './sampler.js';

export interface GenerateOptions extends SamplingOptions {
  /** Samples per prompt. */
  samples: number;
  maxTokens: number;
  /** Prompt i of a batch samples with seed + i; its sample g with the stream deriveSeed(seed + i, g). */
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

export interface GenerateTimings {
  prefillMs: number;
  decodeMs: number;
  prefillTokens: number;
  /** Tokens run through decode steps (the last sampled token of a sample is never fed back). */
  decodeTokens: number;
  decodeSteps: number;
}

export interface GenerateResult {
  samples: Sample[];
  timings: GenerateTimings;
}

/** G samples for one prompt. */
export async function generate(model: DeepSeekV3, prompt: number[], opts: GenerateOptions): Promise<GenerateResult> {
  const r = await generateBatch(model, [prompt], opts);
  return { samples: r.samples[0]!, timings: r.timings };
}

/** G samples for each of several prompts, prefilled in one forward pass and decoded together. */
export async function generateBatch(model: DeepSeekV3, prompts: number[][], opts: GenerateOptions): Promise<{ samples: Sample[][]; timings: GenerateTimings }> {
  const g = opts.samples, n = opts.maxTokens;
  if (prompts.length === 0 || prompts.some((p) => p.length < 1)) throw new Error('generate: every prompt needs at least one token');
  if (g < 1 || n < 0) throw new Error('generate: samples must be ≥ 1 and maxTokens ≥ 0');
  const vocab = model.cfg.vocabSize;
  const allowed = Math.min(opts.allowedVocab ?? vocab, vocab);
  const eos = new Set(opts.eosIds);
  // Cache rows: the prompts back to back, then n rows for each sample.
  const starts: number[] = [];
  let total = 0;
  for (const p of prompts) {
    starts.push(total);
    total += p.length;
  }
  const sampleBase = (k: number, s: number): number => total + (k * g + s) * n;
  const cache = model.newCache(total + prompts.length * g * n);
  // one flat list of samples: index k*g + s
  const owner = Array.from({ length: prompts.length * g }, (_, i) => Math.floor(i / g));
  const rngs = owner.map((k, i) => new Prng(deriveSeed(opts.seed + k, i % g)));
  const samples: Sample[] = owner.map(() => ({ tokens: [], logprobs: [], finishReason: 'length' as const }));
  const t0 = performance.now();
  try {
    let logits: Float32Array = new Float32Array(0);
    let rowOf: number[] = [];
    if (n > 0) {
      const ids = new Int32Array(total), positions = new Int32Array(total), rows = new Int32Array(total), spans = new Int32Array(4 * total);
      prompts.forEach((p, k) =>
        p.forEach((tok, t) => {
          const r = starts[k]! + t;
          ids[r] = tok;
          positions[r] = t;
          rows[r] = r;
          spans.set([starts[k]!, t + 1, 0, 0], 4 * r);
        }),
      );
      const last = Int32Array.from(prompts, (p, k) => starts[k]! + p.length - 1);
      logits = await model.forward({ ids, positions, cacheRows: rows, spans }, cache, { logitRows: last });
      rowOf = owner; // sample i reads its prompt's row of the prefill logits
    }
    const t1 = performance.now();
    let active = n > 0 ? owner.map((_, i) => i) : [];
    let steps = 0, decoded = 0;
    for (let i = 0; active.length > 0; i++) {
      active.forEach((s, a) => {
        const row = logits.subarray(rowOf[a]! * vocab, (rowOf[a]! + 1) * vocab);
        const tok = sampleToken(row, opts, rngs[s]!, allowed);
        samples[s]!.tokens.push(tok);
        samples[s]!.logprobs.push(logprobOf(row, tok, allowed));
        if (eos.has(tok)) samples[s]!.finishReason = 'eos';
      });
      active = active.filter((s) => samples[s]!.finishReason !== 'eos' && samples[s]!.tokens.length < n);
      if (active.length === 0) break;
      const m = active.length;
      const step = { ids: new Int32Array(m), positions: new Int32Array(m), cacheRows: new Int32Array(m), spans: new Int32Array(4 * m) };
      active.forEach((s, a) => {
        const k = owner[s]!, base = sampleBase(k, s % g);
        step.ids[a] = samples[s]!.tokens[i]!;
        step.positions[a] = prompts[k]!.length + i;
        step.cacheRows[a] = base + i;
        step.spans.set([starts[k]!, prompts[k]!.length, base, i + 1], 4 * a);
      });
      logits = await model.forward(step, cache);
      rowOf = active.map((_, a) => a);
      steps++;
      decoded += m;
    }
    const t2 = performance.now();
    const grouped = prompts.map((_, k) => samples.slice(k * g, (k + 1) * g));
    return { samples: grouped, timings: { prefillMs: t1 - t0, decodeMs: t2 - t1, prefillTokens: total, decodeTokens: decoded, decodeSteps: steps } };
  } finally {
    model.freeCache(cache);
  }
}

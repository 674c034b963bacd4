import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, generateBatch } from '../../../src/runner/generate.js';
import { attentionScale, ropeCosSinScale, ropeInvFreq } from '../../../src/runner/rope.js';
import { logprobOf } from '../../../src/runner/sampler.js';
import { writeSafetensors } from '../../../src/runner/safetensors.js';
import { loadCpu, maxAbsDiff, prefill, tinyCheckpoint, tmp } from './helpers.js';
import { referenceForward } from './reference.js';

const dir = tinyCheckpoint('F32');
const { model, ckpt } = loadCpu(dir);
const V = model.cfg.vocabSize;
const tokens = [0, 17, 250, 3, 99, 411, 64, 8];

describe('DeepSeek-V3 forward (CPU reference backend, tiny preset)', () => {
  it('matches an independent naive implementation of the architecture', async () => {
    const cfg = ckpt.config;
    expect(cfg.qLoraRank).toBe(32);
    expect(cfg.ropeScaling?.type).toBe('yarn');
    const weights = new Map(ckpt.names().map((n) => [n, ckpt.get(n)]));
    const ref = referenceForward(cfg, weights, tokens, Array.from(ropeInvFreq(cfg)), attentionScale(cfg), ropeCosSinScale(cfg));
    const got = await prefill(model, tokens);
    expect(maxAbsDiff(got, ref.flat())).toBeLessThan(2e-4);
    // the logits are not trivially small or constant
    expect(Math.max(...ref.flat().map(Math.abs))).toBeGreaterThan(1);
  });

  it('gives equal logits with absorbed and naive (decompressed) MLA', async () => {
    const a = await prefill(model, tokens, 'absorbed');
    const b = await prefill(model, tokens, 'naive');
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-4);
  });

  it('prefill equals token-by-token decode through the latent cache', async () => {
    const full = await prefill(model, tokens);
    const cache = model.newCache(tokens.length);
    for (let t = 0; t < tokens.length; t++) {
      const step = await model.forward(
        { ids: Int32Array.of(tokens[t]!), positions: Int32Array.of(t), cacheRows: Int32Array.of(t), spans: Int32Array.of(0, t + 1, 0, 0) },
        cache,
      );
      expect(maxAbsDiff(step, full.subarray(t * V, (t + 1) * V))).toBeLessThan(1e-4);
    }
    model.freeCache(cache);
  });

  it('a prefix cache split across spans equals one contiguous cache', async () => {
    // rows 0..2 prompt, then the continuation stored far away at rows 10.. (as one of G samples would be)
    const full = await prefill(model, tokens.slice(0, 5));
    const cache = model.newCache(16);
    await prefill(model, tokens.slice(0, 3), 'absorbed', cache);
    let last: Float32Array = new Float32Array(0);
    for (let i = 0; i < 2; i++)
      last = await model.forward(
        { ids: Int32Array.of(tokens[3 + i]!), positions: Int32Array.of(3 + i), cacheRows: Int32Array.of(10 + i), spans: Int32Array.of(0, 3, 10, i + 1) },
        cache,
      );
    expect(maxAbsDiff(last, full.subarray(4 * V, 5 * V))).toBeLessThan(1e-4);
  });
});

describe('generation', () => {
  const opts = { samples: 4, maxTokens: 6, seed: 11, temperature: 1, topP: 1, topK: 0, eosIds: [] };

  it('batched decode of G samples over a shared prompt cache gives the log-probs a full recompute gives', async () => {
    const prompt = [0, 5, 6, 7];
    const r = await generate(model, prompt, opts);
    expect(r.samples).toHaveLength(4);
    for (const s of r.samples) {
      expect(s.tokens).toHaveLength(6);
      const full = await prefill(model, [...prompt, ...s.tokens.slice(0, -1)]);
      s.tokens.forEach((tok, i) => {
        const row = full.subarray((prompt.length - 1 + i) * V, (prompt.length + i) * V);
        expect(Math.abs(logprobOf(row, tok) - s.logprobs[i]!)).toBeLessThan(1e-4);
      });
    }
    expect(r.timings.decodeSteps).toBe(5);
    expect(r.timings.decodeTokens).toBe(20);
  });

  it('is deterministic under a seed and differs across seeds', async () => {
    const a = await generate(model, [0, 9], opts);
    const b = await generate(model, [0, 9], opts);
    const c = await generate(model, [0, 9], { ...opts, seed: 12 });
    expect(b.samples.map((s) => s.tokens)).toEqual(a.samples.map((s) => s.tokens));
    expect(c.samples.map((s) => s.tokens)).not.toEqual(a.samples.map((s) => s.tokens));
    // samples within a group differ (independent streams)
    expect(new Set(a.samples.map((s) => s.tokens.join(','))).size).toBeGreaterThan(1);
  });

  it('greedy decoding follows the argmax of a full recompute, and stops at EOS', async () => {
    const prompt = [0, 33];
    const r = await generate(model, prompt, { ...opts, samples: 2, temperature: 0 });
    expect(r.samples[0]!.tokens).toEqual(r.samples[1]!.tokens);
    const seq = [...prompt];
    for (let i = 0; i < 6; i++) {
      const logits = await prefill(model, seq);
      const row = logits.subarray((seq.length - 1) * V, seq.length * V);
      seq.push(row.indexOf(Math.max(...row)));
    }
    expect(r.samples[0]!.tokens).toEqual(seq.slice(2));
    const stopAt = r.samples[0]!.tokens[2]!;
    const stopped = await generate(model, prompt, { ...opts, samples: 1, temperature: 0, eosIds: [stopAt] });
    const first = r.samples[0]!.tokens.indexOf(stopAt);
    expect(stopped.samples[0]!.tokens).toEqual(r.samples[0]!.tokens.slice(0, first + 1));
    expect(stopped.samples[0]!.finishReason).toBe('eos');
  });
});

describe('rope_interleave: false (rotate-half checkpoints)', () => {
  it('gives the same logits as the interleaved checkpoint it was converted from', async () => {
    const cfg = ckpt.config, dr = cfg.qkRopeHeadDim, half = dr / 2;
    // rotate-half position j holds interleaved dim 2j (j < half) or 2(j - half) + 1
    const fromInterleaved = (j: number): number => (j < half ? 2 * j : 2 * (j - half) + 1);
    const permute = (data: Float32Array, shape: number[], groups: number, before: number): Float32Array => {
      const cols = shape[1]!, out = Float32Array.from(data);
      for (let g = 0; g < groups; g++)
        for (let j = 0; j < dr; j++) {
          const src = g * (before + dr) + before + fromInterleaved(j);
          out.set(data.subarray(src * cols, (src + 1) * cols), (g * (before + dr) + before + j) * cols);
        }
      return out;
    };
    const out = tmp();
    const tensors = ckpt.names().map((name) => {
      const shape = ckpt.shape(name);
      let data = ckpt.get(name);
      if (name.endsWith('q_b_proj.weight')) data = permute(data, shape, cfg.numAttentionHeads, cfg.qkNopeHeadDim);
      if (name.endsWith('kv_a_proj_with_mqa.weight')) data = permute(data, shape, 1, cfg.kvLoraRank);
      return { name, dtype: 'F32' as const, shape, data };
    });
    writeSafetensors(join(out, 'model.safetensors'), tensors);
    const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(out, 'config.json'), JSON.stringify({ ...raw, rope_interleave: false }));
    copyFileSync(join(dir, 'tokenizer.json'), join(out, 'tokenizer.json'));
    const rotated = loadCpu(out);
    expect(rotated.ckpt.config.ropeInterleave).toBe(false);
    expect(maxAbsDiff(await prefill(rotated.model, tokens), await prefill(model, tokens))).toBeLessThan(1e-4);
    // and reading the same weights as if interleaved does not (the permutation matters)
    writeFileSync(join(out, 'config.json'), JSON.stringify(raw));
    expect(maxAbsDiff(await prefill(loadCpu(out).model, tokens), await prefill(model, tokens))).toBeGreaterThan(1e-2);
  });
});

describe('cross-prompt batching', () => {
  it('prompts of different lengths generated together give exactly what each gives alone', async () => {
    const prompts = [[0, 5, 6, 7, 8], [0, 40], [0, 9, 9]];
    const opts = { samples: 3, maxTokens: 5, seed: 21, temperature: 1, topP: 1, topK: 0, eosIds: [] };
    const together = await generateBatch(model, prompts, opts);
    expect(together.timings.prefillTokens).toBe(10);
    for (const [k, p] of prompts.entries()) {
      const alone = await generate(model, p, { ...opts, seed: opts.seed + k });
      expect(together.samples[k]!.map((s) => s.tokens)).toEqual(alone.samples.map((s) => s.tokens));
      together.samples[k]!.forEach((s, i) => expect(maxAbsDiff(s.logprobs, alone.samples[i]!.logprobs)).toBeLessThan(1e-4));
    }
  });
});

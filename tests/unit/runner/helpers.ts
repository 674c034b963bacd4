// Shared fixtures of the runner tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint } from '../../../src/runner/checkpoint.js';
import { createCpuOps } from '../../../src/runner/cpu/ops.js';
import { initModel, type WeightDtype } from '../../../src/runner/init-model.js';
import { DeepSeekV3, type AttentionMode, type KvCache } from '../../../src/runner/model.js';

export function tmp(prefix = 'r1-runner-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A tiny-preset checkpoint written once per test file. */
export function tinyCheckpoint(dtype: WeightDtype = 'F32', seed = 7): string {
  const dir = tmp();
  initModel(dir, { preset: 'tiny', seed, dtype });
  return dir;
}

export function loadCpu(dir: string): { model: DeepSeekV3; ckpt: Checkpoint } {
  const ckpt = new Checkpoint(dir);
  return { model: DeepSeekV3.load(createCpuOps(), ckpt), ckpt };
}

/** Causal prefill of a whole sequence into a fresh cache: logits [T*V]. */
export async function prefill(model: DeepSeekV3, tokens: number[], attention: AttentionMode = 'absorbed', cache?: KvCache): Promise<Float32Array> {
  const n = tokens.length;
  const ar = Int32Array.from({ length: n }, (_, i) => i);
  const spans = new Int32Array(4 * n);
  for (let t = 0; t < n; t++) spans.set([0, t + 1, 0, 0], 4 * t);
  const c = cache ?? model.newCache(n);
  return model.forward({ ids: Int32Array.from(tokens), positions: ar, cacheRows: ar, spans }, c, { attention });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

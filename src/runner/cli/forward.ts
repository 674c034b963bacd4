// `r1-reward forward`: logits of every position for given token ids, as JSON (a debugging aid and
// the way correctness is checked from outside).
import { Checkpoint } from '../checkpoint.js';
import { createBackend } from '../backend.js';
import { DeepSeekV3, type AttentionMode } from '../model.js';

export async function forwardLogits(modelDir: string, tokens: number[], backendName: string, attention: AttentionMode = 'absorbed', weights?: string): Promise<{ logits: number[][]; device: string }> {
  const ckpt = new Checkpoint(modelDir);
  const backend = await createBackend(backendName, { ...(weights !== undefined && { weights }) });
  try {
    const model = DeepSeekV3.load(backend.ops, ckpt);
    const v = model.cfg.vocabSize;
    for (const [i, t] of tokens.entries()) if (t >= v) throw new Error(`--tokens: id ${t} at position ${i} is outside vocab_size ${v}`);
    const n = tokens.length;
    const ar = Int32Array.from({ length: n }, (_, i) => i);
    const spans = new Int32Array(4 * n);
    for (let t = 0; t < n; t++) spans.set([0, t + 1, 0, 0], 4 * t);
    const cache = model.newCache(n);
    const flat = await model.forward({ ids: Int32Array.from(tokens), positions: ar, cacheRows: ar, spans }, cache, { attention });
    model.freeCache(cache);
    model.dispose();
    const info = backend.ops.info();
    return { logits: Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * v, (i + 1) * v))), device: `${info.backend}: ${info.device} (weights ${info.weightDtype})` };
  } finally {
    ckpt.close();
    backend.dispose();
  }
}

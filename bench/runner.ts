// Policy-runner throughput: prefill and decode tokens/s for each backend (cpu, and webgpu when an
// adapter is available), the tiny and small presets, G = 1 and 8 samples per prompt; plus memory.
// Usage: npm run bench:runner [-- --backends cpu,webgpu,webgpu-f16 --presets tiny,small --groups 1,8 --prompt-batches 1,4 --prompt 64 --tokens 16]
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../src/runner/backend.js';
import { Checkpoint } from '../src/runner/checkpoint.js';
import { generate, generateBatch } from '../src/runner/generate.js';
import { initModel, type PresetName } from '../src/runner/init-model.js';
import { DeepSeekV3 } from '../src/runner/model.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const backends = arg('backends', 'cpu,webgpu,webgpu-f16').split(',');
const presets = arg('presets', 'tiny,small').split(',') as PresetName[];
const groups = arg('groups', '1,8').split(',').map(Number);
const promptBatches = arg('prompt-batches', '1').split(',').map(Number);
const promptLen = Number(arg('prompt', '64'));
const maxTokens = Number(arg('tokens', '16'));
const cacheDir = join(process.cwd(), '.cache', 'bench-models');

function modelDir(preset: PresetName): string {
  const dir = join(cacheDir, `${preset}-bf16-seed0`);
  if (!existsSync(join(dir, 'model.safetensors'))) initModel(dir, { preset, seed: 0, dtype: 'BF16' });
  return dir;
}

const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
/** Device buffer bytes, where the backend counts them (WebGPU's bytesAllocated, pooled buffers included). */
const deviceMb = (ops: object): string => {
  const b = (ops as { bytesAllocated?: unknown }).bytesAllocated;
  return typeof b === 'number' ? mb(b) : '—';
};

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`prompt ${promptLen} tokens, ${maxTokens} new tokens per sample (no EOS), temperature 1\n`);
const rows: string[][] = [['backend', 'preset', 'prompts', 'G', 'prefill tok/s', 'decode tok/s', 'ms/step', 'weights MiB', 'cache MiB', 'device MiB', 'rss MiB']];
const results = new Map<string, number>();

for (const name of backends) {
  let backend;
  try {
    backend = await createBackend(name.replace(/-f16$/, ''), { weights: name.endsWith('-f16') ? 'f16' : name.endsWith('-auto') ? 'auto' : 'f32' });
  } catch (e) {
    console.log(`${name}: unavailable (${(e as Error).message.split('\n')[0]})`);
    continue;
  }
  const info = backend.ops.info();
  console.log(`${name}: ${info.device} (weights ${info.weightDtype})`);
  for (const preset of presets) {
    const ckpt = new Checkpoint(modelDir(preset));
    const model = DeepSeekV3.load(backend.ops, ckpt);
    const cfg = ckpt.config;
    const prompt = Array.from({ length: promptLen }, (_, i) => 2 + ((i * 37) % 400));
    // warm-up (pipeline compilation on WebGPU, JIT on CPU)
    await generate(model, prompt, { samples: 1, maxTokens: 2, seed: 0, temperature: 1, topP: 1, topK: 0, eosIds: [] });
    for (const pb of promptBatches)
      for (const g of groups) {
        const prompts = Array.from({ length: pb }, (_, k) => prompt.map((t) => 2 + ((t + k) % 400)));
        const r = await generateBatch(model, prompts, { samples: g, maxTokens, seed: 1, temperature: 1, topP: 1, topK: 0, eosIds: [] });
        const t = r.timings;
        const prefill = t.prefillTokens / (t.prefillMs / 1000);
        const decode = t.decodeTokens / (t.decodeMs / 1000);
        results.set(`${name}/${preset}/${pb}/${g}`, decode);
        const cacheBytes = cfg.numHiddenLayers * (cfg.kvLoraRank + cfg.qkRopeHeadDim) * 4 * pb * (promptLen + g * maxTokens);
        rows.push([name, preset, String(pb), String(g), prefill.toFixed(1), decode.toFixed(1), (t.decodeMs / t.decodeSteps).toFixed(1), mb(model.weightBytes()), mb(cacheBytes), deviceMb(backend.ops), mb(process.memoryUsage().rss)]);
      }
    model.dispose();
    ckpt.close();
  }
  backend.dispose();
}

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log('\n' + rows.map((r) => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ')).join('\n'));
for (const p of presets)
  for (const pb of promptBatches)
    for (const g of groups)
      for (const w of ['webgpu', 'webgpu-f16']) {
        const cpu = results.get(`cpu/${p}/${pb}/${g}`), gpu = results.get(`${w}/${p}/${pb}/${g}`);
        if (cpu && gpu) console.log(`${w} / cpu decode, ${p}, ${pb} prompt(s) × G=${g}: ${(gpu / cpu).toFixed(2)}x`);
      }
console.log('\nweights: f32-equivalent estimate (matrices at the reported dtype); device: GPU buffers allocated (pool included)');
console.log('cache = latent + rope key per token per layer (kv_lora_rank + qk_rope_head_dim f32), for prompts × (prompt + G·new tokens)');

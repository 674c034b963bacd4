// The runner's commands: init-model, forward, rollout, loop. Registered on the main CLI.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, RewardEngine } from '../../core/engine.js';
import { readConfigFile } from '../../core/config-file.js';
import { formatSummary } from '../../core/summary-text.js';
import type { ScoredRollout } from '../../contract/types.js';
import { createBackend } from '../backend.js';
import { Checkpoint } from '../checkpoint.js';
import { initModel, PRESETS, type PresetName, type WeightDtype } from '../init-model.js';
import { DeepSeekV3 } from '../model.js';
import { readPrompts, rolloutPrompts, type GeneratedRollout, type RolloutTimings } from '../rollout.js';
import { importRunnerModule } from '../optional-packages.js';
import { forwardLogits } from './forward.js';
import { formatGroupTables } from './loop-table.js';
import { intArg, numberArg, positiveIntArg, probabilityArg, tokenListArg } from './options.js';

function fail(message: string): never {
  process.stderr.write(`r1-reward: ${message}\n`);
  process.exit(2);
}

interface GenOpts {
  model: string;
  prompts: string;
  samples: number;
  maxTokens: number;
  seed: number;
  temperature: number;
  topP: number;
  topK: number;
  backend: string;
  weights?: string;
  chat: boolean;
  promptBatch: number;
}

function generationOptions(c: Command): Command {
  return c
    .requiredOption('--model <dir>', 'checkpoint directory (config.json, *.safetensors, tokenizer.json)')
    .requiredOption('--prompts <file>', 'JSONL: {"prompt": "...", "task": {...}, "id"?, "group"?} per line')
    .option('-G, --samples <n>', 'samples per prompt (the GRPO group size)', positiveIntArg, 8)
    .option('--max-tokens <n>', 'most tokens generated per sample', positiveIntArg, 64)
    .option('--seed <n>', 'sampling seed (prompt i uses seed + i; same seed => same tokens)', intArg, 0)
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', numberArg, 1)
    .option('--top-p <p>', 'nucleus sampling mass', probabilityArg, 1)
    .option('--top-k <k>', 'keep the k most likely tokens (0 = off)', intArg, 0)
    .option('--backend <name>', 'cpu or webgpu', 'cpu')
    .option('--weights <dtype>', 'webgpu weight storage: auto, f32 or f16 (default: R1_WEBGPU_WEIGHTS, else auto = f16 where lossless)')
    .option('--prompt-batch <n>', 'prompts decoded together (each with its G samples); does not change the tokens', positiveIntArg, 4)
    .option('--no-chat', "use each prompt as raw text instead of the tokenizer's chat template");
}

async function runGeneration(o: GenOpts): Promise<{ rollouts: GeneratedRollout[]; timings: RolloutTimings; device: string }> {
  // loaded here, not at start-up: `serve` must not need the runner's optional packages
  const { TextTokenizer } = await importRunnerModule('the tokenizer (--model)', () => import('../tokenizer.js'));
  const prompts = readPrompts(o.prompts);
  const ckpt = new Checkpoint(o.model);
  const tok = TextTokenizer.fromDir(o.model);
  const backend = await createBackend(o.backend, { ...(o.weights !== undefined && { weights: o.weights }) });
  try {
    const info = backend.ops.info();
    const device = `${info.backend}: ${info.device} (weights ${info.weightDtype})`;
    process.stderr.write(`backend ${device}\n`);
    const model = DeepSeekV3.load(backend.ops, ckpt);
    const res = await rolloutPrompts(model, tok, ckpt, prompts, {
      samples: o.samples, maxTokens: o.maxTokens, seed: o.seed, temperature: o.temperature, topP: o.topP, topK: o.topK, chat: o.chat, promptBatch: o.promptBatch,
    });
    model.dispose();
    const t = res.timings;
    process.stderr.write(
      `generated ${res.rollouts.length} rollouts: prefill ${t.prefillTokens} tok in ${(t.prefillMs / 1000).toFixed(2)} s (${(t.prefillTokens / (t.prefillMs / 1000)).toFixed(1)} tok/s), ` +
        `decode ${t.decodeTokens} tok in ${(t.decodeMs / 1000).toFixed(2)} s (${(t.decodeTokens / (t.decodeMs / 1000 || 1)).toFixed(1)} tok/s)\n`,
    );
    return { ...res, device };
  } finally {
    ckpt.close();
    backend.dispose();
  }
}

function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

export function registerRunnerCommands(cli: Command): void {
  cli
    .command('init-model')
    .description('Write a randomly initialised DeepSeek-V3-shaped checkpoint (config.json, model.safetensors, tokenizer.json).')
    .argument('<dir>', 'output directory (created)')
    .option('--preset <name>', `size: ${Object.keys(PRESETS).join(' | ')}`, 'tiny')
    .option('--seed <n>', 'initialisation seed', intArg, 0)
    .option('--dtype <dtype>', 'weight dtype: bf16 | f16 | f32', 'bf16')
    .action((dir: string, o: { preset: string; seed: number; dtype: string }) => {
      if (!(o.preset in PRESETS)) fail(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got ${o.preset}`);
      const dtype = o.dtype.toUpperCase();
      if (!['BF16', 'F16', 'F32'].includes(dtype)) fail(`--dtype must be bf16, f16 or f32, got ${o.dtype}`);
      try {
        const files = initModel(dir, { preset: o.preset as PresetName, seed: o.seed, dtype: dtype as WeightDtype });
        process.stderr.write(`wrote ${files.map((f) => `${dir}/${f}`).join(', ')}\n`);
      } catch (e) {
        fail(`cannot write ${dir}: ${(e as Error).message}`);
      }
    });

  cli
    .command('forward')
    .description('Print the logits of every position as a JSON array of arrays.')
    .requiredOption('--model <dir>', 'checkpoint directory')
    .requiredOption('--tokens <ids>', 'comma-separated token ids, e.g. 1,2,3', tokenListArg)
    .option('--backend <name>', 'cpu or webgpu', 'cpu')
    .option('--weights <dtype>', 'webgpu weight storage: auto, f32 or f16 (default: R1_WEBGPU_WEIGHTS, else auto = f16 where lossless)')
    .option('--attention <mode>', 'absorbed (the decode form) or naive (decompressed K/V)', 'absorbed')
    .action(async (o: { model: string; tokens: number[]; backend: string; weights?: string; attention: string }) => {
      if (o.attention !== 'absorbed' && o.attention !== 'naive') fail(`--attention must be absorbed or naive, got ${o.attention}`);
      try {
        const { logits, device } = await forwardLogits(o.model, o.tokens, o.backend, o.attention, o.weights);
        process.stderr.write(`backend ${device}\n`);
        process.stdout.write(JSON.stringify(logits) + '\n');
      } catch (e) {
        fail((e as Error).message);
      }
    });

  generationOptions(cli.command('rollout'))
    .description('Generate G rollouts per prompt and write them as JSONL in the data contract.')
    .requiredOption('-o, --output <file>', "rollouts JSONL ('-' = stdout)")
    .action(async (o: GenOpts & { output: string }) => {
      try {
        const { rollouts } = await runGeneration(o);
        if (o.output === '-') process.stdout.write(jsonl(rollouts));
        else writeFileSync(o.output, jsonl(rollouts));
      } catch (e) {
        fail((e as Error).message);
      }
    });

  generationOptions(cli.command('loop'))
    .description('Generate G rollouts per prompt, score them with the reward engine, and print rewards and GRPO advantages per group.')
    .option('-c, --config <file>', 'reward config JSON (see `r1-reward config`)')
    .option('-o, --output <file>', 'also write the scored rollouts as JSONL')
    .action(async (o: GenOpts & { config?: string; output?: string }) => {
      let engine: RewardEngine;
      try {
        engine = new RewardEngine({ baseConfig: readConfigFile(o.config) });
      } catch (e) {
        fail(e instanceof ConfigError ? `invalid config: ${e.message}` : (e as Error).message);
      }
      try {
        const { rollouts } = await runGeneration(o);
        const res = await engine.score(rollouts, engine.config());
        const results = res.results as ScoredRollout[];
        process.stdout.write(formatGroupTables(results, res.groups) + '\n\n' + formatSummary(res.stats) + '\n');
        if (o.output) writeFileSync(o.output, jsonl(results));
      } catch (e) {
        fail((e as Error).message);
      } finally {
        await engine.close();
      }
    });
}

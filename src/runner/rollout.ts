// Prompts file -> rollouts in the data contract: G samples per prompt from one prefill each.
import { readFileSync } from 'node:fs';
import type { Rollout, Task } from '../contract/types.js';
import type { Checkpoint } from './checkpoint.js';
import { generateBatch } from './generate.js';
import type { DeepSeekV3 } from './model.js';
import type { SamplingOptions } from './sampler.js';
import type { TextTokenizer } from './tokenizer.js';

export interface PromptRow {
  prompt: string;
  task?: Task;
  id?: string;
  group?: string;
  language?: string;
}

/** Parse a prompts JSONL file: one object per line with `prompt` (string) and optional task / id / group / language. */
export function readPrompts(path: string): PromptRow[] {
  const rows: PromptRow[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw new Error(`${path}:${i + 1}: not JSON: ${(e as Error).message}`);
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${path}:${i + 1}: expected a JSON object`);
      const r = v as Record<string, unknown>;
      if (typeof r.prompt !== 'string' || r.prompt.length === 0) throw new Error(`${path}:${i + 1}: prompt must be a non-empty string`);
      if (r.task !== undefined && (typeof r.task !== 'object' || r.task === null || typeof (r.task as { type?: unknown }).type !== 'string'))
        throw new Error(`${path}:${i + 1}: task must be an object with a string type`);
      for (const k of ['id', 'group', 'language'] as const) if (r[k] !== undefined && typeof r[k] !== 'string') throw new Error(`${path}:${i + 1}: ${k} must be a string`);
      rows.push(r as unknown as PromptRow);
    });
  if (rows.length === 0) throw new Error(`${path}: no prompts`);
  return rows;
}

export interface RolloutOptions extends SamplingOptions {
  samples: number;
  maxTokens: number;
  seed: number;
  /** Render each prompt with the tokenizer's chat template as a user turn. */
  chat: boolean;
  /** Prompts prefilled and decoded together (their G samples each); the results do not depend on it. Default 1. */
  promptBatch?: number;
}

export interface GeneratedRollout extends Rollout {
  id: string;
  group: string;
  prompt: string;
  completion: string;
  completion_tokens: number;
  completion_token_ids: number[];
  logprobs: number[];
  finish_reason: 'eos' | 'length';
}

export interface RolloutTimings {
  prefillTokens: number;
  prefillMs: number;
  decodeTokens: number;
  decodeMs: number;
}

/** Generate `samples` completions for every prompt (prompt i uses seed + i, whatever the batching). */
export async function rolloutPrompts(
  model: DeepSeekV3,
  tok: TextTokenizer,
  ckpt: Checkpoint,
  prompts: PromptRow[],
  opts: RolloutOptions,
  onPrompt?: (done: number) => void,
): Promise<{ rollouts: GeneratedRollout[]; timings: RolloutTimings }> {
  const eosIds = [...new Set([...ckpt.config.eosTokenIds, ...(tok.eosId === undefined ? [] : [tok.eosId])])];
  const timings: RolloutTimings = { prefillTokens: 0, prefillMs: 0, decodeTokens: 0, decodeMs: 0 };
  const rollouts: GeneratedRollout[] = [];
  const texts = prompts.map((row) => (opts.chat && tok.chatTemplate ? tok.applyChatTemplate([{ role: 'user', content: row.prompt }]) : row.prompt));
  const batch = Math.max(1, opts.promptBatch ?? 1);
  for (let b = 0; b < prompts.length; b += batch) {
    const ids = texts.slice(b, b + batch).map((t) => tok.encodePrompt(t));
    const r = await generateBatch(model, ids, { ...opts, seed: opts.seed + b, eosIds, allowedVocab: tok.vocabSize });
    timings.prefillTokens += r.timings.prefillTokens;
    timings.prefillMs += r.timings.prefillMs;
    timings.decodeTokens += r.timings.decodeTokens;
    timings.decodeMs += r.timings.decodeMs;
    r.samples.forEach((samples, k) => {
      const i = b + k, row = prompts[i]!;
      const group = row.group ?? row.id ?? `p${i}`;
      samples.forEach((s, g) => {
        const body = s.finishReason === 'eos' ? s.tokens.slice(0, -1) : s.tokens;
        rollouts.push({
          id: `${group}-${g}`,
          group,
          prompt: texts[i]!,
          completion: tok.decode(body),
          ...(row.task !== undefined && { task: row.task }),
          ...(row.language !== undefined && { language: row.language }),
          completion_tokens: s.tokens.length,
          completion_token_ids: s.tokens,
          logprobs: s.logprobs,
          finish_reason: s.finishReason,
        });
      });
    });
    onPrompt?.(Math.min(b + batch, prompts.length));
  }
  return { rollouts, timings };
}

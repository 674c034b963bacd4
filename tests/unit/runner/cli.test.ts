// End to end through the real CLI: init-model -> forward -> rollout -> loop (tiny preset).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './fixtures/run-cli.js';
import { loadCpu, maxAbsDiff, prefill, tmp } from './helpers.js';

describe('runner CLI', () => {
  const dir = tmp();
  const model = join(dir, 'tiny');
  const prompts = join(dir, 'prompts.jsonl');
  writeFileSync(
    prompts,
    [
      { id: 'q1', prompt: 'What is 6 times 7? Answer with a letter: A) 42 B) 36', task: { type: 'exact', answer: 'A' } },
      { prompt: 'What is 2+2?', task: { type: 'exact', answer: '4' } },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );

  it('init-model writes a loadable checkpoint and forward prints the logits of every position', async () => {
    const init = cli('init-model', model, '--preset', 'tiny', '--seed', '3');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/model\.safetensors/);
    const fwd = cli('forward', '--model', model, '--tokens', '0,5,9', '--backend', 'cpu');
    expect(fwd.code, fwd.stderr).toBe(0);
    expect(fwd.stderr).toMatch(/backend cpu/);
    const logits = JSON.parse(fwd.stdout) as number[][];
    expect(logits).toHaveLength(3);
    expect(logits[0]).toHaveLength(512);
    const { model: m } = loadCpu(model);
    expect(maxAbsDiff(logits.flat(), await prefill(m, [0, 5, 9]))).toBe(0);
  }, 60_000);

  it('rollout writes G rollouts per prompt in the data contract, reproducibly and independent of prompt batching', () => {
    const out = join(dir, 'rollouts.jsonl');
    const args = ['rollout', '--model', model, '--prompts', prompts, '-G', '3', '--max-tokens', '5', '--seed', '9', '--top-k', '50'];
    const r = cli(...args, '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/prefill \d+ tok .* decode \d+ tok/);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(6);
    expect(rows.map((x) => x.id)).toEqual(['q1-0', 'q1-1', 'q1-2', 'p1-0', 'p1-1', 'p1-2']);
    expect(rows.map((x) => x.group)).toEqual(['q1', 'q1', 'q1', 'p1', 'p1', 'p1']);
    for (const row of rows) {
      expect(typeof row.completion).toBe('string');
      expect(row.prompt).toMatch(/<｜Assistant｜><think>\n$/); // rendered with the chat template
      expect((row.task as { type: string }).type).toBe('exact');
      const n = row.completion_tokens as number;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(5);
      expect(row.logprobs as number[]).toHaveLength(n);
      expect(row.completion_token_ids as number[]).toHaveLength(n);
      expect((row.logprobs as number[]).every((l) => l <= 0)).toBe(true);
    }
    // the same seed gives the same file, whether prompts are decoded together (default) or one by one
    const again = cli(...args, '--prompt-batch', '1', '-o', '-');
    expect(again.stdout).toBe(readFileSync(out, 'utf8'));
  }, 60_000);

  it('loop generates, scores with the reward engine and prints a table per group', () => {
    const r = cli('loop', '--model', model, '--prompts', prompts, '-G', '2', '--max-tokens', '4', '--no-chat');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/group q1: 2 rollouts, mean/);
    expect(r.stdout).toMatch(/group p1: 2 rollouts, mean/);
    expect(r.stdout).toMatch(/q1-1 +-?\d\.\d{3} +-?\d\.\d{3}/);
    expect(r.stdout).toMatch(/rollouts +4 \(4 scored/);
  }, 60_000);

  it('fails clearly on bad input', () => {
    const bad = cli('forward', '--model', model, '--tokens', '0,99999');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/id 99999 at position 1 is outside vocab_size 512/);
    expect(cli('forward', '--model', model, '--tokens', '1', '--backend', 'tpu').stderr).toMatch(/--backend must be cpu or webgpu/);
    expect(cli('forward', '--model', join(dir, 'none'), '--tokens', '1').stderr).toMatch(/no config.json/);
    const badPrompts = join(dir, 'bad.jsonl');
    writeFileSync(badPrompts, '{"prompt": 3}\n');
    expect(cli('rollout', '--model', model, '--prompts', badPrompts, '-o', '-').stderr).toMatch(/bad.jsonl:1: prompt must be a non-empty string/);
    expect(cli('init-model', join(dir, 'x'), '--preset', 'huge').stderr).toMatch(/--preset must be one of tiny, small/);
  }, 60_000);
});

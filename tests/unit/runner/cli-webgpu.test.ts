// The CLI's --backend webgpu end to end (lazy import of src/runner/webgpu, driver discovery, adapter
// named on stderr) against --backend cpu. Like the WebGPU backend's own tests, this fails loudly when
// no adapter can be acquired (run `bash scripts/setup.sh` first; CI uses lavapipe).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initModel } from '../../../src/runner/init-model.js';
import { cli } from './fixtures/run-cli.js';
import { maxAbsDiff, tmp } from './helpers.js';

describe('runner CLI on WebGPU', () => {
  const dir = tmp();
  const model = join(dir, 'tiny');
  initModel(model, { preset: 'tiny', seed: 5, dtype: 'BF16' });

  it('forward: the same logits as the CPU reference, naming the adapter', () => {
    const tokens = '0,17,305,99,4,250';
    const gpu = cli('forward', '--model', model, '--tokens', tokens, '--backend', 'webgpu');
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(gpu.stderr).toMatch(/backend webgpu: .+ \(weights f(16|32)\)/);
    const cpu = cli('forward', '--model', model, '--tokens', tokens, '--backend', 'cpu');
    const a = JSON.parse(gpu.stdout) as number[][], b = JSON.parse(cpu.stdout) as number[][];
    expect(a).toHaveLength(6);
    expect(maxAbsDiff(a.flat(), b.flat())).toBeLessThan(2e-4);
  }, 120_000);

  it('rollout: greedy rollouts identical to the CPU reference, log-probs within tolerance', () => {
    const prompts = join(dir, 'prompts.jsonl');
    writeFileSync(prompts, JSON.stringify({ id: 'a', prompt: 'What is 2+2?', task: { type: 'exact', answer: '4' } }) + '\n');
    const run = (backend: string): Record<string, unknown>[] => {
      const out = join(dir, `${backend}.jsonl`);
      const r = cli('rollout', '--model', model, '--prompts', prompts, '-G', '2', '--max-tokens', '6', '--temperature', '0', '--backend', backend, '-o', out);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const gpu = run('webgpu'), cpu = run('cpu');
    expect(gpu.map((r) => r.completion_token_ids)).toEqual(cpu.map((r) => r.completion_token_ids));
    gpu.forEach((r, i) => expect(maxAbsDiff(r.logprobs as number[], cpu[i]!.logprobs as number[])).toBeLessThan(1e-3));
  }, 120_000);
});

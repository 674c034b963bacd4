// The think-split rule end to end: a truncated thought is never an answer, for every verifier.
import { afterAll, describe, expect, it } from 'vitest';
import { RewardEngine } from '../../src/core/engine.js';

const engine = new RewardEngine();
afterAll(() => engine.close());

const score = async (rollout: Record<string, unknown>, config: unknown = {}) => (await engine.score([rollout], engine.config(config))).results[0]!;

describe('unclosed thought (issue 9 item 1)', () => {
  it('pays nothing for a tentative math answer inside a thought cut off at max tokens', async () => {
    const r = await score({ completion: '<think>Let me think. 2+3 = 5, so maybe \\boxed{5}. Hmm wait let me check', task: { type: 'math', answer: '5' } });
    expect(r).toMatchObject({ status: 'ok', rewards: { accuracy: 0 } });
    expect(r.details['accuracy']).toMatchObject({ reason: 'unclosed_think' });
  });

  it('treats a chat template that opened <think> the same way', async () => {
    const r = await score({ prompt: '<|User|>2+3?<|Assistant|><think>\n', completion: '2+3 = \\boxed{5} hmm', task: { type: 'math', answer: '5' } });
    expect(r.rewards.accuracy).toBe(0);
    expect(r.details['accuracy']).toMatchObject({ reason: 'unclosed_think' });
  });

  it("agrees with TRL's reasoning_accuracy_reward on partial answers in an unclosed thought", async () => {
    const r = await score({ completion: '<think> Reasoning content with partial answers \\boxed{\\frac{1}{3}} but no final answer', task: { type: 'math', answer: '\\frac{1}{3}' } });
    expect(r.rewards.accuracy).toBe(0);
  });

  it('never runs a draft program inside an unclosed thought, and never pays an exact answer there', async () => {
    const code = await score({
      completion: '<think>draft:\n```python\ndef f(x):\n    return x\n```',
      task: { type: 'code', language: 'python', entry_point: 'f', test_code: 'assert f(1) == 1' },
    });
    expect(code).toMatchObject({ status: 'ok', rewards: { accuracy: 0 } });
    expect(code.details['accuracy']).toMatchObject({ reason: 'unclosed_think' });
    const exact = await score({ completion: '<think>the answer is B', task: { type: 'exact', answer: 'B' } });
    expect(exact.rewards.accuracy).toBe(0);
    expect(exact.details['accuracy']).toMatchObject({ reason: 'unclosed_think' });
  });

  it('still validates the task of a truncated rollout', async () => {
    const r = await score({ completion: '<think>cut', task: { type: 'math' } });
    expect(r.status).toBe('invalid_task');
  });

  it('keeps a completion without think tags whole, and closed thoughts as before', async () => {
    expect((await score({ completion: 'so \\boxed{5}', task: { type: 'math', answer: '5' } })).rewards.accuracy).toBe(1);
    expect((await score({ completion: '<think>maybe \\boxed{4}</think>\\boxed{5}', task: { type: 'math', answer: '5' } })).rewards.accuracy).toBe(1);
    expect((await score({ completion: '<think>\\boxed{5}</think>no idea', task: { type: 'math', answer: '5' } })).rewards.accuracy).toBe(0);
  });

  it('restores the whole-completion rule with format.unclosed_think: "answer"', async () => {
    const r = await score({ completion: '<think>so \\boxed{5}', task: { type: 'math', answer: '5' } }, { format: { unclosed_think: 'answer' } });
    expect(r.rewards.accuracy).toBe(1);
  });
});

describe('chat templates that open <think> when no prompt is sent (issue 11 item 3)', () => {
  it('infers the opened thought from a completion that closes it, as veRL and TRL send no prompt', async () => {
    const r = await score({ completion: 'I add them.</think>\\boxed{5}', task: { type: 'math', answer: '5' } });
    expect(r.rewards).toMatchObject({ format: 1, accuracy: 1 });
    expect(r.details['format']).toMatchObject({ prompt_opens_think: true, rule_failed: null });
  });

  it('stays strict when the prompt is known and does not open <think>', async () => {
    const r = await score({ prompt: 'What is 2+3?', completion: 'I add them.</think>\\boxed{5}', task: { type: 'math', answer: '5' } });
    expect(r.rewards.format).toBe(0);
    expect(r.details['format']).toMatchObject({ rule_failed: 'missing_think_open' });
  });
});

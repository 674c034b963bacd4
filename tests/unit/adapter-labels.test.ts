import { describe, expect, it } from 'vitest';
import { labelToTask } from '../../src/http/adapters/labels.js';
import { completionFrom } from '../../src/http/adapters/openrlhf.js';

describe('labelToTask', () => {
  it('maps a plain answer to the default task type', () => {
    expect(labelToTask('42', 'math')).toEqual({ type: 'math', answer: '42' });
    expect(labelToTask(7, 'math')).toEqual({ type: 'math', answer: '7' });
    expect(labelToTask('{1, 2}', 'math')).toEqual({ type: 'math', answer: '{1, 2}' });
  });
  it('takes a JSON task as is, and gives a typeless object the default type', () => {
    expect(labelToTask('{"type":"code","tests":[1]}', 'math')).toEqual({ type: 'code', tests: [1] });
    expect(labelToTask({ type: 'exact', answer: 'B' }, 'math')).toEqual({ type: 'exact', answer: 'B' });
    expect(labelToTask('{"answer":"3"}', 'math')).toEqual({ type: 'math', answer: '3' });
  });
  it('gives no task for an absent label and passes odd values on for the verifier to reject', () => {
    expect(labelToTask(undefined, 'math')).toBeUndefined();
    expect(labelToTask('', 'math')).toBeUndefined();
    expect(labelToTask(null, 'math')).toBeUndefined();
    expect(labelToTask([1], 'math')).toEqual({ type: 'math', answer: [1] });
  });
});

describe('completionFrom', () => {
  it('drops the prompt (even after a BOS token) and trailing special tokens', () => {
    expect(completionFrom('<|im_start|>user\nQ<|im_end|>\nA<|im_end|><|endoftext|>', '<|im_start|>user\nQ<|im_end|>\n')).toEqual({ completion: 'A', prompt_found: true });
    expect(completionFrom('<s>PROMPT answer</s>', 'PROMPT')).toEqual({ completion: ' answer', prompt_found: true });
    expect(completionFrom('x<｜end▁of▁sentence｜>', undefined)).toEqual({ completion: 'x', prompt_found: false });
    expect(completionFrom('all of it', 'missing')).toEqual({ completion: 'all of it', prompt_found: false });
  });
});

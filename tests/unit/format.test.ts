import { describe, expect, it } from 'vitest';
import { formatReward, type FormatConfig } from '../../src/rewards/format.js';
import { promptOpensThink, splitThink, templateOpensThink } from '../../src/text/think.js';
import { configWith } from '../helpers/engine.js';

const cfg = (over: Partial<FormatConfig> = {}): FormatConfig => ({ ...configWith().format, ...over });
const fmt = (c: string, over: Partial<FormatConfig> = {}, opens = false) => formatReward(c, opens, cfg(over));

describe('format reward, strict R1-Zero template', () => {
  it('accepts one closed, non-empty think block followed by an answer', () => {
    expect(fmt('<think>reasoning</think>42')).toMatchObject({ score: 1, failed: null });
    expect(fmt('  \n<think>\nreasoning\n</think>\n\nThe answer is 42.')).toMatchObject({ score: 1, failed: null });
  });

  it.each([
    ['42', 'missing_think_open'],
    ['<think>reasoning 42', 'missing_think_close'],
    ['So: <think>reasoning</think>42', 'text_before_think'],
    ['</think>x<think>reasoning</think>42', 'close_before_open'],
    ['<think>a<think>b</think></think>42', 'nested_think'],
    ['<think>a</think><think>b</think>42', 'repeated_think'],
    ['<think>a</think>42</think>', 'repeated_think'],
    ['<think>  \n </think>42', 'empty_think'],
    ['<think>reasoning</think>  \n', 'empty_answer'],
  ])('rejects %j with rule %s', (completion, rule) => {
    expect(fmt(completion)).toMatchObject({ score: 0, failed: rule });
  });

  it('is not fooled by the known hack <think></think>a', () => {
    expect(fmt('<think></think>a').score).toBe(0);
  });

  it('knows when the chat template already opened <think>', () => {
    expect(promptOpensThink('<|User|>hi<|Assistant|><think>\n')).toBe(true);
    expect(promptOpensThink('<think>old</think> new question')).toBe(false);
    expect(promptOpensThink(undefined)).toBe(false);
    expect(promptOpensThink('Wrap your reasoning in <think> tags, then answer.')).toBe(false);
    expect(fmt('reasoning</think>42', {}, true)).toMatchObject({ score: 1, failed: null, prompt_opens_think: true });
    // Opening it again inside the block the template opened nests a block.
    expect(fmt('<think>reasoning</think>42', {}, true).failed).toBe('nested_think');
    expect(fmt('reasoning</think>42').failed).toBe('missing_think_open');
  });

  it('supports the open-r1 <answer> variant', () => {
    const o = { mode: 'think_answer' as const };
    expect(fmt('<think>r</think>\n<answer>42</answer>', o).score).toBe(1);
    expect(fmt('<think>r</think>42', o).failed).toBe('missing_answer_tags');
    expect(fmt('<think>r</think>so <answer>42</answer>', o).failed).toBe('text_outside_answer');
    expect(fmt('<think>r</think><answer> </answer>', o).failed).toBe('empty_answer_tag');
    expect(fmt('<think>r</think><answer>4</answer><answer>2</answer>', o).failed).toBe('repeated_answer_tags');
  });

  it('gives partial credit by tag count when asked', () => {
    expect(fmt('<think>r 42', { partial: true }).score).toBe(0.5);
    expect(fmt('<think>r</think><answer>42', { mode: 'think_answer', partial: true }).score).toBe(0.75);
    expect(fmt('no tags', { partial: true }).score).toBe(0);
  });

  it('can require the newlines of open-r1 regex', () => {
    expect(fmt('<think>r</think>42', { require_newlines: true }).failed).toBe('missing_newlines');
    expect(fmt('<think>\nr\n</think>\n42', { require_newlines: true }).score).toBe(1);
  });
});

describe('splitThink', () => {
  it('takes the answer after the last </think> and the thought inside the block', () => {
    expect(splitThink('<think>abc</think>ans', false)).toEqual({ thought: 'abc', answer: 'ans' });
    expect(splitThink('abc</think>ans', true)).toEqual({ thought: 'abc', answer: 'ans' });
    expect(splitThink('plain answer', false)).toEqual({ thought: null, answer: 'plain answer' });
  });

  it('leaves no answer part when a thought never closes (truncated rollout), unless asked for the old rule', () => {
    expect(splitThink('<think>unclosed \\boxed{5}', false)).toEqual({ thought: 'unclosed \\boxed{5}', answer: null });
    expect(splitThink('2+3 = \\boxed{5} hmm', true)).toEqual({ thought: '2+3 = \\boxed{5} hmm', answer: null });
    expect(splitThink('<think>unclosed', false, 'answer')).toEqual({ thought: 'unclosed', answer: '<think>unclosed' });
    expect(splitThink('reasoning', true, 'answer')).toEqual({ thought: 'reasoning', answer: 'reasoning' });
    // no think tags at all and no template: the whole text is the answer, as before
    expect(splitThink('\\boxed{5}', false)).toEqual({ thought: null, answer: '\\boxed{5}' });
  });
});

describe('templateOpensThink', () => {
  it('trusts a sent prompt (strict), and infers the template from a completion when no prompt was sent', () => {
    expect(templateOpensThink('<|Assistant|><think>\n', 'r</think>a')).toBe(true);
    expect(templateOpensThink('plain prompt', 'r</think>a')).toBe(false);
    // veRL / TRL send no prompt: an R1-Distill completion closes a thought the template opened
    expect(templateOpensThink(undefined, 'reasoning</think>42')).toBe(true);
    expect(templateOpensThink(undefined, '<think>r</think>42')).toBe(false);
    expect(templateOpensThink(undefined, 'no tags at all')).toBe(false);
    expect(templateOpensThink(undefined, 'r</think>a', false)).toBe(false);
    expect(templateOpensThink('plain', 'r', true)).toBe(true);
  });
});

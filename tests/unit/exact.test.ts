import { describe, expect, it } from 'vitest';
import { exactVerifier, extractShortAnswer, normaliseShort } from '../../src/verifiers/exact.js';
import { configWith } from '../helpers/engine.js';

const config = configWith();
const verify = (answer: string, gold: string | string[], case_sensitive?: boolean) =>
  exactVerifier.verify({
    rollout: { completion: answer },
    task: { type: 'exact', answer: gold, ...(case_sensitive !== undefined && { case_sensitive }) },
    answer,
    config,
    signal: new AbortController().signal,
  });

describe('exact verifier', () => {
  it('extracts from answer tags, \\boxed, anchors, else the whole text', () => {
    expect(extractShortAnswer('<answer>C</answer>')).toEqual({ text: 'C', rule: 'answer_tag' });
    expect(extractShortAnswer('so \\boxed{B} and')).toEqual({ text: 'B', rule: 'boxed' });
    expect(extractShortAnswer('I think the answer is (D).\nBye')).toEqual({ text: '(D).', rule: 'anchor' });
    expect(extractShortAnswer(' A ')).toEqual({ text: ' A ', rule: 'whole' });
  });

  it('normalises case, spaces, brackets, emphasis and final punctuation', () => {
    expect(normaliseShort('  (B). ', false)).toBe('b');
    expect(normaliseShort('**Paris**', false)).toBe('paris');
    expect(normaliseShort('\\text{Monday}', true)).toBe('Monday');
  });

  it('matches the gold or any accepted answer, and nothing else', async () => {
    expect((await verify('The answer is (B).', 'B')).accuracy).toBe(1);
    expect((await verify('\\boxed{b}', 'B')).accuracy).toBe(1);
    expect((await verify('\\boxed{b}', 'B', true)).accuracy).toBe(0);
    expect((await verify('Answer: NYC', ['New York', 'NYC'])).accuracy).toBe(1);
    expect((await verify('B or C', 'B')).accuracy).toBe(0);
    expect((await verify('Paris, France', 'Paris')).accuracy).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { preTokenize, trainByteLevelBpe } from '../../../src/runner/bpe-train.js';
import { CORPUS } from '../../../src/runner/corpus.js';
import { BOS, EOS, initModel } from '../../../src/runner/init-model.js';
import { TextTokenizer } from '../../../src/runner/tokenizer.js';
import { tmp } from './helpers.js';

const opts = { vocabSize: 400, specials: [BOS, EOS], added: ['<think>', '</think>'] };

describe('byte-level BPE', () => {
  it('trains deterministically', () => {
    expect(JSON.stringify(trainByteLevelBpe(CORPUS, opts))).toBe(JSON.stringify(trainByteLevelBpe(CORPUS, opts)));
  });

  it('pre-tokenizes digits in runs of at most three, then GPT-2 style', () => {
    expect(preTokenize('abc 12345 x')).toEqual(['abc', ' ', '123', '45', ' x']);
    expect(preTokenize("it's  ok")).toEqual(['it', "'s", ' ', ' ok']);
  });

  const tok = new TextTokenizer(trainByteLevelBpe(CORPUS, opts), { bos_token: BOS, eos_token: EOS, add_bos_token: true });

  it('round-trips any text, including bytes it never saw', () => {
    for (const s of ['The answer is \\boxed{42}.', '  leading spaces\n\n\ttabs', 'émigré 日本語 🙂', 'x'.repeat(50), '12345678', '']) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  it('learned merges compress the training domain', () => {
    const text = 'The answer is correct, so the final answer is 42.';
    expect(tok.encode(text).length).toBeLessThan(new TextEncoder().encode(text).length / 2);
  });

  it('keeps special and added tokens whole, adds BOS to prompts, skips specials when decoding', () => {
    const ids = tok.encode(`${BOS}hi<think>x</think>${EOS}`);
    expect(ids[0]).toBe(0);
    expect(ids).toContain(tok.encode('<think>')[0]);
    expect(tok.encode('<think>')).toHaveLength(1);
    expect(ids[ids.length - 1]).toBe(1);
    expect(tok.decode(ids)).toBe('hi<think>x</think>');
    expect(tok.decode(ids, false)).toBe(`${BOS}hi<think>x</think>${EOS}`);
    expect(tok.encodePrompt('hi')[0]).toBe(tok.bosId);
    expect(tok.encodePrompt(`${BOS}hi`).filter((i) => i === 0)).toHaveLength(1);
  });

  it('reads tokenizer.json and tokenizer_config.json from a model directory and renders the chat template', () => {
    const dir = tmp();
    initModel(dir, { preset: 'tiny', seed: 0, dtype: 'BF16' });
    const t = TextTokenizer.fromDir(dir);
    expect(t.bosId).toBe(0);
    expect(t.eosId).toBe(1);
    const text = t.applyChatTemplate([{ role: 'user', content: 'What is 2+2?' }]);
    expect(text).toBe(`${BOS}<｜User｜>What is 2+2?<｜Assistant｜><think>\n`);
    const ids = t.encodePrompt(text);
    expect(ids.filter((i) => i === 0)).toHaveLength(1);
    expect(t.decode(ids, false)).toBe(text);
    expect(() => TextTokenizer.fromDir(tmp())).toThrow(/no tokenizer.json/);
  });
});

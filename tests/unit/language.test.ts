import { describe, expect, it } from 'vitest';
import { growthRatio } from '../helpers/growth.js';
import { languageReward, majorityLanguage, stripNonProse } from '../../src/rewards/language.js';
import { configWith } from '../helpers/engine.js';

const cfg = configWith().language;

describe('language consistency', () => {
  it('is 1 for an English chain of thought with math, code and URLs in it', () => {
    const t = 'First we expand $(x+1)^2 = x^2 + 2x + 1$ and then check it with `sympy.expand` at https://example.org/x.\n' +
      '```python\nprint("你好")\n```\nThe expansion is correct, so the coefficient we are looking for is two.';
    const r = languageReward(t, 'en', cfg);
    expect(r.score).toBe(1);
    expect(r.counts).toEqual({ en: r.words });
  });

  it('counts words per language across scripts', () => {
    const r = languageReward('我们先计算两个数的和，然后除以三。 So the final answer is clearly five.', 'en', cfg);
    expect(r.counts['zh']).toBeGreaterThan(3);
    expect(r.counts['en']).toBe(7);
    expect(r.score).toBeCloseTo(7 / r.words, 12);
    expect(languageReward('我们先计算两个数的和，然后除以三。', 'zh', cfg).score).toBe(1);
  });

  it('attributes Latin-script sentences with franc, by run, not word by word', () => {
    const fr = 'Nous devons calculer la somme des deux nombres puis la diviser par trois pour obtenir la moyenne demandée dans cet exercice.';
    const en = 'We need to add the two numbers together and then divide the result by three to get the mean that the exercise asks for.';
    const r = languageReward(`${fr} ${en}`, 'en', { ...cfg, chunk_chars: 60 });
    expect(r.counts['fr']).toBeGreaterThan(15);
    expect(r.counts['en']).toBeGreaterThan(15);
    expect(r.score).toBeGreaterThan(0.3);
    expect(r.score).toBeLessThan(0.7);
  });

  it('tells Russian from Ukrainian by their own letters', () => {
    expect(languageReward('Сначала найдём сумму двух чисел, а затем разделим её на три.', 'ru', cfg).score).toBe(1);
    expect(languageReward('Спочатку знайдемо суму двох чисел, а потім поділимо її на три.', 'uk', cfg).score).toBe(1);
  });

  it('recognises Japanese by its kana, Han included', () => {
    const r = languageReward('まず、二つの数の和を計算します。答えは五です。', 'ja', cfg);
    expect(r.score).toBe(1);
  });

  it('gives the configured value when nothing but math is left', () => {
    expect(languageReward('$x^2 = 4$ 12 + 7', 'en', cfg)).toMatchObject({ score: 0, words: 0 });
    expect(languageReward('$x^2 = 4$', 'en', { ...cfg, empty: null }).score).toBeNull();
  });

  it('leaves too-short text undecided rather than guessing', () => {
    expect(languageReward('Okay.', 'en', cfg).counts).toEqual({ und: 1 });
  });

  it('detects the prompt language', () => {
    expect(majorityLanguage('请计算下面这个表达式的值，并把答案写在方框里。', cfg)).toBe('zh');
    expect(majorityLanguage('Compute the value of the following expression and put the answer in a box.', cfg)).toBe('en');
    expect(majorityLanguage('$1+1$', cfg)).toBeNull();
  });

  it('strips code, math and links', () => {
    expect(stripNonProse('a `b` $c$ \\(d\\) \\[e\\] $$f$$ \\frac{1}{2} http://x.y/z').replace(/\s+/g, ' ').trim()).toBe('a');
  });
});

describe('language reward on hostile input', () => {
  // Each input makes a backtracking or copying implementation quadratic. Measured: the time at 8× the size
  // over the time at 1× (linear ≈ 8, up to ~16 with cache and GC effects at these sizes; quadratic ≈ 64).
  it.each([
    ['a long run without spaces', (n: number) => 'x@'.repeat(n)],
    ['many unclosed \\( and \\[', (n: number) => 'word \\( word \\[ '.repeat(n / 5)],
    ['many unclosed $ on one line', (n: number) => 'a $ b '.repeat(n / 2.5)],
    ['many unclosed environments', (n: number) => '\\begin{align} text '.repeat(n / 5)],
    ['alternating scripts', (n: number) => 'a 中 '.repeat(n / 5)],
  ])('stays linear: %s', (_name, make) => {
    const r = languageReward(make(500_000), 'en', cfg);
    expect(r.words).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(r.score ?? 0)).toBe(true);
    const inputs = new Map([25_000, 200_000].map((n) => [n, make(n)]));
    expect(growthRatio((n) => languageReward(inputs.get(n)!, 'en', cfg), 25_000, 8)).toBeLessThan(32);
  });

  it('keeps prose around unclosed delimiters and blanks a truncated code block', () => {
    expect(stripNonProse('so \\( x and then').replace(/\s+/g, ' ').trim()).toBe('so \\( x and then');
    expect(stripNonProse('text ```python\nprint(1)').trim()).toBe('text');
    expect(stripNonProse('cost $5 and\n$6 more').replace(/\s+/g, ' ').trim()).toBe('cost $5 and $6 more');
  });
});

describe('language targets', () => {
  it('adds the target to the candidates, so its words can be attributed to it', () => {
    const sv = 'Vi adderar först de två talen och delar sedan summan med tre för att få medelvärdet.';
    expect(cfg.candidates).not.toContain('sv');
    expect(languageReward(sv, 'sv', cfg).score).toBe(1);
  });
});

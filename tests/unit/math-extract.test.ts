import { describe, expect, it } from 'vitest';
import { growthRatio } from '../helpers/growth.js';
import { show } from '../../src/math/ast.js';
import { extractCandidates, goldCandidates } from '../../src/math/extract.js';
import { parseAnswer } from '../../src/math/parser.js';

/** The candidate the grader uses: the first in priority order that parses (shown parsed as `value`). */
function first(s: string, lastNumber = false): { rule: string; text: string; value: string } | null {
  for (const c of extractCandidates(s, { lastNumber })) {
    try {
      return { ...c, value: show(parseAnswer(c.text)) };
    } catch {
      // not an answer: the next candidate is tried
    }
  }
  return null;
}

describe('answer extraction', () => {
  it('takes the last \\boxed / \\fbox, nested braces included, and \\boxed 5', () => {
    expect(first('so \\boxed{2} hmm no, \\boxed{\\frac{1}{\\sqrt{2}}}')).toMatchObject({ rule: 'boxed', text: '\\frac{1}{\\sqrt{2}}' });
    expect(first('\\fbox{7}')?.text).toBe('7');
    expect(first('the answer is $\\boxed 5$')?.text).toBe('5');
  });
  it('does not join a retracted box with the final one, but joins a run of boxes', () => {
    expect(first('\\boxed{2} is wrong because of the sign, so \\boxed{3}')?.text).toBe('3');
    expect(first('\\boxed{1}, \\boxed{2} and \\boxed{3}')?.text).toBe('1, 2, 3');
    expect(first('\\(\\boxed{1}\\) and \\(\\boxed{-2}\\)')?.text).toBe('1, -2');
  });
  it('reads anchors: final answer, the answer is, answer:, ####, Chinese, A:', () => {
    expect(first('Final Answer: The final answer is $10,455$. I hope it is correct.')?.value).toBe('10455');
    expect(first('so the answer is 42.')?.text).toBe('42');
    expect(first('Answer: 17')?.text).toBe('17');
    expect(first('blah\n#### 72')?.text).toBe('72');
    expect(first('所以答案是 12')?.text).toBe('12');
    expect(first('最终答案：\\frac{1}{2}')?.text).toBe('\\frac{1}{2}');
    expect(first('60-40 = <<60-40=20>>20 cups\nA: 20')?.text).toBe('20');
    expect(first('Final Answer: The largest $n$ is 34.')?.text).toBe('34');
  });
  it('reads <answer> tags and LaTeX environments', () => {
    expect(first('<answer>\\frac{3}{4}</answer>')?.text).toBe('\\frac{3}{4}');
    expect(first('<answer>so \\boxed{9}</answer> later \\boxed{8}')?.text).toBe('9');
    expect(first('We get \\[x = 5\\] at the end of a long line of reasoning that goes on and on.')).toMatchObject({ rule: 'latex_env', value: 'x=5' });
    expect(first('thus $y=3$')?.value).toBe('y=3');
  });
  it('uses the last number only in the evaluation preset', () => {
    const truncated = 'We compute 3 + 4 = 7 and then multiply by';
    expect(extractCandidates(truncated, { lastNumber: false }).some((c) => c.rule === 'last_number')).toBe(false);
    expect(first(`${truncated} and so on for a long while`, true)).toMatchObject({ rule: 'last_number', text: '7' });
    expect(first('AZYUK2A and more words here to pass the whole-answer rule limit', true)).toBeNull();
    expect(first('the probability is therefore, after all that work, 2/3 in the end', true)?.text).toBe('2/3');
  });
  it('takes a short one-line answer part whole', () => {
    expect(first('x^2+1')).toMatchObject({ rule: 'whole', text: 'x^2+1' });
  });
  it('puts the gold through the same rules, whole gold first after boxes', () => {
    expect(goldCandidates('\\boxed{1} papers and \\boxed{2} bins')[0]).toBe('1, 2');
    expect(goldCandidates('\\boxed{1} no no no no no \\boxed{2}')[0]).toBe('2');
    expect(goldCandidates('$1$ and $2$ and $3$')[0]).toBe('$1$ and $2$ and $3$');
  });
  it('is linear on a 1 MB completion', () => {
    const make = (n: number): string => `${'\\[ \\( $ { '.repeat(n)} \\boxed{7}`;
    expect(first(make(100_000))?.text).toBe('7'); // 1 MB
    // time at 8× the size over the time at 1×: linear ≈ 8 (up to ~16 with cache and GC effects), quadratic ≈ 64
    const inputs = new Map([100_000, 800_000].map((n) => [n, make(n)]));
    expect(growthRatio((n) => first(inputs.get(n)!), 100_000, 8)).toBeLessThan(32);
  });
});

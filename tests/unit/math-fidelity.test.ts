// Issue 9: verdicts on the messy outputs real RL produces. Each example is graded in-process with the
// function the worker runs (symbolic and 80-digit hooks included), and must get the verdict written here.
import { all, create, simplify } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { grade, type GradeOptions } from '../../src/math/grade.js';
import { mathjsChecker, preciseChecker } from '../../src/math/symbolic.js';

const big = create(all!, { number: 'BigNumber', precision: 80 });
const hooks = { symbolic: mathjsChecker((e) => simplify(e)), precise: preciseChecker((e) => big.evaluate(e) as { toString(): string }) };
const OPTS: GradeOptions = { lastNumber: false, percentFraction: false, decimalMinDigits: 3, maxAnswerChars: 2000 };
const run = (pred: string, gold: string, o: Partial<GradeOptions> = {}) => grade(pred, gold, { ...OPTS, ...o }, hooks);
const acc = (pred: string, gold: string, o: Partial<GradeOptions> = {}) => run(pred, gold, o).accuracy;
const EVAL: Partial<GradeOptions> = { lastNumber: true };

describe('item 2: a decimal is not an exact non-decimal gold', () => {
  it('refuses 3.14 for \\pi and 0.8333 for 5/6, accepts exact equality and gold decimals', () => {
    expect(run('\\boxed{3.14}', '\\pi')).toMatchObject({ accuracy: 0, details: { rule: 'decimal_not_exact' } });
    expect(acc('\\boxed{0.8333}', '\\frac{5}{6}')).toBe(0);
    expect(acc('\\boxed{3.14159265358979}', '\\pi')).toBe(0);
    expect(acc('\\boxed{0.5}', '\\frac{1}{2}')).toBe(1);
    expect(acc('\\boxed{0.5}', '\\sin(\\pi/6)')).toBe(1);
    expect(acc('\\boxed{\\pi}', '3.14')).toBe(1);
    expect(acc('\\boxed{\\frac{5}{6}}', '0.833')).toBe(1);
  });
  // a gold with too few significant digits may be exact (0.5 = 1/2): nothing rounds to it
  it.each([
    ['3.14159', '3.14', 1],
    ['13.18', '13.2', 1],
    ['13.2', '13.18', 0],
    ['3.149', '3.14', 0],
    ['0.46', '0.5', 0],
    ['42.4', '42', 0],
  ])('predicted decimal %s for gold decimal %s -> %i (more places may round to the gold)', (pred, gold, want) => {
    expect(acc(`\\boxed{${pred}}`, gold)).toBe(want);
  });
  it('rounds a predicted decimal only when configured (decimal_rounding: either)', () => {
    expect(acc('\\boxed{3.14}', '\\pi', { decimalRounding: 'either' })).toBe(1);
    expect(acc('\\boxed{0.8333}', '\\frac{5}{6}', { decimalRounding: 'either' })).toBe(1);
    expect(acc('\\boxed{3.15}', '\\pi', { decimalRounding: 'either' })).toBe(0);
  });
});

describe('item 3: no underflow to zero', () => {
  it.each([
    ['\\boxed{0.1^{10^{100}}}', '0'],
    ['\\boxed{10^{-10^{10}}}', '0'],
    ['\\boxed{0}', '10^{-10^{10}}'],
    ['\\boxed{\\pi^{-10^{100}}}', '0'],
    ['\\boxed{2^{2^{40}}}', '2^{2^{40}}+1'],
    ['\\boxed{10^{-10^{10}}}', '2 \\cdot 10^{-10^{10}}'],
  ])('%s for gold %s is 0', (pred, gold) => {
    expect(acc(pred, gold)).toBe(0);
  });
  it('still proves equal what the exact path can compute', () => {
    expect(acc('\\boxed{10^{-300} \\cdot 10^{300}}', '1')).toBe(1);
    expect(acc('\\boxed{10^{10^{10}}}', '10^{10^{10}}')).toBe(1);
  });
});

describe('item 4: the last-number fallback skips numbers inside LaTeX commands and exponents', () => {
  it.each([
    ['We simplify.\nSo it is 2\\sqrt{2}', '2'],
    ['We simplify.\nso it is \\frac{1}{6}', '6'],
    ['We simplify.\nit is 2^{10}', '10'],
    ['We simplify.\nit is 2^{10}', '2'],
  ])('%j is not %s', (pred, gold) => {
    expect(acc(pred, gold, EVAL)).toBe(0);
  });
  it('reads the number with the LaTeX attached to it instead', () => {
    expect(run('We simplify.\nSo it is 2\\sqrt{2}', '2\\sqrt{2}', EVAL)).toMatchObject({ accuracy: 1, details: { extraction: 'last_number' } });
    expect(acc('We simplify.\nso it is \\frac{1}{6}', '\\frac{1}{6}', EVAL)).toBe(1);
    expect(acc('We simplify.\nit is 2^{10} in all', '1024', EVAL)).toBe(1);
    expect(acc('We count.\nit is 6 \\times 10^{5} grains', '600000', EVAL)).toBe(1);
    expect(acc('We measure.\nit is 5\\text{ cm} long', '5', EVAL)).toBe(1);
  });
});

describe('item 5: an anchor that was found decides', () => {
  it('takes the first answer-shaped expression after it, never a later number', () => {
    expect(acc('答案是 13，不是 12。', '12', EVAL)).toBe(0);
    expect(acc('答案是 13，不是 12。', '13', EVAL)).toBe(1);
    expect(acc('The answer is 13, not 12.', '12', EVAL)).toBe(0);
    expect(acc('The answer is 13, not 12.', '13', EVAL)).toBe(1);
    expect(acc('The answer is 13.\nChecking: 12 + 1 = 13, and 12', '12', EVAL)).toBe(0);
  });
});

describe('item 7: bare "answer" anchors', () => {
  it.each([
    ['Answer is 42.', '42'],
    ['my answer is 42', '42'],
    ['therefore answer is $1$', '1'],
    ['Answers are 3 and 5.', '3, 5'],
  ])('%j answers %s', (pred, gold) => {
    expect(run(pred, gold)).toMatchObject({ accuracy: 1, details: { extraction: 'anchor:answer_is' } });
  });
  it('does not take one of two answers for both', () => {
    expect(acc('Answers are 3 and 5.', '3')).toBe(0);
  });
  it.each(['Answer is 42.', 'my answer is 42', 'therefore answer is $1$', 'Answers are 3 and 5.', '答案是 13，不是 12。', 'x is 3'])(
    'a gold and an identical completion agree: %j',
    (text) => {
      expect(acc(text, text)).toBe(1);
    },
  );
  it('reads a sentence gold the way it reads a prediction', () => {
    expect(acc('The answer is 42', 'Answer is 42.')).toBe(1);
    expect(acc('The answer is 41', 'Answer is 42.')).toBe(0);
  });
});

describe('item 8: an anchored answer runs to the end of its environment', () => {
  it('keeps a matrix written across lines', () => {
    const pred = 'The answer is \\begin{pmatrix}1 & 2 \\\\\n3 & 4\\end{pmatrix}';
    expect(acc(pred, '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}')).toBe(1);
    expect(acc(pred, '\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}')).toBe(0);
    expect(acc('The final answer is $$\nx = \\frac{1}{2}\n$$', '\\frac12')).toBe(1);
  });
});

describe('item 9: 答案： followed by a parenthesised LaTeX value', () => {
  it('reads the value after 是 and drops the unit', () => {
    expect(acc('答案：每份应该是 (\\frac{2}{5}) 吨。', '\\frac{2}{5}')).toBe(1);
    expect(acc('答案：每份应该是 (\\frac{2}{5}) 吨。', '\\frac{3}{5}')).toBe(0);
  });
});

describe('item 6: several boxed answers joined by or / and / commas / \\quad', () => {
  it('reads every box of a multi-part answer, with the name each answers for', () => {
    expect(acc('Thus $x = \\boxed{-2}$ or $x = \\boxed{1}$.', '-2, 1')).toBe(1);
    expect(acc('Thus $x = \\boxed{-2}$ or $x = \\boxed{1}$.', '-2')).toBe(0);
    const two = '\\(y_1 = \\boxed{-2(x-1)^2+5}\\) and \\(y_2 = \\boxed{3(x+2)^2-2}\\)';
    expect(acc(two, '$y_{1}=-2 x^{2}+4 x+3, y_{2}=3 x^{2}+12 x+10$')).toBe(1);
    // the labels are kept: swapped answers are wrong
    expect(acc(two, '$y_{1}=3 x^{2}+12 x+10, y_{2}=-2 x^{2}+4 x+3$')).toBe(0);
    expect(acc('\\boxed{1} \\quad \\boxed{2}', '1, 2')).toBe(1);
  });
  it('does not join boxes across other words (a retraction)', () => {
    expect(acc('\\boxed{2} is wrong, so x = \\boxed{3}', '3')).toBe(1);
    expect(acc('\\boxed{2} is wrong, so x = \\boxed{3}', '2, 3')).toBe(0);
  });
});

describe('item 10: solutions separated by \\quad\\text{and}\\quad in a gold', () => {
  const gold = 'p = 5, q = 2 \\quad \\text{and} \\quad p = 7, q = 2';
  it.each([
    ['\\boxed{(5,2),(7,2)}', 1],
    ['\\boxed{(7,2),(5,2)}', 1],
    ['\\boxed{p=5,q=2;p=7,q=2}', 1],
    ['\\boxed{(5,2),(2,7)}', 0],
    ['\\boxed{(5,2)}', 0],
    ['\\boxed{5, 2, 7, 2}', 0],
  ])('%s -> %i', (pred, want) => {
    expect(acc(pred, gold)).toBe(want);
  });
  it('keeps a plain list joined by "and" a list', () => {
    expect(acc('\\boxed{2, 3, 5, 7}', '2, 3 and 5, 7')).toBe(1);
    expect(acc('\\boxed{x=1, y=2 \\text{ or } x=3, y=4}', '(1,2), (3,4)')).toBe(1);
  });
});

describe('item 11: a one-variable inequality and the set it describes are the same answer', () => {
  it.each([
    ['$z \\in \\left[-\\frac{3}{2}, -1\\right] \\cup \\left[1, \\frac{3}{2}\\right]$', '$1\\leq|z|\\leq \\frac{3}{2}$', 1],
    ['$z \\in \\left[-\\frac{3}{2}, -1\\right) \\cup \\left[1, \\frac{3}{2}\\right]$', '$1\\leq|z|\\leq \\frac{3}{2}$', 0],
    ['\\boxed{(2, \\infty)}', 'x > 2', 1],
    ['\\boxed{x > 2}', '(2, \\infty)', 1],
    ['\\boxed{x \\ge 2}', '(2, \\infty)', 0],
    ['\\boxed{x < 2}', '(2, \\infty)', 0],
    ['\\boxed{-2 \\le x \\le 7}', 'x \\in [-2,7]', 1],
    ['\\boxed{|x| < 3}', '(-3,3)', 1],
    ['\\boxed{|x| > 3}', '(-\\infty,-3)\\cup(3,\\infty)', 1],
    ['\\boxed{|x| \\ge 3}', '(-\\infty,-3)\\cup(3,\\infty)', 0],
    ['\\boxed{-1 < |x| < 3}', '(-3,3)', 1],
    // not solved: an inequality in |x - 1| is the question, not its answer
    ['\\boxed{|x-1| < 3}', '(-2,4)', 0],
  ])('%s vs gold %s -> %i', (pred, gold, want) => {
    expect(acc(pred, gold)).toBe(want);
  });
});

describe('item 12: identical sub-expressions cancel before any guard gives up', () => {
  it.each([
    ['\\boxed{x^{x^{x^{x}}} - x^{x^{x^{x}}} + 1}', '1', 1],
    ['\\boxed{1}', 'x^{x^{x^{x}}} - x^{x^{x^{x}}} + 1', 1],
    ['\\boxed{10^{10^{10}} - 10^{10^{10}}}', '0', 1],
    ['\\boxed{2(x^{x^{x^{x}}} - x^{x^{x^{x}}}) + y}', 'y', 1],
    ['\\boxed{x^{x^{x^{x}}} - x^{x^{x^{x}}} + 2}', '1', 0],
    ['\\boxed{x^{x^{x^{x}}} + x^{x^{x^{x}}} + 1}', '1', 0],
  ])('%s vs gold %s -> %i', (pred, gold, want) => {
    expect(acc(pred, gold)).toBe(want);
  });
});

import { describe, expect, it } from 'vitest';
import { show } from '../../src/math/ast.js';
import { normaliseLatex, repairEscapes } from '../../src/math/normalise.js';
import { parseAnswer } from '../../src/math/parser.js';

const p = (s: string): string => show(parseAnswer(s));

describe('normalisation', () => {
  it('joins LaTeX thousands separators but not lists', () => {
    expect(p('1\\,000\\,000')).toBe('1000000');
    expect(p('10{,}000')).toBe('10000');
    expect(p('3,\\!250')).toBe('3250');
    expect(p('7,425,000')).toBe('7425000');
    expect(p('1 000')).toBe('1000');
    expect(p('1,2')).toBe('1, 2');
    expect(p('(100,200)')).toBe('(100, 200)');
  });
  it('drops layout, units, degrees, currency and fixes unicode', () => {
    expect(p('\\left( 1, 2 \\right]')).toBe('(1, 2]');
    expect(p('\\dfrac{3}{50}')).toBe('(3/50)');
    expect(p('100\\text{ square units}')).toBe('100');
    expect(p('15\\mbox{ cm}^2')).toBe('15');
    expect(p('120^\\circ')).toBe('120');
    expect(p('\\$6')).toBe('6');
    expect(p('−3')).toBe('(-3)');
    expect(p('2×3')).toBe('(2*3)');
    expect(p('20 dollars')).toBe('20');
  });
  it('repairs LaTeX whose backslash escapes were eaten by a string literal', () => {
    expect(repairEscapes('\frac{1}{2}')).toBe('\\frac{1}{2}');
    expect(repairEscapes('\text{13}')).toBe('\\text{13}');
    expect(normaliseLatex('\\\\frac{1}{2}')).toBe('\\frac{1}{2}');
  });
});

describe('parser', () => {
  it('reads numbers, fractions, mixed numbers and repeating decimals exactly', () => {
    expect(p('\\frac12')).toBe('(1/2)');
    expect(p('2\\frac12')).toBe('(2+(1/2))');
    expect(p('-2\\frac{1}{2}')).toBe('(-(2+(1/2)))');
    expect(p('0.\\overline{3}')).toBe('1/3');
    expect(p('1.2\\overline{34}')).toBe('611/495');
    expect(p('6.02e23')).toBe('602000000000000000000000');
  });
  it('reads implicit products, functions and powers', () => {
    expect(p('2\\sqrt2')).toBe('(2*sqrt(2))');
    expect(p('4a-2')).toBe('((4*a)-2)');
    expect(p('\\sin^2 x')).toBe('(sin(x)^2)');
    expect(p('\\sin^{-1} x')).toBe('arcsin(x)');
    expect(p('\\log_2 8')).toBe('logb(2,8)');
    expect(p('\\sqrt[3]{8}')).toBe('root(8,3)');
    expect(p('\\binom{5}{2}')).toBe('binom(5,2)');
    expect(p('5!')).toBe('fact(5)');
    expect(p('2^{10}')).toBe('(2^10)');
    expect(p('e^{i\\pi}')).toBe('(e^(i*pi))');
  });
  it('reads containers: sets, tuples, intervals, unions, matrices', () => {
    expect(p('\\{1,2\\}')).toBe('{1, 2}');
    expect(p('(1,2]')).toBe('(1, 2]');
    expect(p('[1,2]')).toBe('[1, 2]');
    expect(p('(1,2)')).toBe('(1, 2)');
    expect(p('(-\\infty,3)\\cup(4,\\infty)')).toBe('((-inf), 3) ∪ (4, inf)');
    expect(p('\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}')).toBe('[1, 2; 3, 4]');
    expect(p('\\emptyset')).toBe('{}');
  });
  it('reads relations, ± and several answers', () => {
    expect(p('3 \\le x < 5')).toBe('3<=x<5');
    expect(p('x != 3')).toBe('x!=3');
    expect(p('x \\in [1,2]')).toBe('[1, 2]');
    expect(p('x = 1/3 \\approx 0.33')).toBe('x=(1/3)');
    expect(p('1\\pm\\sqrt{2}')).toBe('(1±sqrt(2))');
    expect(p('1 and 2')).toBe('1, 2');
    expect(p('p=5,q=2;p=7,q=2')).toBe('(p=5, q=2), (p=7, q=2)');
  });
  it('reads text answers and rejects prose inside arithmetic', () => {
    expect(p('\\text{Monday}')).toBe('"monday"');
    expect(p('\\text{13}')).toBe('13');
    expect(() => parseAnswer('Jane started 3 hours ago')).toThrow();
    expect(() => parseAnswer('\\frac{1}{')).toThrow();
  });
  it('fails fast on hostile nesting instead of overflowing the stack', () => {
    expect(() => parseAnswer('('.repeat(5000) + '1' + ')'.repeat(5000))).toThrow(/deep/);
  });
});

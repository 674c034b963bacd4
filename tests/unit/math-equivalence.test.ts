// Equivalence cases, graded in-process with the same function the worker runs.
import { describe, expect, it } from 'vitest';
import { grade, type GradeOptions } from '../../src/math/grade.js';

const OPTS: GradeOptions = { lastNumber: false, percentFraction: false, decimalMinDigits: 3, maxAnswerChars: 2000 };
const acc = (pred: string, gold: string, o: Partial<GradeOptions> = {}) => grade(pred, gold, { ...OPTS, ...o }).accuracy;
const box = (s: string): string => `Reasoning… so the result is \\boxed{${s}}.`;

// [gold, prediction (boxed), expected]
const CASES: [string, string, boolean][] = [
  // numbers
  ['42', '42', true],
  ['42', '42.0', true],
  ['42', '43', false],
  ['-5', '-5', true],
  ['37.50', '37.5', true],
  ['7425000', '7,425,000', true],
  ['1000000', '1\\,000\\,000', true],
  ['10{,}000', '10000', true],
  ['900,\\!000,\\!000', '900000000', true],
  ['6.02\\times10^{23}', '6.02e23', true],
  ['\\frac{1}{3}', '0.\\overline{3}', true],
  // no relative slack, no percent slack, no underflow / overflow equality
  ['120000', '120006', false],
  ['10000', '9999', false],
  ['800', '8', false],
  ['1', '100', false],
  ['1/2006!', '1/2004!', false],
  ['\\frac{1}{2^{99}}', '\\frac{1}{2^{98}}', false],
  ['10^{10^{10}}', '10^{10^{10}}+1', false],
  ['10^{10^{10}}', '10^{10^{10}}', true],
  ['2^{100}', '1267650600228229401496703205376', true],
  ['2^{100}', '1267650600228229401496703205377', false],
  // fractions, mixed numbers
  ['\\frac{1}{2}', '0.5', true],
  ['\\frac{1}{2}', '\\dfrac{2}{4}', true],
  ['\\frac{1}{2}', '1/2', true],
  ['\\frac12', '\\tfrac{1}{2}', true],
  ['12\\frac{3}{5}', '\\frac{63}{5}', true],
  ['2\\frac12', '2.5', true],
  ['-\\frac{40}{153}', '\\frac{-40}{153}', true],
  ['-\\frac{40}{153}', '\\frac{40}{153}', false],
  // percentages: a percent gold accepts the bare number; no ×100 slack
  ['25\\%', '25', true],
  ['25\\%', '25\\%', true],
  ['25\\%', '0.25', false],
  ['198\\%', '198', true],
  ['25', '25\\%', true],
  // decimal approximations: only a gold decimal literal may be a rounding (math.decimal_rounding 'gold')
  ['3.14', '\\pi', true],
  ['0.333', '\\frac{1}{3}', true],
  ['1.41421', '\\sqrt{2}', true],
  ['\\pi', '3.14', false],
  ['\\pi', '3.15', false],
  ['\\frac{1}{3}', '0.333', false],
  ['\\frac{1}{3}', '0.3', false],
  ['\\sqrt{2}', '1.41421', false],
  ['13.18', '13.2', false],
  // symbolic
  ['\\sqrt{8}', '2\\sqrt{2}', true],
  ['\\sqrt{8}', '3\\sqrt{2}', false],
  ['7\\pi', '7\\pi', true],
  ['7\\pi', '\\pi \\cdot 7', true],
  ['4a-2', '-2+4a', true],
  ['4a-2', '4a+2', false],
  ['4t', 't\\cdot 4', true],
  ['x^2+2x+1', '(x+1)^2', true],
  ['x^2+2x+1', '(x-1)^2', false],
  ['1', '\\sin^2 x + \\cos^2 x', true],
  ['\\frac{\\sqrt{3}}{2}', '\\sin(\\pi/3)', true],
  ['\\ln 8', '3\\ln 2', true],
  ['\\log_2 8', '3', true],
  ['10', '\\binom{5}{2}', true],
  ['120', '5!', true],
  ['-1', 'e^{i\\pi}', true],
  ['3-4i', '3 - 4i', true],
  ['3-4i', '3 + 4i', false],
  ['1 - \\frac{1}{e}', '1 + \\frac{1}{e}', false],
  ['4', '4\\sqrt(2)', false],
  ['|x|', 'x', false],
  ['x^{2/3}', '\\sqrt[3]{x}^2', true],
  // equations and relations
  ['2', 'x = 2', true],
  ['x = 2', '2', true],
  ['y=2x+1', '2x+1=y', true],
  ['y=2x+1', 'y=2x-1', false],
  ['2x+4y-3=0', 'y=-\\frac12x+\\frac34', true],
  ['3x + 4y + 14=0', '3x-y+13=0', false],
  ['x > 5', '5 < x', true],
  ['x \\ge 5', 'x > 5', false],
  ['1<x<2', '(1,2)', true],
  ['1<x<2', 'x \\in (1,2)', true],
  ['1<x \\le 2', '(1,2)', false],
  ['2x + z = 1', '1', false],
  ['0', '5x - 7y + 11z + 4 = 0', false],
  ['5', '2 + 3 = 5', true],
  ['(p,q)=(3,2)', '(3,2)', true],
  // sets, tuples, intervals
  ['\\{1,3\\}', '\\{3,1\\}', true],
  ['\\{1,3\\}', '\\{1,3,5\\}', false],
  ['(1,3)', '(3,1)', false],
  ['(1,3)', '(1,3)', true],
  ['[2,5)', '(2,5)', false],
  ['[2,5)', '[2,5)', true],
  ['(-\\infty, 2) \\cup (3, \\infty)', '(3,\\infty)\\cup(-\\infty,2)', true],
  ['(-\\infty, 2) \\cup (3, \\infty)', '(-\\infty, 2] \\cup (3, \\infty)', false],
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3, \\frac{\\pi}{2})', true],
  // several answers: all of them, in any order; one of several is not enough
  ['1331 and 1728', '1728', false],
  ['\\frac{639}{40}', '15\\frac{39}{40}, \\frac{639}{40}', true],
  ['\\frac{639}{40}', '15\\frac{39}{40}, \\frac{640}{40}', false],
  ['1331 and 1728', '1728, 1331', true],
  ['1, -2', '-2, 1', true],
  ['1\\pm\\sqrt{2}', '1+\\sqrt{2}, 1-\\sqrt{2}', true],
  ['1\\pm\\sqrt{2}', '1+\\sqrt{2}', false],
  // matrices and vectors
  ['\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}', true],
  ['\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', '\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}', false],
  ['\\begin{pmatrix}6&8\\\\10&12\\end{pmatrix}', '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}+\\begin{pmatrix}5&6\\\\7&8\\end{pmatrix}', true],
  ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '(1,2)', true],
  // text, units, degrees, time
  ['\\text{Monday}', '\\text{monday}', true],
  ['\\text{Monday}', '\\text{Tuesday}', false],
  ['\\text{4:30 p.m.}', '4:30 \\text{ p.m.}', true],
  ['100\\text{ square units}', '100', true],
  ['5', '5\\text{ cm}', true],
  ['120^\\circ', '120', true],
  ['90', '90\\degree', true],
  ['48^\\circ', '48°', true],
  ['\\$6', '6', true],
  ['\\text{13}', '13', true],
  ['-3', '−3', true],
  ['6', '2×3', true],
  ['A', '\\text{(A)}', true],
];

describe('math equivalence', () => {
  it.each(CASES)('gold %s vs predicted %s -> %s', (gold, pred, expected) => {
    expect(acc(box(pred), gold)).toBe(expected ? 1 : 0);
  });
});

describe('grading policy', () => {
  it('counts only the last box, so a retracted answer is not rewarded (Math-Verify joins them)', () => {
    const retracted = 'First I got \\boxed{2}, but that ignores the sign, so \\boxed{3}';
    expect(acc(retracted, '3')).toBe(1);
    expect(acc(retracted, '\\{2,3\\}')).toBe(0);
  });
  it('accepts 0.25 for a 25% gold only with percent_as_fraction', () => {
    expect(acc(box('0.25'), '25\\%', { percentFraction: true })).toBe(1);
    expect(acc(box('0.25'), '25\\%')).toBe(0);
  });
  it('gives no reward for a completion without a final answer unless the last-number fallback is on', () => {
    const truncated = 'First we compute 3 + 4 = 7 and then we need to multiply the result by the number of';
    expect(grade(truncated, '7', OPTS).details['rule']).toBe('no_answer');
    expect(acc(truncated, '7')).toBe(0);
    expect(acc(truncated, '7', { lastNumber: true })).toBe(1);
  });
  it('returns invalid_task with accuracy null for a gold that cannot be parsed', () => {
    const r = grade(box('5'), '\\frac{1}{', OPTS);
    expect(r.status).toBe('invalid_task');
    expect(r.accuracy).toBeNull();
    expect(r.error).toMatch(/task\.answer/);
  });
  it('reports the extracted answer, the parsed gold, the deciding rule and the time', () => {
    const r = grade(box('2\\sqrt{2}'), '\\sqrt{8}', OPTS);
    expect(r.details).toMatchObject({ extracted: '2\\sqrt{2}', normalised: '2\\sqrt{2}', parsed: '(2*sqrt(2))', gold: 'sqrt(8)', extraction: 'boxed', rule: 'numeric' });
    expect(typeof r.details['ms']).toBe('number');
  });
  it('refuses an over-long extracted answer without parsing it', () => {
    const r = grade(box('1+'.repeat(5000) + '1'), '1', OPTS);
    expect(r.accuracy).toBe(0);
    expect(String((r.details['skipped'] as string[])[0])).toMatch(/longer than/);
  });
  it('answers the GSM8K "A:" and "####" formats and Chinese anchors', () => {
    expect(acc('15+25 = <<15+25=40>>40 cups\nA: 20', '20')).toBe(1);
    expect(acc('so she needs 43 cups\nA: 43', '20')).toBe(0);
    expect(acc('work\n#### 1,200', '1200')).toBe(1);
    expect(acc('所以答案为 \\frac{1}{2}', '0.5')).toBe(1);
  });
});

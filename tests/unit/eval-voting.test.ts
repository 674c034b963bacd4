// The answer-key seam and equivalence voting, on the real math verifier (its worker pool) and exact.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RewardEngine } from '../../src/core/engine.js';
import { clusterAnswers } from '../../src/eval/cluster.js';
import { evalConfig, evaluateScored } from '../../src/eval/evaluate.js';
import { canonicalKey } from '../../src/math/answer-key.js';
import { parseAnswer } from '../../src/math/parser.js';
import { extractShortAnswer, normaliseShort } from '../../src/verifiers/exact.js';

// the first item starts a math worker (mathjs loads): slow on a loaded 2-core machine
vi.setConfig({ testTimeout: 90_000 });
const engine = new RewardEngine({ workers: 1 });
afterAll(() => engine.close());
const config = evalConfig(engine.config());
const signal = new AbortController().signal;
const math = engine.verifier('math')!;
const keyOf = async (answer: string, cfg = config) => math.answerKey!({ answer, config: cfg, signal });

describe('math answerKey', () => {
  it('gives equal canonical keys to equal values written differently', async () => {
    const half = await Promise.all(['\\boxed{\\frac{1}{2}}', 'The answer is 0.5', '\\boxed{1/2}', '\\boxed{\\dfrac12}', '\\boxed{2^{-1}}'].map((a) => keyOf(a)));
    expect(new Set(half.map((k) => k!.key))).toEqual(new Set(['1/2']));
    const sets = await Promise.all(['\\boxed{\\{1,2\\}}', '\\boxed{\\{2, 1\\}}'].map((a) => keyOf(a)));
    expect(sets[0]!.key).toBe(sets[1]!.key);
    // tuples keep their order
    const tuples = await Promise.all(['\\boxed{(1,2)}', '\\boxed{(2,1)}'].map((a) => keyOf(a)));
    expect(tuples[0]!.key).not.toBe(tuples[1]!.key);
  });

  it('is null when nothing can be extracted, and runs in the worker under math.timeout_ms', async () => {
    expect(await keyOf('I have no idea.')).toBeNull();
    const k = await keyOf('so \\boxed{x^2 + 2x + 1}');
    expect(k!.text).toContain('x^2');
    // the canonical form is what the parser and fold make of it
    expect(k!.key).toBe(canonicalKey(parseAnswer('x^2+2x+1')));
  });

  it('merges keys whose canonical forms differ but which the verifier finds equivalent, and not others', async () => {
    const answers = ['\\boxed{\\frac{\\sqrt{2}}{2}}', '\\boxed{\\frac{1}{\\sqrt{2}}}', '\\boxed{(x+1)^2}', '\\boxed{x^2+2x+1}', '\\boxed{3}', 'I have no idea.'];
    const keys = await Promise.all(answers.map((a) => keyOf(a)));
    expect(keys[0]!.key).not.toBe(keys[1]!.key);
    expect(keys[2]!.key).not.toBe(keys[3]!.key);
    const c = await clusterAnswers(keys, math, { config, signal }, 32);
    expect(c.of[0]).toBe(c.of[1]);
    expect(c.of[2]).toBe(c.of[3]);
    expect(new Set([c.of[0], c.of[2], c.of[4]]).size).toBe(3);
    expect(c.of[5]).toBe(-1);
    expect(c.merged).toBe(2);
    // without the verifier's equivalence (maxDistinct 0) only canonical keys vote together
    const canonicalOnly = await clusterAnswers(keys, math, { config, signal }, 0);
    expect(canonicalOnly.of[0]).not.toBe(canonicalOnly.of[1]);
  });
});

describe('exact answerKey', () => {
  it('is the normalised short answer', () => {
    const exact = engine.verifier('exact')!;
    expect(exact.answerKey!({ answer: 'The answer is (B).', config, signal })).toEqual({ key: 'b', text: 'b' });
    expect(exact.answerKey!({ answer: '**b**', config, signal })).toEqual({ key: 'b', text: 'b' });
    expect(exact.answerKey!({ answer: '  ', config, signal })).toBeNull();
  });
});

/** String voting, as a naive script does it: the extracted boxed text, normalised only for spaces and case. */
function stringVote(completions: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of completions) {
    const s = normaliseShort(extractShortAnswer(c).text, false);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('maj@k with equivalence voting', () => {
  const think = (a: string) => `<think>Let me work it out.</think>The answer is $\\boxed{${a}}$.`;
  it('picks the answer string voting misses (1/2 written three ways outvotes 3 written twice)', async () => {
    const answers = ['\\frac{1}{2}', '3', '0.5', '3', '1/2'];
    const rollouts = answers.map((a, i) => ({ id: String(i), prompt: 'What is 1/2?', completion: think(a), task: { type: 'math', answer: '\\frac12' }, source: 'toy' }));
    expect(stringVote(rollouts.map((r) => r.completion))).toBe('3'); // what string voting would say
    const scored = await engine.score(rollouts, config);
    const report = await evaluateScored(scored.results, { config, verifier: (t) => engine.verifier(t), signal }, { ks: [1, 3, 5] });
    const g = report.groups[0]!;
    expect(g.n).toBe(5);
    expect(g.correct).toBe(3);
    expect(g.maj_at['5']).toBe(1); // equivalence voting: the 1/2 cluster has 3 votes
    // maj@1 = pass@1 = 3/5; maj@3 by hand: C(5,3) = 10 subsets, the 1/2 cluster (3) vs 3 (2), no ties possible:
    // it wins with 2 or 3 of its votes: C(3,2)·C(2,1) + C(3,3) = 7
    expect(g.maj_at['1']).toBeCloseTo(0.6, 12);
    expect(g.maj_at['3']).toBeCloseTo(0.7, 12);
    expect(g.pass_at['3']).toBeCloseTo(1 - 0 / 10, 12); // only 2 wrong: any 3 include a right one
    expect(g.clusters[0]).toEqual({ answer: expect.stringContaining('1') as unknown as string, votes: 3, correct: 1 });
    expect(report.overall.maj_at['5']!.value).toBe(1);
    expect(report.sources['toy']!.groups).toBe(1);
  });

  it('treats {1,2} and {2,1} as one vote, and counts rollouts with no answer', async () => {
    const answers = ['\\{1,2\\}', '\\{4\\}', '\\{2,1\\}', '\\{4\\}'];
    const rollouts = [
      ...answers.map((a) => ({ prompt: 'Solve', completion: think(a), task: { type: 'math', answer: '\\{1, 2\\}' } })),
      { prompt: 'Solve', completion: '<think>hmm</think>I give up.', task: { type: 'math', answer: '\\{1, 2\\}' } },
    ];
    const scored = await engine.score(rollouts, config);
    const report = await evaluateScored(scored.results, { config, verifier: (t) => engine.verifier(t), signal }, { ks: [5] });
    const g = report.groups[0]!;
    // 2–2 tie between {1,2} (appears first) and {4}: ties go to the first-appearing cluster
    expect(g.maj_at['5']).toBe(1);
    expect(g.no_answer).toBe(1);
    expect(report.overall.no_answer_rate).toBeCloseTo(1 / 5, 12);
  });
});

describe('votes and rates beyond math', () => {
  const scoredCode = (id: string, verdicts: string[] | null, accuracy: number) => ({
    id,
    prompt: 'Write add',
    completion: '<think>easy</think>```python\nprint(1)\n```',
    task: { type: 'code', language: 'python', tests: [{ stdin: '', stdout: '1\n' }] },
    reward: accuracy,
    rewards: { accuracy, format: 1, language: 1, length: null },
    advantage: 0,
    status: 'ok' as const,
    details: { group: 'add', accuracy: verdicts ? { tests: verdicts.map((verdict) => ({ verdict })) } : { reason: 'no_code' } },
  });

  it('code votes by passed-test signature; a rollout without code has no vote', async () => {
    const rows = [
      scoredCode('a', ['passed', 'wrong_answer'], 0.5),
      scoredCode('b', ['passed', 'passed'], 1),
      scoredCode('c', ['passed', 'timeout'], 0.5),
      scoredCode('d', ['passed', 'passed'], 1),
      scoredCode('e', null, 0),
    ];
    const report = await evaluateScored(rows, { config, verifier: (t) => engine.verifier(t), signal }, { ks: [1, 5] });
    const g = report.groups[0]!;
    // signatures 10 (a, c: wrong_answer and timeout both fail test 2) and 11 (b, d): a 2–2 tie, 10 appears first
    expect(g.clusters.map((c) => [c.votes, c.correct])).toEqual([[2, 0], [2, 1]]);
    expect(g.maj_at['5']).toBe(0);
    expect(g.no_answer).toBe(1);
    expect(g.pass1!.value).toBeCloseTo((0.5 + 1 + 0.5 + 1 + 0) / 5, 12); // mean accuracy
    expect(g.correct).toBe(2); // pass@k counts only all-tests-passed
    expect(g.pass_at['1']).toBeCloseTo(0.4, 12);
  });

  it('reports truncation (unclosed thought, finish_reason length), lengths, and data_source as the source', async () => {
    const task = { type: 'exact', answer: 'A' };
    const rollouts = [
      { prompt: 'Q', completion: '<think>still thinking about the question', task, data_source: 'mc', completion_tokens: 30 },
      { prompt: 'Q', completion: '<think>done thinking here</think>The answer is A.', task, data_source: 'mc', completion_tokens: 10, finish_reason: 'length' },
      { prompt: 'Q', completion: '<think>done thinking here</think>The answer is A.', task, data_source: 'mc', completion_tokens: 20 },
    ];
    const scored = await engine.score(rollouts, config);
    const report = await evaluateScored(scored.results, { config, verifier: (t) => engine.verifier(t), signal }, { ks: [1] });
    const m = report.sources['mc']!;
    expect(m.truncated_rate).toBeCloseTo(2 / 3, 12);
    expect(m.mean_tokens).toBe(20);
    expect(m.tokens_estimated).toBe(false);
    expect(m.format_rate).toBeCloseTo(2 / 3, 12);
    expect(m.language_rate).not.toBeNull(); // computed for evaluation although its weight is 0
  });
});

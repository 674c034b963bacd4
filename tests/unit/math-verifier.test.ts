// The math verifier end to end through the engine: fast path, worker pool, invalid golds, hard timeouts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, create, simplify } from 'mathjs';
import { RewardEngine } from '../../src/core/engine.js';
import { parseAnswer } from '../../src/math/parser.js';
import { mathjsChecker, preciseChecker } from '../../src/math/symbolic.js';
import { textTooComplex, treeTooComplex } from '../../src/math/guards.js';

const math = (answer: string | number) => ({ type: 'math', answer });
const fmt = (a: string) => `<think>work</think>${a}`;

/** A sum of hundreds of big exact factorials: legal, within the length guard, and slow (≈1 s of BigInt work per 2000 chars). */
function slowItem(chars = 1980): string {
  const terms: string[] = [];
  for (let k = 5000; terms.join('+').length < chars; k--) terms.push(`${k}!`);
  return `\\boxed{${terms.join('+')}}`;
}

describe('math verifier through the engine', () => {
  let engine: RewardEngine;
  beforeAll(async () => {
    engine = new RewardEngine({ workers: 2 });
    // start the workers (under vitest they load through tsx, which takes seconds)
    await engine.score([{ completion: fmt('\\boxed{\\sqrt{8}}'), task: math('2\\sqrt2') }], engine.config({ math: { timeout_ms: 60_000 } }));
  }, 60_000);
  afterAll(() => engine.close());

  it('scores plain numbers in-process and LaTeX in a worker', async () => {
    const { results } = await engine.score(
      [
        { completion: fmt('so \\boxed{42}'), task: math(42) },
        { completion: fmt('so \\boxed{41}'), task: math('42') },
        { completion: fmt('so \\boxed{\\frac{2}{4}}'), task: math('0.5') },
        { completion: fmt('so \\boxed{(x+1)^2}'), task: math('x^2+2x+1') },
      ],
      engine.config(),
    );
    expect(results.map((r) => r.rewards.accuracy)).toEqual([1, 0, 1, 1]);
    const paths = results.map((r) => (r.details['accuracy'] as Record<string, unknown>)['path']);
    expect(paths).toEqual(['fast', 'fast', 'worker', 'worker']);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
  });

  it('gives invalid_task and a null reward for a gold that cannot be parsed', async () => {
    const { results } = await engine.score([{ completion: fmt('\\boxed{1}'), task: math('\\frac{1}{') }], engine.config());
    expect(results[0]!.status).toBe('invalid_task');
    expect(results[0]!.rewards.accuracy).toBeNull();
    expect(results[0]!.reward).toBeNull();
    expect(results[0]!.error).toMatch(/gold answer cannot be parsed/);
  });

  it('rejects an unknown config key and an empty gold, naming the field', async () => {
    expect(() => engine.config({ math: { timeout: 5 } })).toThrow(/math/);
    const { results } = await engine.score([{ completion: fmt('\\boxed{1}'), task: { type: 'math', answer: '' } }], engine.config());
    expect(results[0]!.status).toBe('invalid_task');
    expect(results[0]!.error).toMatch(/task\.answer/);
  });

  it('times out a pathological item within budget + slack, replaces its worker, and leaves the batch intact', async () => {
    const normal = [
      { completion: fmt('\\boxed{\\frac{1}{2}}'), task: math('0.5') },
      { completion: fmt('\\boxed{\\{3,1\\}}'), task: math('\\{1,3\\}') },
      { completion: fmt('\\boxed{7}'), task: math('8') },
      { completion: fmt('\\boxed{[2,5)}'), task: math('(2,5)') },
    ];
    const clean = await engine.score(normal, engine.config({ math: { timeout_ms: 60_000 } }));
    const pathological = [
      { completion: fmt(slowItem()), task: math('1') },
      { completion: fmt('\\boxed{5^{5^{5^{5^5}}}}'), task: math('5') },
      { completion: fmt('\\boxed{10^{10^{10}}}'), task: math('10^{10^{10}}+1') },
      { completion: fmt(`\\boxed{${'{'.repeat(50_000)}1${'}'.repeat(50_000)}}`), task: math('1') },
      { completion: fmt(`${'x = 1, so '.repeat(100_000)}\\boxed{7}`), task: math('7') },
    ];
    const budget = 150;
    const t0 = performance.now();
    const mixed = await engine.score([...pathological, ...normal], engine.config({ math: { timeout_ms: budget } }));
    const first = performance.now() - t0;
    const slow = mixed.results[0]!;
    expect(slow.status).toBe('timeout');
    expect(slow.rewards.accuracy).toBe(0); // accuracy.timeout_reward default
    expect(slow.error).toMatch(/exceeded 150 ms/);
    // the item alone would take ≈1 s; the call returned long before that could finish twice over
    expect(first).toBeLessThan(budget + 1500);
    expect(mixed.results.slice(1, 5).map((r) => [r.status, r.rewards.accuracy])).toEqual([
      ['ok', 0],
      ['ok', 0],
      ['ok', 0],
      ['ok', 1],
    ]);
    expect(mixed.results.slice(5).map((r) => r.rewards.accuracy)).toEqual(clean.results.map((r) => r.rewards.accuracy));
    expect(clean.results.map((r) => r.rewards.accuracy)).toEqual([1, 1, 0, 0]);
    // the replacement worker serves the next request
    const after = await engine.score([{ completion: fmt('\\boxed{2\\sqrt{2}}'), task: math('\\sqrt{8}') }], engine.config({ math: { timeout_ms: 60_000 } }));
    expect(after.results[0]!.rewards.accuracy).toBe(1);
  }, 120_000);

  it('leaves a timed-out rollout unscored when accuracy.timeout_reward is null', async () => {
    const { results } = await engine.score(
      [{ completion: fmt(slowItem()), task: math('1') }],
      engine.config({ math: { timeout_ms: 100 }, accuracy: { timeout_reward: null } }),
    );
    expect(results[0]!.status).toBe('timeout');
    expect(results[0]!.rewards.accuracy).toBeNull();
  }, 60_000);

  it('stops a running verification when the caller goes away, and keeps serving', async () => {
    // ≈10 s of work if left alone; built before the clock starts (building it takes a while on a loaded machine)
    const completion = fmt(slowItem(19_000));
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 100);
    const cfg = engine.config({ math: { timeout_ms: 60_000, max_answer_chars: 20_000 } });
    const { results } = await engine.score([{ completion, task: math('1') }], cfg, { signal: ac.signal });
    expect(results[0]!.status).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(2000);
    const after = await engine.score([{ completion: fmt('\\boxed{[2,5)}'), task: math('[2,5)') }], engine.config({ math: { timeout_ms: 60_000 } }));
    expect(after.results[0]!.rewards.accuracy).toBe(1);
  }, 60_000);

  it('uses the last-number fallback only in the evaluation preset', async () => {
    const c = fmt('we get 3 + 4 = 7 and then we still need to multiply it by the number of');
    const reward = await engine.score([{ completion: c, task: math('7') }], engine.config());
    const evaluation = await engine.score([{ completion: c, task: math('7') }], engine.config({ math: { preset: 'evaluation' } }));
    expect(reward.results[0]!.rewards.accuracy).toBe(0);
    expect(evaluation.results[0]!.rewards.accuracy).toBe(1);
  });
});

describe('complexity guards and the mathjs bridge', () => {
  it('keeps power towers, huge numbers and big trees away from the CAS', () => {
    expect(treeTooComplex(parseAnswer('5^{5^{5}}'))).toMatch(/tower/);
    expect(treeTooComplex(parseAnswer('x^{1000}'))).toMatch(/exponent/);
    expect(treeTooComplex(parseAnswer('12345678901234567890123456789012345'))).toMatch(/large/);
    expect(treeTooComplex(parseAnswer('1000!'))).toMatch(/fact/);
    expect(treeTooComplex(parseAnswer('x^2+2x+1'))).toBeNull();
    expect(textTooComplex('{'.repeat(100) + '}'.repeat(100), { maxChars: 2000, maxDepth: 60 })).toMatch(/nested/);
  });
  it('asks mathjs to simplify the difference, and declines guarded input', () => {
    const check = mathjsChecker((e) => simplify(e));
    expect(check(parseAnswer('2x+3x'), parseAnswer('5x'))).toBe(true);
    expect(check(parseAnswer('2x+3x'), parseAnswer('6x'))).toBeNull();
    expect(check(parseAnswer('5^{5^{5}}'), parseAnswer('5'))).toBeNull();
  });
  it('is used by the worker: e^{\\pi\\sqrt{163}} is not 640320^3+744', async () => {
    const engine = new RewardEngine({ workers: 1 });
    try {
      const { results } = await engine.score(
        [
          { completion: fmt('\\boxed{e^{\\pi\\sqrt{163}}}'), task: math('640320^3+744') },
          { completion: fmt('\\boxed{\\sin(\\pi/3)}'), task: math('\\frac{\\sqrt3}{2}') },
        ],
        engine.config({ math: { timeout_ms: 60_000 } }),
      );
      expect(results.map((r) => [r.rewards.accuracy, (r.details['accuracy'] as Record<string, unknown>)['rule']])).toEqual([
        [0, 'numeric_precise'],
        [1, 'numeric'],
      ]);
    } finally {
      await engine.close();
    }
  }, 60_000);
});

describe('high-precision confirmation of constants', () => {
  it('tells a near-integer from the integer that doubles cannot', () => {
    const big = create(all!, { number: 'BigNumber', precision: 80 });
    const precise = preciseChecker((e) => big.evaluate(e) as { toString(): string });
    expect(precise(parseAnswer('e^{\\pi\\sqrt{163}}'), parseAnswer('640320^3+744'))).toBe(false);
    expect(precise(parseAnswer('\\sin(\\pi/3)'), parseAnswer('\\frac{\\sqrt3}{2}'))).toBe(true);
  });
});

// Each rejection-sampling rule on its own fixture, through the streaming filter with the real engine.
import { Readable, PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { RewardEngine } from '../../src/core/engine.js';
import { filterStream, type FilterSummary } from '../../src/filter/run.js';
import { resolveRules, type FilterRules } from '../../src/filter/rules.js';
import { longestParagraph, hasCodeBlock } from '../../src/filter/checks.js';
import { minhash, similarity } from '../../src/filter/shingles.js';

const engine = new RewardEngine({ workers: 1 });
afterAll(() => engine.close());

const PROMPT = 'What is two plus two? Please explain your reasoning step by step before you answer.';
const THOUGHT = 'I start with two apples and then I get two more apples from the basket, so now I count all of them together and find four apples in total.';
const good = (thought = THOUGHT, answer = 'The answer is 4.', prompt = PROMPT) => ({ prompt, completion: `<think>${thought}</think>${answer}`, task: { type: 'exact', answer: '4' } });

function rules(raw: object = {}): FilterRules {
  const r = resolveRules(raw);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  return r.rules;
}

async function run(rows: object[], raw: object = {}): Promise<{ out: Record<string, unknown>[]; hard: Record<string, unknown>[]; summary: FilterSummary }> {
  const collect = (s: PassThrough): Promise<string> => new Promise((res) => {
    let t = '';
    s.on('data', (d: Buffer) => (t += d));
    s.on('end', () => res(t));
  });
  const out = new PassThrough();
  const hard = new PassThrough();
  const texts = Promise.all([collect(out), collect(hard)]);
  const summary = await filterStream(engine, engine.config(), Readable.from(rows.map((r) => JSON.stringify(r) + '\n')), out, hard, rules(raw));
  out.end();
  hard.end();
  const [o, h] = await texts;
  const parse = (t: string) => t.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { out: parse(o), hard: parse(h), summary };
}

/** The fixture is dropped by exactly `rule` with the defaults, and kept once `off` switches that rule off. */
async function droppedOnlyBy(row: object, rule: string, off: object): Promise<void> {
  const on = await run([row]);
  expect(on.summary.kept).toBe(0);
  expect(Object.entries(on.summary.dropped).filter(([, n]) => n > 0)).toEqual([[rule, 1]]);
  const without = await run([row], off);
  expect(without.summary.kept).toBe(1);
}

describe('filter rules, one fixture each', () => {
  it('keeps a correct, well-formed, single-language rollout as a chat row with the thought inside <think>', async () => {
    const { out, summary } = await run([{ ...good(), id: 'a', source: 'toy' }]);
    expect(summary).toMatchObject({ rows_in: 1, kept: 1, prompts: 1, prompts_with_nothing_kept: 0 });
    expect(out).toEqual([
      {
        messages: [
          { role: 'user', content: PROMPT },
          { role: 'assistant', content: `<think>\n${THOUGHT}\n</think>\n\nThe answer is 4.` },
        ],
        id: 'a',
        source: 'toy',
      },
    ]);
  });

  it('prompt_completion rows', async () => {
    const { out } = await run([good()], { format: 'prompt_completion' });
    expect(out).toEqual([{ prompt: PROMPT, completion: `<think>\n${THOUGHT}\n</think>\n\nThe answer is 4.` }]);
  });

  it('require_correct: a wrong answer', () => droppedOnlyBy(good(THOUGHT, 'The answer is 5.'), 'incorrect', { require_correct: false }));

  it('require_format: no think block', () => droppedOnlyBy({ ...good(), completion: `${THOUGHT} The answer is 4.` }, 'format', { require_format: false, min_language_ratio: 0 }));

  it('min_language_ratio: a chain of thought that switches language', () =>
    droppedOnlyBy(good(`${THOUGHT} 然后我们把两个数字相加得到结果，再检查一次答案是否正确，确认总数没有错误。`), 'mixed_language', { min_language_ratio: 0.5 }));

  it('max_paragraph_chars: a paragraph over the limit', () => {
    const long = Array.from({ length: 20 }, () => THOUGHT).join(' ');
    expect(longestParagraph(`short\n\n${long}\n\nshort`)).toBe(long.length);
    return droppedOnlyBy(good(long), 'long_paragraph', { max_paragraph_chars: 0 });
  });

  it('drop_code_blocks: a fenced block in the thought of a non-code task, but not of a code task', async () => {
    const withCode = `${THOUGHT}\n\`\`\`python\nprint(2 + 2)\n\`\`\`\nSo it is four.`;
    expect(hasCodeBlock(withCode)).toBe(true);
    expect(hasCodeBlock('inline `x` only')).toBe(false);
    await droppedOnlyBy(good(withCode), 'code_block', { drop_code_blocks: false });
    // an already-scored code rollout (all tests passed) keeps its code block
    const scoredCode = {
      prompt: PROMPT,
      completion: `<think>${withCode}</think>\`\`\`python\nprint(4)\n\`\`\``,
      task: { type: 'code', language: 'python', tests: [{ stdin: '', stdout: '4\n' }] },
      reward: 2,
      rewards: { accuracy: 1, format: 1, language: 1, length: null },
      advantage: 0,
      status: 'ok',
      details: { group: 'code-1' },
    };
    expect((await run([scoredCode])).summary.kept).toBe(1);
  });

  it('unscored rollouts and rollouts without a prompt are dropped, each under its own rule', async () => {
    const { summary } = await run([{ prompt: PROMPT, task: { type: 'exact', answer: '4' } }, { ...good(), prompt: undefined }]);
    expect(summary.kept).toBe(0);
    expect(summary.dropped.unscored).toBe(1);
    expect(summary.dropped.no_prompt).toBe(1);
  });

  it('max_per_prompt keeps the shortest correct rollouts (prefer: shorter), in input order', async () => {
    const t1 = `${THOUGHT} I double check by counting on my fingers one more time, and it is still four apples.`;
    const t2 = 'Two and two make four because counting two then two more reaches four in the end for sure.';
    const t3 = `${THOUGHT} Then I write the final number down carefully so that nobody can misread it later on.`;
    const rows = [good(t1), good(t2), good(t3), good(THOUGHT)];
    const { out, summary } = await run(rows, { max_per_prompt: 2 });
    expect(summary.kept).toBe(2);
    expect(summary.dropped.per_prompt_cap).toBe(2);
    const thoughts = out.map((r) => ((r['messages'] as { content: string }[])[1]!.content.split('\n')[1]));
    expect(thoughts).toEqual([t2, THOUGHT]); // the two shortest, in input order
    const first = await run(rows, { max_per_prompt: 2, prefer: 'first' });
    expect(first.out.map((r) => (r['messages'] as { content: string }[])[1]!.content.split('\n')[1])).toEqual([t1, t2]);
  });

  it('dedup drops near-duplicates of a kept rollout (MinHash over word shingles)', async () => {
    const near = THOUGHT.replace('basket', 'big basket');
    expect(similarity(minhash(THOUGHT, 5), minhash(near, 5))).toBeGreaterThanOrEqual(0.5);
    expect(similarity(minhash(THOUGHT, 5), minhash(THOUGHT, 5))).toBe(1);
    const rows = [good(THOUGHT), good(THOUGHT), good('Completely different words: counting pairs, two pairs of one, yields four units altogether here.')];
    const { summary } = await run(rows);
    expect(summary.kept).toBe(2);
    expect(summary.dropped.near_duplicate).toBe(1);
    expect((await run(rows, { dedup: false })).summary.kept).toBe(3);
  });

  it('writes prompts with nothing kept to the hard file, with their counts', async () => {
    const hardPrompt = 'What is three plus three? Please explain your reasoning step by step before you answer.';
    const rows = [good(), good(THOUGHT, 'The answer is 5.', hardPrompt), good(THOUGHT, 'The answer is 7.', hardPrompt)];
    const { hard, summary } = await run(rows);
    expect(summary.prompts).toBe(2);
    expect(summary.prompts_with_nothing_kept).toBe(1);
    expect(hard).toHaveLength(1);
    expect(hard[0]).toMatchObject({ prompt: hardPrompt, rollouts: 2, correct: 0, task: { type: 'exact', answer: '4' } });
  });

  it('refuses unknown rule keys and bad values, naming each', () => {
    expect(resolveRules({ max_per_prompt: -1, bogus: true })).toEqual({
      errors: expect.arrayContaining([
        { path: 'rules.bogus', message: 'unknown key' },
        expect.objectContaining({ path: 'rules.max_per_prompt' }),
      ]) as unknown,
    });
  });
});

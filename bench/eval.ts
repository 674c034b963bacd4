// npx tsx bench/eval.ts — cost of evaluation and filtering: maj@k (exact vs sampled) on hard shapes, the
// eval core on already-scored rollouts (answer keys: plain numbers in-process, LaTeX in the math worker;
// clustering with pairwise equivalence), and the streaming filter.
import { PassThrough, Readable } from 'node:stream';
import { RewardEngine } from '../src/core/engine.js';
import { evalConfig, evaluateScored } from '../src/eval/evaluate.js';
import { majAtK } from '../src/eval/majority.js';
import { filterStream } from '../src/filter/run.js';
import { resolveRules } from '../src/filter/rules.js';
import type { ScoredRollout } from '../src/contract/types.js';
import { machineLine } from './machine.js';

console.log(machineLine());

for (const [m, k, n] of [[64, 16, 64], [64, 32, 64], [16, 32, 64], [8, 63, 64], [64, 64, 64], [4, 1000, 4096]] as const) {
  const per = Math.floor(n / m);
  const clusters = Array.from({ length: m }, (_, i) => ({ size: i === m - 1 ? n - per * (m - 1) : per, correct: i === 0 ? 1 : 0 }));
  const t0 = performance.now();
  const r = majAtK(clusters, 0, k);
  console.log(`maj@k  clusters=${m} k=${k} n=${n}: ${r.method}, ${(performance.now() - t0).toFixed(2)} ms`);
}

const GROUPS = 256;
const G = 16;
// per group: a plain-number answer, equivalent LaTeX spellings, and wrong ones
const forms = ['\\frac{1}{2}', '0.5', '1/2', '\\dfrac{2}{4}', '\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt{2}}', '3', '(x+1)^2', 'x^2+2x+1', '\\{1,2\\}'];
function rows(): ScoredRollout[] {
  const out: ScoredRollout[] = [];
  for (let g = 0; g < GROUPS; g++) {
    for (let i = 0; i < G; i++) {
      const a = forms[(g + i * 7) % forms.length]!;
      out.push({
        prompt: `problem ${g}: reason step by step and box the answer`,
        completion: `<think>We work through the problem carefully, checking every step of the computation twice.</think>The answer is $\\boxed{${a}}$.`,
        task: { type: 'math', answer: '\\frac12' },
        reward: 1,
        rewards: { accuracy: a.includes('1}{2') || a === '0.5' || a === '1/2' || a.includes('2}{4') ? 1 : 0, format: 1, language: 1, length: null },
        advantage: 0,
        status: 'ok',
        details: { group: `g${g}` },
      });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const engine = new RewardEngine({ workers: 1 });
  const config = evalConfig(engine.config());
  const signal = new AbortController().signal;
  try {
    const data = rows();
    await evaluateScored(data.slice(0, G), { config, verifier: (t) => engine.verifier(t), signal }, {}); // warm the worker
    const t0 = performance.now();
    const report = await evaluateScored(data, { config, verifier: (t) => engine.verifier(t), signal }, { ks: [1, 4, 16] });
    const s = (performance.now() - t0) / 1000;
    const merged = report.groups.reduce((a, g) => a + g.merged_keys, 0);
    console.log(`eval core, ${data.length} scored rollouts (${GROUPS} groups × ${G}, LaTeX keys in 1 math worker): ${Math.round(data.length / s)} rollouts/s, ${merged} pairwise merges`);
    const rules = resolveRules({});
    if ('errors' in rules) throw new Error('rules');
    const t1 = performance.now();
    const sink = new PassThrough();
    sink.resume();
    const f = await filterStream(engine, config, Readable.from(data.map((r) => JSON.stringify(r) + '\n')), sink, null, rules.rules);
    const s1 = (performance.now() - t1) / 1000;
    console.log(`filter, the same rollouts (already scored): ${Math.round(data.length / s1)} rollouts/s, kept ${f.kept}`);
  } finally {
    await engine.close();
  }
}
await main();

// npm run conformance:math — agreement of the math verifier with labelled real data in ../shared/datasets:
//  - math_model_outputs.jsonl: 2000 real completions (MATH + GSM8K) vs `label_final`
//  - math_verify_cases.jsonl: Math-Verify's own test-suite verdicts (flagged cases reported apart)
// Runs through the real verifier (worker pool, fast path, default config unless a preset is named).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RewardEngine } from '../src/core/engine.js';
import type { Verifier } from '../src/verifiers/types.js';
import { createRegistry } from '../src/verifiers/index.js';

// the engine's verifiers, also called directly to time the math verifier alone
const registry = createRegistry();

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = process.env['R1_DATASETS'] ?? path.resolve(here, '../../shared/datasets');
const verbose = process.argv.includes('--verbose');

interface Row {
  gold: string;
  answer: string;
  label: boolean;
  id: string;
  group: string;
  flags: string[];
  mathverify?: boolean | null;
}

function load(file: string): Record<string, unknown>[] {
  return readFileSync(path.join(DIR, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const asBool = (v: unknown): boolean | null => (v === true || v === 'True' ? true : v === false || v === 'False' ? false : null);

async function run(engine: RewardEngine, rows: Row[], preset: 'reward' | 'evaluation') {
  const verifier = registry.get('math') as Verifier;
  const config = engine.config({ math: { preset } });
  const signal = new AbortController().signal;
  const t0 = performance.now();
  const outs = await Promise.all(
    rows.map(async (r) =>
      verifier.verify({ rollout: { completion: r.answer }, task: { type: 'math', answer: r.gold }, answer: r.answer, config, signal }),
    ),
  );
  return { outs, ms: performance.now() - t0 };
}

function report(title: string, rows: Row[], outs: Awaited<ReturnType<typeof run>>['outs'], ms: number) {
  let agree = 0;
  const fp: number[] = [];
  const fn: number[] = [];
  const other: number[] = [];
  rows.forEach((r, k) => {
    const o = outs[k]!;
    if (o.status !== 'ok') other.push(k);
    const got = o.accuracy === 1;
    if (got === r.label && o.status === 'ok') agree++;
    else if (got && !r.label) fp.push(k);
    else if (!got && r.label) fn.push(k);
  });
  const pct = rows.length ? ((100 * agree) / rows.length).toFixed(2) : 'n/a';
  console.log(`  ${title}: ${agree}/${rows.length} agree (${pct}%), false positives ${fp.length}, false negatives ${fn.length}, non-ok ${other.length} — ${ms.toFixed(0)} ms`);
  const show = (label: string, ks: number[]) => {
    for (const k of ks.slice(0, verbose ? 1000 : 25)) {
      const r = rows[k]!;
      const d = outs[k]!.details as Record<string, unknown>;
      console.log(`    ${label} ${r.id}: gold=${JSON.stringify(r.gold.slice(-80))} extracted=${JSON.stringify(d['extracted'] ?? null)} rule=${String(d['rule'])} status=${outs[k]!.status}${outs[k]!.error ? ` (${outs[k]!.error})` : ''}`);
    }
    if (ks.length > (verbose ? 1000 : 25)) console.log(`    … ${ks.length - 25} more (--verbose)`);
  };
  show('FP', fp);
  show('FN', fn);
  show('NON-OK', other.filter((k) => !fp.includes(k) && !fn.includes(k)));
  return { agree, fp, fn };
}

async function main() {
  if (!existsSync(DIR)) {
    console.log(`conformance:math: datasets folder ${DIR} is ABSENT — nothing was measured (set R1_DATASETS to point at it).`);
    process.exitCode = 2;
    return;
  }
  console.log(`datasets: ${DIR}`);
  const engine = new RewardEngine({ registry });
  try {
    const outFile = 'math_model_outputs.jsonl';
    if (existsSync(path.join(DIR, outFile))) {
      const rows: Row[] = load(outFile).map((x) => ({
        id: String(x['problem_id']),
        gold: String(x['gold']),
        answer: String(x['completion']),
        label: asBool(x['label_final'])!,
        group: String(x['dataset']).startsWith('GSM8K') ? 'GSM8K' : 'MATH',
        flags: [],
        mathverify: asBool(x['mathverify_verdict']),
      }));
      for (const preset of ['reward', 'evaluation'] as const) {
        console.log(`\n${outFile} (label_final), preset=${preset}`);
        const { outs, ms } = await run(engine, rows, preset);
        report('all', rows, outs, ms);
        for (const g of ['MATH', 'GSM8K']) {
          const ks = rows.map((r, k) => (r.group === g ? k : -1)).filter((k) => k >= 0);
          report(g, ks.map((k) => rows[k]!), ks.map((k) => outs[k]!), ms);
        }
        const mvAgree = rows.filter((r) => r.mathverify === r.label).length;
        console.log(`  (Math-Verify 0.8.0 on the same rows: ${mvAgree}/${rows.length} agree)`);
      }
    } else console.log(`\n${outFile}: ABSENT`);

    // MATH-500: the reference solution ends in \boxed{answer}; graded against its own answer it must agree
    const m500 = 'math500.jsonl';
    if (existsSync(path.join(DIR, m500))) {
      const rows: Row[] = load(m500).map((x) => ({
        id: String(x['unique_id']),
        gold: String(x['answer']),
        answer: String(x['solution']),
        label: true,
        group: '',
        flags: [],
      }));
      console.log(`\n${m500} (reference solution vs its own answer: every row should agree), preset=reward`);
      const { outs, ms } = await run(engine, rows, 'reward');
      report('all', rows, outs, ms);
      // negative control: each solution against the next problem's answer; a match must be a truly equal answer
      const shifted = rows.map((r, k) => ({ ...r, gold: rows[(k + 1) % rows.length]!.gold, label: false }));
      const neg = await run(engine, shifted, 'reward');
      const hits = shifted.map((r, k) => (neg.outs[k]!.accuracy === 1 ? k : -1)).filter((k) => k >= 0);
      console.log(`  negative control (solution i vs answer i+1): ${hits.length} matches of ${shifted.length} — each should be an answer equal to the next one:`);
      for (const k of hits) console.log(`    ${JSON.stringify(rows[k]!.gold)} ~ ${JSON.stringify(shifted[k]!.gold)}`);
    } else console.log(`\n${m500}: ABSENT`);

    const mvFile = 'math_verify_cases.jsonl';
    if (existsSync(path.join(DIR, mvFile))) {
      const rows: Row[] = load(mvFile).map((x) => ({
        id: String(x['id']),
        gold: String(x['gold']),
        answer: String(x['pred']),
        label: x['expected'] === true,
        group: '',
        flags: (x['flags'] as string[]) ?? [],
      }));
      const unflagged = rows.filter((r) => !r.flags.length);
      const flagged = rows.filter((r) => r.flags.length);
      for (const preset of ['evaluation', 'reward'] as const) {
        console.log(`\n${mvFile} (Math-Verify's asserted verdicts), preset=${preset}`);
        const a = await run(engine, unflagged, preset);
        report('unflagged (headline)', unflagged, a.outs, a.ms);
        const b = await run(engine, flagged, preset);
        report('flagged config_dependent/policy/questionable (apart)', flagged, b.outs, b.ms);
      }
    } else console.log(`\n${mvFile}: ABSENT`);
  } finally {
    await engine.close();
  }
}

await main();

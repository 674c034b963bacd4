// npm run conformance:peers — the verdicts other projects' own test suites assert, run through r1-reward's
// full pipeline (think split, format, math/exact verifiers, length shaping). The cases are facts taken from
// those suites (tests/fixtures/peers/*.jsonl, each row naming its source test), not their code:
//   trainers.jsonl  TRL tests/test_rewards.py, open-r1 tests/test_rewards.py, veRL reward_score tests
//   lighteval.jsonl lighteval tests/unit/metrics/test_extractive_match.py (extracted from its parametrize lists)
// Prints agreement per source and every disagreement with its reason (tests/fixtures/peers/disagreements.json,
// also summarised in docs/math.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RewardEngine } from '../src/core/engine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.resolve(here, '../tests/fixtures/peers');

export interface PeerCase {
  id: string;
  source: string;
  kind: 'math' | 'math_eval' | 'reasoning_accuracy' | 'format' | 'format_answer' | 'exact' | 'cosine';
  pred: string;
  gold?: string;
  expected: number | null;
  completion_tokens?: number;
  max_length?: number;
  places?: number;
}

export function loadPeerCases(file: string): PeerCase[] {
  return readFileSync(path.join(DIR, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as PeerCase);
}

/** What r1-reward gives the case (null = no verdict: invalid gold), and the rule that decided. */
export async function verdict(engine: RewardEngine, c: PeerCase): Promise<{ got: number | null; rule: string }> {
  const rollout: Record<string, unknown> = { completion: c.pred };
  let config: Record<string, unknown> = {};
  let pick: 'accuracy' | 'format' | 'length' = 'accuracy';
  switch (c.kind) {
    case 'format':
    case 'format_answer':
      config = { format: { mode: c.kind === 'format' ? 'think' : 'think_answer' } };
      pick = 'format';
      break;
    case 'exact':
      rollout['task'] = { type: 'exact', answer: c.gold };
      break;
    case 'cosine':
      rollout['task'] = { type: 'math', answer: c.gold };
      rollout['completion_tokens'] = c.completion_tokens;
      config = { length: { kind: 'cosine', max_length: c.max_length }, compute: ['length'] };
      pick = 'length';
      break;
    default:
      rollout['task'] = { type: 'math', answer: c.gold };
      if (c.kind === 'math_eval') config = { math: { preset: 'evaluation' } };
  }
  const r = (await engine.score([rollout], engine.config(config))).results[0]!;
  const d = (r.details[pick === 'length' ? 'accuracy' : pick] ?? {}) as Record<string, unknown>;
  const rule = pick === 'format' ? String(d['rule_failed'] ?? 'ok') : String(d['rule'] ?? d['reason'] ?? r.status);
  return { got: r.rewards[pick], rule };
}

export function agrees(c: PeerCase, got: number | null): boolean {
  if (c.expected === null || got === null) return c.expected === got;
  return Math.abs(got - c.expected) <= (c.places !== undefined ? 0.5 * 10 ** -c.places : 1e-4);
}

async function main(): Promise<void> {
  const engine = new RewardEngine();
  const known = JSON.parse(readFileSync(path.join(DIR, 'disagreements.json'), 'utf8')) as Record<string, string>;
  try {
    for (const file of ['trainers.jsonl', 'lighteval.jsonl']) {
      const cases = loadPeerCases(file);
      const bySource = new Map<string, { n: number; ok: number; off: string[] }>();
      for (const c of cases) {
        const { got, rule } = await verdict(engine, c);
        const repo = c.source.split('@')[0]!;
        const s = bySource.get(repo) ?? { n: 0, ok: 0, off: [] };
        s.n++;
        if (agrees(c, got)) s.ok++;
        else {
          const why = known[c.id] ?? 'UNEXPLAINED (add it to disagreements.json with its reason, or fix it)';
          s.off.push(`${c.id} (${c.kind}): gold=${JSON.stringify(c.gold ?? null)} pred=${JSON.stringify(c.pred.slice(0, 90))} expected=${c.expected} got=${got} rule=${rule}\n      why: ${why}`);
        }
        bySource.set(repo, s);
      }
      console.log(`\n${file}`);
      for (const [repo, s] of bySource) {
        console.log(`  ${repo}: ${s.ok}/${s.n} agree${s.off.length ? `, ${s.off.length} disagree:` : ''}`);
        for (const o of s.off) console.log(`    ${o}`);
      }
    }
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();

// Other projects' own code verdicts (veRL's prime_code and sandbox-fusion tests), through the real code verifier
// and sandbox: every case agrees except the disagreements listed, each with its reason, in
// tests/fixtures/peers/code-disagreements.json (npm run conformance:code-peers prints the same run).
import { afterAll, describe, expect, it } from 'vitest';
import { codeAgrees, codePeerFiles, codeVerdict, loadCodeDisagreements, loadCodePeerCases } from '../../scripts/conformance-code-peers.js';
import { codeEngine } from './helpers.js';

const BASE = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 1900;
const { engine } = codeEngine(BASE, 2);
afterAll(() => engine.close());
const known = loadCodeDisagreements();

describe.each(codePeerFiles())('peer code verdicts in %s', (file) => {
  it('agree, apart from the documented disagreements', async () => {
    const cases = loadCodePeerCases(file);
    expect(cases.length).toBeGreaterThan(0);
    const got = await Promise.all(cases.map((c) => codeVerdict(engine, c)));
    const off = cases
      .map((c, k) => ({ c, v: got[k]! }))
      .filter(({ c, v }) => codeAgrees(c, v) === c.id in known)
      .map(({ c, v }) => `${c.id}: expected ${JSON.stringify(c.expected).slice(0, 100)}, got ${v.status} ${v.score}${c.id in known ? ' (listed as a disagreement)' : ''}`);
    expect(off).toEqual([]);
  }, 120_000);
});

it('every listed disagreement names a case that exists', () => {
  const ids = new Set(codePeerFiles().flatMap((f) => loadCodePeerCases(f).map((c) => c.id)));
  expect(Object.keys(known).filter((id) => !ids.has(id))).toEqual([]);
  for (const why of Object.values(known)) expect(why.length).toBeGreaterThan(20);
});

// The code verifier's readiness follows a real sandbox self-test: ready where sandboxed Python runs,
// /readyz 503 where it cannot (here: bubblewrap missing), instead of answering sandbox_error.
import { afterEach, describe, expect, it } from 'vitest';
import { CodeVerifier } from '../../src/code/verifier.js';
import { sandboxSettings } from '../../src/code/sandbox.js';
import { SelfTestGate } from '../../src/code/self-test.js';
import { RewardEngine } from '../../src/core/engine.js';
import { createRegistry } from '../../src/verifiers/index.js';
import { startServer, type TestServer } from '../helpers/server.js';

const realBwrap = sandboxSettings.bwrap;
let srv: TestServer | undefined;
afterEach(async () => {
  sandboxSettings.bwrap = realBwrap;
  await srv?.close();
  srv = undefined;
});

describe('code verifier readiness', () => {
  it('passes its sandbox self-test where sandboxed code runs', async () => {
    const v = new CodeVerifier({ concurrency: 1 });
    expect(v.ready()).toBe(true); // running: not known to fail
    await expect.poll(() => v.selfTest.status, { timeout: 20_000 }).toBe('ok');
    expect(v.ready()).toBe(true);
    await v.close();
  }, 30_000);

  it('turns /readyz 503 when the sandbox cannot start, and a scored code rollout is sandbox_error', async () => {
    sandboxSettings.bwrap = '/nonexistent/bwrap';
    const registry = createRegistry();
    const engine = new RewardEngine({ registry });
    srv = await startServer({}, engine);
    await fetch(`${srv.url}/readyz`); // the first check starts the self-test
    await expect.poll(async () => (await fetch(`${srv!.url}/readyz`)).status, { timeout: 20_000, interval: 100 }).toBe(503);
    const code = registry.get('code') as CodeVerifier;
    expect(code.selfTest.status).toBe('failed');
    expect(code.selfTest.error).toMatch(/^sandbox self-test failed: .*exec: No such file/);
    // what the gate protects against: every such rollout would come back unscored
    const res = await engine.score([{ completion: '```python\nprint(1)\n```', task: { type: 'code', language: 'python', tests: [{ stdin: '', stdout: '1\n' }] } }], engine.config());
    expect(res.results[0]!.status).toBe('sandbox_error');
  }, 30_000);
});

describe('SelfTestGate', () => {
  it('stays not ready while re-testing after a failure, and recovers when a re-test passes', async () => {
    let outcome: string | undefined = 'broken';
    let release: () => void = () => {};
    const gate = new SelfTestGate(() => new Promise((resolve) => (release = () => resolve(outcome))), 0);
    expect(gate.ready()).toBe(true); // first run pending: not known to fail
    release();
    await expect.poll(() => gate.status).toBe('failed');
    outcome = undefined;
    expect(gate.ready()).toBe(false); // retry started (retryMs 0), still failing until it passes
    expect(gate.status).toBe('running');
    release();
    await expect.poll(() => gate.status).toBe('ok');
    expect(gate.ready()).toBe(true);
  });
});

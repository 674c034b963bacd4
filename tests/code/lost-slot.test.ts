// A slot whose processes cannot be reclaimed after a run is taken out of use, logged, and turns the
// code verifier (so /readyz) not ready until a sweep finds its uid empty again.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { lostUids, reclaim } from '../../src/code/sandbox.js';
import { codeEngine, fence, scoreOne } from './helpers.js';

const BASE = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 1700;
const { engine, verifier } = codeEngine(BASE, 2);
verifier.reclaimEveryMs = 0;
const canRun = process.getuid?.() === 0;
let stray: ChildProcess | undefined;
afterAll(async () => {
  stray?.kill('SIGKILL');
  await engine.close();
});

describe.runIf(canRun)('a slot that cannot be reclaimed', () => {
  it('is not reused, is logged, turns readiness red, and comes back once its uid is empty', async () => {
    const uid = verifier.pool.uid(1);
    // a process running with the slot's uid as its effective uid that the slot uid's sweep cannot kill
    // (its real and saved uids are others): what a wedged process of a run looks like to the sweep
    // (no exec after setresuid: exec would copy the effective uid into the saved one)
    const other = uid + 50;
    stray = spawn('/usr/bin/python3', ['-I', '-S', '-c', `import os, time\nos.setgroups([])\nos.setresgid(${other}, ${uid}, ${other})\nos.setresuid(${other}, ${uid}, ${other})\ntime.sleep(60)`], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    reclaim(uid, 'a test');
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(lostUids.get(uid)).toMatch(/could not be reclaimed/);
    expect(warnings.join('\n')).toMatch(/R1SandboxSlotLost: sandbox uid \d+ could not be reclaimed/);

    // rollouts still score (in the other slot); the lost one is not handed out again once released
    const ok = fence('python', 'print(sum(map(int, input().split())))');
    const task = { language: 'python', tests: [{ stdin: '1 2\n', stdout: '3\n' }] };
    for (let i = 0; i < 3; i++) expect((await scoreOne(engine, ok, task)).rewards.accuracy).toBe(1);
    expect(verifier.pool.lost.has(1)).toBe(true);
    expect(verifier.ready()).toBe(false);
    expect(engine.ready()).toBe(false);

    stray.kill('SIGKILL');
    await new Promise((r) => stray!.once('exit', r));
    expect(verifier.ready()).toBe(true);
    expect(verifier.pool.lost.size).toBe(0);
    expect(lostUids.has(uid)).toBe(false);
    expect((await scoreOne(engine, ok, task)).rewards.accuracy).toBe(1);
  });
});

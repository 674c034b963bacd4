// Fault injection: parts of the sandbox infrastructure are killed from outside (as an operator's OOM
// killer or a stray `kill -9` would) while a correct program runs. The rollout must come back null
// (sandbox_error), never 0, and nothing of the run may stay behind.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { codeEngine, fence, sandboxPids, scoreOne } from './helpers.js';

const BASE = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 1200;
const { engine } = codeEngine(BASE, 1);
afterAll(() => engine.close());

interface Proc {
  pid: number;
  uid: number;
  argv: string[];
}

function procs(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1]);
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(d), uid, argv });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Waits for the first process `pick` selects, then SIGKILLs it; resolves with what it killed. */
async function killWhen(pick: (p: Proc) => boolean, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const p = procs().find(pick);
    if (p) {
      process.kill(p.pid, 'SIGKILL');
      return p.argv.slice(0, 3).join(' ');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('target process never appeared');
}

const running = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};
const ours = (p: Proc) => p.uid === BASE;
const launcher = (p: Proc) => /r1-launch$/.test(p.argv[0] ?? '') && p.argv[1] === String(BASE);
const bwrap = (p: Proc) => ours(p) && /bwrap$/.test(p.argv[0] ?? '');
const init = (p: Proc) => ours(p) && p.argv[1] === '--init';
const harness = (p: Proc) => ours(p) && p.argv.includes('/box/harness.pyc');
const runner = (p: Proc) => ours(p) && p.argv.includes('/box/runner.pyc');
const cc1plus = (p: Proc) => ours(p) && /cc1plus$/.test(p.argv[0] ?? '');

const slowSum = 'import time\ntime.sleep(1.5)\nprint(sum(map(int, input().split())))';
const io = { tests: [{ stdin: '1 2\n', stdout: '3\n' }], time_limit_ms: 8000 };
const slowAdd = 'import time\ntime.sleep(1.5)\ndef add(a, b): return a + b';
const human = { test_code: 'def check(candidate):\n    assert candidate(1, 2) == 3\n', entry_point: 'add', time_limit_ms: 8000 };
// a correct program; compiling <iostream> alone keeps cc1plus busy for most of a second
const slowCpp = '#include <iostream>\ntemplate <int N> struct F { static constexpr long v = F<N - 1>::v + N; };\ntemplate <> struct F<0> { static constexpr long v = 0; };\nint main(){ long a, b; std::cin >> a >> b; std::cout << a + b + F<400>::v - F<400>::v << "\\n"; }';

const perTest = { code: { sandbox: 'per_test' } };
const perRollout = { code: { sandbox: 'per_rollout' } };
const cppSleep = '#include <iostream>\n#include <unistd.h>\nint main(){ sleep(2); long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }';
const cases: [string, string, string, Record<string, unknown>, (p: Proc) => boolean, Record<string, unknown>][] = [
  ['the launcher (Python stdin/stdout)', 'python', slowSum, io, launcher, perRollout],
  ['bubblewrap (Python stdin/stdout)', 'python', slowSum, io, bwrap, perRollout],
  ['the warm runner (Python stdin/stdout)', 'python', slowSum, io, runner, perRollout],
  ['the sandbox init (Python stdin/stdout, a sandbox per test)', 'python', slowSum, io, init, perTest],
  ['bubblewrap (Python stdin/stdout, a sandbox per test)', 'python', slowSum, io, bwrap, perTest],
  ['the launcher (HumanEval check)', 'python', slowAdd, human, launcher, {}],
  ['bubblewrap (HumanEval check)', 'python', slowAdd, human, bwrap, {}],
  ['the checker (HumanEval check)', 'python', slowAdd, human, harness, {}],
  ['cc1plus (C++ compile in the rollout sandbox)', 'cpp', slowCpp, io, cc1plus, perRollout],
  ['cc1plus (C++ compile, a sandbox per test)', 'cpp', slowCpp, io, cc1plus, perTest],
  ['the launcher, while the program sleeps on', 'python', 'import time\ntime.sleep(30)', io, launcher, perRollout],
  ['the warm runner (C++ run)', 'cpp', cppSleep, io, runner, perRollout],
  ['the sandbox init (C++ run, a sandbox per test)', 'cpp', cppSleep, io, init, perTest],
];

describe('infrastructure killed from outside: null, never 0', () => {
  for (const [name, language, code, task, target, config] of cases) {
    it(name, async () => {
      const scored = scoreOne(engine, fence(language, code), { language, ...task }, config);
      const killed = await killWhen(target);
      const r = await scored;
      const why = `killed ${killed}: ${JSON.stringify(r.details['accuracy'])}`;
      // null; or 1 when the trusted side (checker, init) still finished its report: never the program's 0
      if (r.status === 'ok') expect(r.rewards.accuracy, why).toBe(1);
      else {
        expect(r.status, why).toBe('sandbox_error');
        expect(r.rewards.accuracy).toBeNull();
      }
      await new Promise((res) => setTimeout(res, 200));
      // a killed launcher's bwrap is a zombie until the machine's init reaps it; nothing may still run
      expect(sandboxPids(BASE, 1).filter(running)).toEqual([]);
    }, 40_000);
  }

  it('the same programs score 1 when nothing is killed', { timeout: 90_000 }, async () => {
    for (const [language, code, task] of [['python', slowSum, io], ['python', slowAdd, human], ['cpp', slowCpp, io], ['cpp', cppSleep, io]] as const) {
      for (const config of [perTest, perRollout]) {
        const r = await scoreOne(engine, fence(language, code), { language, ...task }, config);
        expect(r.rewards.accuracy, JSON.stringify(r.details['accuracy'])).toBe(1);
      }
    }
  });
});

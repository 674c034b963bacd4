// The warm runner (one sandbox per rollout) must give the same verdict per test as a fresh sandbox per
// test, on programs that exercise how a Python script or a binary starts, reads, writes and ends.
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON } from '../../src/code/python-env.js';
import { sweepUid } from '../../src/code/sandbox.js';
import { runWarm, type ChildLimits } from '../../src/code/warm.js';
import { WarmSandboxes } from '../../src/code/warm-sandbox.js';
import { warmSelfTest } from '../../src/code/self-test.js';
import { codeEngine, fence, leftoverPids, verdictsOf } from './helpers.js';

const BASE = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 1600;
const { engine, verifier } = codeEngine(BASE, 2);
afterAll(() => engine.close());

const tests = [
  { stdin: '1 2\n', stdout: '3\n' },
  { stdin: '20 22\n', stdout: '42\n' },
];
const PY: [string, string][] = [
  ['plain', 'a, b = map(int, input().split())\nprint(a + b)'],
  ['sys.stdin.buffer and sys.stdout.write', 'import sys\na, b = map(int, sys.stdin.buffer.read().split())\nsys.stdout.write(str(a + b) + "\\n")'],
  ['__name__ guard', 'def main():\n    a, b = map(int, input().split())\n    print(a + b)\nif __name__ == "__main__":\n    main()'],
  ['sys.exit(0) after printing', 'import sys\nprint(sum(map(int, input().split())))\nsys.exit(0)'],
  ['sys.exit(3)', 'import sys\nprint(sum(map(int, input().split())))\nsys.exit(3)'],
  ['sys.exit("message")', 'import sys\nprint(sum(map(int, input().split())))\nsys.exit("bye")'],
  ['os._exit(0) before the buffer is flushed', 'import os\nprint(sum(map(int, input().split())))\nos._exit(0)'],
  ['uncaught exception', 'print(sum(map(int, input().split())))\nraise ValueError("x")'],
  ['EOF on a second input()', 'print(sum(map(int, input().split())))\ninput()'],
  ['atexit prints the answer', 'import atexit\ns = sum(map(int, input().split()))\natexit.register(lambda: print(s))'],
  ['a thread prints after main ends', 'import threading, time\ns = sum(map(int, input().split()))\nthreading.Thread(target=lambda: (time.sleep(0.1), print(s))).start()'],
  ['a daemon thread is cut off', 'import threading, time\ns = sum(map(int, input().split()))\nthreading.Thread(target=lambda: (time.sleep(0.3), print(s)), daemon=True).start()'],
  ['unicode output', 'print(sum(map(int, input().split())), "é")'],
  ['recursion limit', 'import sys\nsys.setrecursionlimit(100)\ndef f(n): return f(n + 1)\nf(0)'],
  ['timeout', 'while True: pass'],
  ['a child process prints', 'import subprocess, sys\ns = sum(map(int, input().split()))\nsubprocess.run([sys.executable, "-c", f"print({s})"])'],
  ['reads a file it wrote in its cwd', 'open("x", "w").write(str(sum(map(int, input().split()))))\nprint(open("x").read())'],
  ['signal kills itself', 'import os, signal\nprint(sum(map(int, input().split())), flush=True)\nos.kill(os.getpid(), signal.SIGTERM)'],
];
const CPP: [string, string][] = [
  ['plain', '#include <cstdio>\nint main(){ long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); }'],
  ['exit code 1', '#include <cstdio>\nint main(){ long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b); return 1; }'],
  ['abort', '#include <cstdio>\n#include <cstdlib>\nint main(){ abort(); }'],
  ['writes past RLIMIT_FSIZE (SIGXFSZ)', '#include <cstdio>\nint main(){ FILE* f = fopen("/tmp/big", "w"); for (long i = 0; i < (64L << 20); i++) fputc(1, f); fclose(f); puts("3"); }'],
  ['writes to a closed pipe (SIGPIPE)', '#include <cstdio>\n#include <unistd.h>\nint main(){ close(0); int p[2]; pipe(p); close(p[0]); write(p[1], "x", 1); puts("3"); }'],
];

async function verdicts(language: string, programs: [string, string][], sandbox: string): Promise<string[][]> {
  const res = await engine.score(
    programs.map(([, code]) => ({ completion: fence(language, code), task: { type: 'code', language, tests, time_limit_ms: 1000, memory_limit_mb: 256 } })),
    engine.config({ code: { sandbox } }),
  );
  return res.results.map((r) => [r.status, ...verdictsOf(r)]);
}

describe('warm runner verdicts (the slot sandbox, a sandbox per rollout) equal a fresh sandbox per test', () => {
  for (const [language, programs] of [['python', PY], ['cpp', CPP]] as const) {
    it(language, { timeout: 120_000 }, async () => {
      const slot = await verdicts(language, programs, 'per_slot');
      const warm = await verdicts(language, programs, 'per_rollout');
      const fresh = await verdicts(language, programs, 'per_test');
      expect(warm.map((v, i) => [programs[i]![0], ...v])).toEqual(fresh.map((v, i) => [programs[i]![0], ...v]));
      expect(slot.map((v, i) => [programs[i]![0], ...v])).toEqual(fresh.map((v, i) => [programs[i]![0], ...v]));
      // and they are the verdicts a Python script gets (a sample, so equality is not vacuous)
      if (language === 'python') {
        expect(warm[0]).toEqual(['ok', 'passed', 'passed']);
        expect(warm[6]).toEqual(['ok', 'wrong_answer', 'wrong_answer']); // os._exit drops the buffered print
        expect(warm[9]).toEqual(['ok', 'passed', 'passed']);
        expect(warm[14]).toEqual(['ok', 'timeout', 'timeout']);
      }
      expect(await leftoverPids(BASE, 2, verifier)).toEqual([]);
    });
  }
});

// The slot sandbox's life: it serves job after job, is replaced after its quota, after a cancellation,
// and when it ended while idle, each time with nothing left of the old one.
describe('the slot sandbox', () => {
  const uid = BASE + 10;
  const limits: ChildLimits = { wallMs: 2000, cpuS: 2, memoryMb: 256, nproc: 16, fileMb: 16, stackMb: 16, outputBytes: 1 << 20 };
  const job = (boxes: WarmSandboxes, program: string, signal?: AbortSignal) =>
    runWarm({ mode: 'python', python: PYTHON, program, stdins: ['1 2\n'], limits, earlyStop: false, uid, boxes, ...(signal ? { signal } : {}) }, (_, r) => [r.stdout.toString().trim(), r.timedOut, r.spawnError ?? null]);
  const sum = 'print(sum(map(int, input().split())))';
  const runner = (boxes: WarmSandboxes) => boxes.pids()[0]?.runner;

  it('serves jobs until its quota, then a new one takes over', async () => {
    const boxes = new WarmSandboxes(PYTHON, 2);
    try {
      expect((await job(boxes, sum)).results).toEqual([['3', false, null]]);
      const first = runner(boxes);
      expect((await job(boxes, sum)).results).toEqual([['3', false, null]]);
      expect(runner(boxes)).toBe(first);
      expect((await job(boxes, sum)).results).toEqual([['3', false, null]]);
      expect(runner(boxes)).not.toBe(first);
      expect(boxes.pids()).toHaveLength(1);
    } finally {
      await boxes.close();
    }
    expect(await leftoverPids(uid, 1)).toEqual([]);
  });

  it('a cancelled job ends its sandbox; the next job gets a new one', async () => {
    const boxes = new WarmSandboxes(PYTHON);
    try {
      expect((await job(boxes, sum)).results).toEqual([['3', false, null]]);
      const first = runner(boxes);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      const t0 = performance.now();
      expect((await job(boxes, 'import time\ntime.sleep(30)', ac.signal)).results).toEqual([['', true, null]]);
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(await leftoverPids(uid, 1)).toEqual([]); // the whole sandbox ended with the job
      expect((await job(boxes, sum)).results).toEqual([['3', false, null]]);
      expect(runner(boxes)).not.toBe(first);
    } finally {
      await boxes.close();
    }
  });

  it('a sandbox that ended while idle (its uid swept) is replaced, and the job runs once', async () => {
    const boxes = new WarmSandboxes(PYTHON);
    try {
      expect((await job(boxes, sum)).results).toEqual([['3', false, null]]);
      const first = runner(boxes);
      expect(sweepUid(uid)).toBe(true);
      expect((await job(boxes, sum)).results).toEqual([['3', false, null]]);
      expect(runner(boxes)).not.toBe(first);
    } finally {
      await boxes.close();
    }
  });
});

describe('the warm runner self-test (readiness)', () => {
  const uid = BASE + 11;
  it('passes where the runner serves, and names the fault where it cannot start', async () => {
    const good = new WarmSandboxes(PYTHON);
    const bad = new WarmSandboxes('/usr/bin/false'); // exits at once: no runner ever answers
    try {
      expect(await warmSelfTest(uid, good)).toBeUndefined();
      expect(good.pids()).toHaveLength(1); // the slot's sandbox stays up for the first rollout
      expect(await warmSelfTest(uid, bad)).toMatch(/^warm runner self-test failed: /);
    } finally {
      await good.close();
      await bad.close();
    }
  });
});

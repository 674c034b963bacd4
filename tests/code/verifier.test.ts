// The code verifier end to end on the real sandbox: honest programs pass, wrong ones fail, the task's
// options (scoring, compare, early stop, limits) behave as documented.
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sandboxSettings } from '../../src/code/sandbox.js';
import { codeEngine, fence, leftoverPids, sandboxPids, scoreOne, verdictsOf } from './helpers.js';

const BASE = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 2000;
const { engine, verifier } = codeEngine(BASE, 2);
afterAll(() => engine.close());

const sum = [
  { stdin: '1 2\n', stdout: '3\n' },
  { input: '10 -4', output: '6' },
  { stdin: '0 0\n', stdout: '0\n' },
];
const py = (c: string) => fence('python', c);

describe('python', () => {
  it('stdin/stdout: all pass, some pass, none pass', async () => {
    expect((await scoreOne(engine, py('a, b = map(int, input().split())\nprint(a + b)'), { language: 'python', tests: sum })).rewards.accuracy).toBe(1);
    const some = await scoreOne(engine, py('a, b = map(int, input().split())\nprint(a - b if a > 5 else a + b)'), { language: 'python', tests: sum });
    expect(some.rewards.accuracy).toBeCloseTo(2 / 3);
    expect(verdictsOf(some)).toEqual(['passed', 'passed', 'passed'].map((v, i) => (i === 1 ? 'wrong_answer' : v)));
    const none = await scoreOne(engine, py('print(0)'), { language: 'python', tests: sum, scoring: 'all_or_nothing' });
    expect(none.rewards.accuracy).toBe(0);
  });
  it('all_or_nothing and early stop', async () => {
    const r = await scoreOne(engine, py('a, b = map(int, input().split())\nprint(a + b if a else 1)'), { language: 'python', tests: sum, scoring: 'all_or_nothing' });
    expect(r.rewards.accuracy).toBe(0);
    const e = await scoreOne(engine, py('print(1)'), { language: 'python', tests: [...sum, ...sum] }, { code: { early_stop: true } });
    expect(verdictsOf(e)).toContain('skipped');
    expect(e.rewards.accuracy).toBe(0);
  });
  it('float tolerance and case only when the task asks', async () => {
    const t = [{ stdin: '', stdout: '0.333333\nYES\n' }];
    const prog = py('print(1/3)\nprint("yes")');
    expect((await scoreOne(engine, prog, { language: 'python', tests: t })).rewards.accuracy).toBe(0);
    expect((await scoreOne(engine, prog, { language: 'python', tests: t, compare: { float_tolerance: 1e-6, case_sensitive: false } })).rewards.accuracy).toBe(1);
  });
  it('call-based tests with typed values, compared on the host', async () => {
    const prog = py(
      'def pair(a, b): return (a, b)\ndef inv(d): return {v: k for k, v in d.items()}\ndef uniq(xs): return set(xs)\ndef big(n): return 2 ** n\n' +
        'class Solution:\n    def twoSum(self, nums, t):\n        seen = {}\n        for i, x in enumerate(nums):\n            if t - x in seen: return [seen[t - x], i]\n            seen[x] = i',
    );
    const tests = [
      { call: 'pair', args: [1, 'x'], expected: [1, 'x'] },
      { call: 'inv', args: [{ a: 'b' }], expected: { b: 'a' } },
      { call: 'uniq', args: [[1, 2, 2]], expected: { $t: 'set', v: [2, 1] } },
      { call: 'big', args: [70], expected: { $t: 'int', v: '1180591620717411303424' } },
      { call: 'Solution.twoSum', args: [[2, 7, 11, 15], 9], expected: [0, 1] },
      { call: 'big', args: [3], expected: 9 },
    ];
    const r = await scoreOne(engine, prog, { language: 'python', tests });
    expect(verdictsOf(r)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'wrong_answer']);
  });
  it('HumanEval check(candidate) using a helper from the program', async () => {
    const prog = py('def poly(xs, x):\n    return sum(c * x ** i for i, c in enumerate(xs))\ndef find_zero(xs):\n    return -xs[0] / xs[1]');
    const test = 'import math\ndef check(candidate):\n    for xs in ([1, 2], [-6, 3]):\n        assert math.fabs(poly(xs, candidate(xs))) < 1e-4\n';
    expect((await scoreOne(engine, prog, { language: 'python', test_code: test, entry_point: 'find_zero' })).rewards.accuracy).toBe(1);
    const bad = py('def poly(xs, x):\n    return 0\ndef find_zero(xs):\n    return 1.0');
    const r = await scoreOne(engine, bad, { language: 'python', test_code: test, entry_point: 'find_zero' });
    expect(r.rewards.accuracy).toBe(1); // the program's own poly is used, as in HumanEval: a known property of the format
    const wrong = await scoreOne(engine, py('def poly(xs, x):\n    return sum(c * x ** i for i, c in enumerate(xs))\ndef find_zero(xs):\n    return 1.0'), { language: 'python', test_code: test, entry_point: 'find_zero' });
    expect(verdictsOf(wrong)).toEqual(['wrong_answer']);
  });
  it('MBPP assert lines: one verdict per assert, setup code, objects of the program', async () => {
    const prog = py('class Pair:\n    def __init__(self, a, b): self.a, self.b = a, b\ndef longest(ps, n):\n    return max(p.b - p.a for p in ps) + n');
    const r = await scoreOne(engine, prog, {
      language: 'python',
      setup_code: 'import math',
      test_code: 'assert longest([Pair(1, 5), Pair(2, 3)], 0) == 4\nassert longest([Pair(1, 2)], math.floor(1.5)) == 2\nassert longest([Pair(0, 0)], 0) == 1',
    });
    expect(verdictsOf(r)).toEqual(['passed', 'passed', 'wrong_answer']);
    expect(r.rewards.accuracy).toBeCloseTo(2 / 3);
  });
  it('exceptions, generators and missing functions', async () => {
    const r = await scoreOne(engine, py('def f(x):\n    if x < 0: raise ValueError("neg")\n    return (i for i in range(x))'), {
      language: 'python',
      test_code: 'assert list(f(3)) == [0, 1, 2]\nassert f(-1) == 0\nassert g(1) == 1\nassert f(2) == [0, 1]\nassert list(f(x=2)) == [0, 1]',
    });
    expect(verdictsOf(r)).toEqual(['passed', 'runtime_error', 'runtime_error', 'wrong_answer', 'passed']);
  });
  it('test code that does not parse is the task\'s fault', async () => {
    const r = await scoreOne(engine, py('def f(): return 1'), { language: 'python', test_code: 'assert f( == 1' });
    expect(r.status).toBe('invalid_task');
    expect(r.rewards.accuracy).toBeNull();
  });
});

describe('C++', () => {
  it('compiles once and runs per test', async () => {
    const ok = await scoreOne(engine, fence('cpp', '#include <bits/stdc++.h>\nint main(){ long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }'), { language: 'cpp', tests: sum });
    expect(ok.rewards.accuracy).toBe(1);
    expect((ok.details['accuracy'] as Record<string, { ok: boolean }>)['compile']!.ok).toBe(true);
    const wa = await scoreOne(engine, fence('c++', '#include <cstdio>\nint main(){ int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a * b + 3); }'), { language: 'cpp', tests: sum });
    expect(verdictsOf(wa)).toEqual(['wrong_answer', 'wrong_answer', 'wrong_answer']);
  });
  it('compile errors are their own verdict', async () => {
    const r = await scoreOne(engine, fence('cpp', 'int main() { undeclared(); }'), { language: 'cpp', tests: sum });
    expect(verdictsOf(r)).toEqual(['compile_error', 'compile_error', 'compile_error']);
    expect(r.rewards.accuracy).toBe(0);
  });
});

describe('JavaScript and TypeScript', () => {
  it('stdin via fs, readline and process.stdin', async () => {
    const progs = [
      'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);\nconsole.log(a + b);',
      'const rl = require("readline").createInterface({ input: process.stdin });\nrl.on("line", (l) => { const [a, b] = l.split(" ").map(Number); console.log(a + b); });',
      'let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => { const [a, b] = s.trim().split(/\\s+/).map(Number); process.stdout.write(a + b + "\\n"); });',
    ];
    for (const p of progs) expect((await scoreOne(engine, fence('js', p), { language: 'javascript', tests: sum })).rewards.accuracy).toBe(1);
  });
  it('TypeScript call tests; async functions; syntax errors are compile errors', async () => {
    const ts = 'export function add(a: number, b: number): number { return a + b; }\nconst later = async (x: number[]): Promise<number[]> => x.map((v) => v * 2);';
    const r = await scoreOne(engine, fence('ts', ts), {
      language: 'typescript',
      tests: [
        { call: 'add', args: [1, 2], expected: 3 },
        { call: 'later', args: [[1, 2]], expected: [2, 4] },
        { call: 'add', args: [1, 1], expected: 3 },
      ],
    });
    expect(verdictsOf(r)).toEqual(['passed', 'passed', 'wrong_answer']);
    const cls = 'class Solution { twoSum(xs: number[], t: number): number[] { for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) if (xs[i]! + xs[j]! === t) return [i, j]; return []; } }';
    const forms = await scoreOne(engine, fence('ts', cls), { language: 'typescript', tests: ['Solution.twoSum', 'Solution().twoSum'].map((call) => ({ call, args: [[2, 7, 11, 15], 9], expected: [0, 1] })) });
    expect(verdictsOf(forms)).toEqual(['passed', 'passed']);
    const bad = await scoreOne(engine, fence('ts', 'function (a: number {'), { language: 'typescript', tests: [{ call: 'f', args: [], expected: 1 }] });
    expect(verdictsOf(bad)).toEqual(['compile_error']);
  });
  it('the isolate host itself runs sandboxed: non-root uid, own network and pid namespaces', async () => {
    await scoreOne(engine, fence('js', 'console.log(3)'), { language: 'javascript', tests: sum.slice(0, 1) });
    const hosts = sandboxPids(BASE + 500, 2).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith(`${realpathSync(process.execPath)}\0`)); // the service's own Node
    expect(hosts.length).toBeGreaterThan(0);
    for (const p of hosts) {
      expect(readlinkSync(`/proc/${p}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
      expect(readlinkSync(`/proc/${p}/ns/pid`)).not.toBe(readlinkSync('/proc/self/ns/pid'));
    }
  });
  it('assertion test code with entry_point', async () => {
    const test = 'const assert = require("node:assert");\nfunction check(candidate) { assert.deepEqual(candidate([3, 1, 2]), [1, 2, 3]); }';
    const good = await scoreOne(engine, fence('js', 'function sorted(x) { return [...x].sort((a, b) => a - b); }'), { language: 'javascript', test_code: test, entry_point: 'sorted' });
    expect(good.rewards.accuracy).toBe(1);
    const bad = await scoreOne(engine, fence('js', 'function sorted(x) { return x; }'), { language: 'javascript', test_code: test, entry_point: 'sorted' });
    expect(verdictsOf(bad)).toEqual(['wrong_answer']);
  });
});

describe('LeetCode / LiveCodeBench call-based Python', () => {
  // a correct solution that relies on the standard import block (nothing imported)
  const leet = [
    'class Solution:',
    '    def twoSum(self, nums: List[int], target: int) -> List[int]:',
    '        seen: Dict[int, int] = defaultdict(int)',
    '        for i, x in enumerate(nums):',
    '            if target - x in seen: return [seen[target - x], i]',
    '            seen[x] = i',
    '        return []',
    '    def kth(self, xs: List[int], k: int) -> Optional[int]:',
    '        h = list(xs); heapify(h)',
    '        q = deque(nlargest(k, h))',
    '        return q[-1] if q else None',
    '    def misc(self, a: int, b: int) -> List[int]:',
    '        @lru_cache(None)',
    '        def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)',
    '        return [gcd(a, b), bisect_left([1, 3, 5], b), fib(30), int(inf > a), floor(sqrt(b)), len(ascii_lowercase)]',
  ].join('\n');
  const tests = (call: string) => [
    { call: `${call}twoSum`, args: [[2, 7, 11, 15], 9], expected: [0, 1] },
    { call: `${call}kth`, args: [[3, 2, 1, 5, 6, 4], 2], expected: 5 },
    { call: `${call}misc`, args: [12, 18], expected: [6, 3, 832040, 1, 4, 26] },
  ];
  it('the standard import block is there by default; every form of naming the method works', async () => {
    for (const call of ['Solution.', 'Solution().', '']) {
      const r = await scoreOne(engine, py(leet), { language: 'python', tests: tests(call) });
      expect(verdictsOf(r), call).toEqual(['passed', 'passed', 'passed']);
    }
    const fn = await scoreOne(engine, py('def add(a: int, b: int) -> int:\n    return reduce(add_op, [a, b])\nadd_op = lambda x, y: x + y'), { language: 'python', tests: [{ call: 'add', args: [1, 2], expected: 3 }] });
    expect(fn.rewards.accuracy).toBe(1);
  });
  it('a wrong LeetCode solution still fails; standard_imports: false turns the block off', async () => {
    const wrong = await scoreOne(engine, py(leet.replace('[seen[target - x], i]', '[i, seen[target - x]]')), { language: 'python', tests: tests('Solution.') });
    expect(verdictsOf(wrong)).toEqual(['wrong_answer', 'passed', 'passed']);
    const off = await scoreOne(engine, py(leet), { language: 'python', tests: tests('Solution.'), standard_imports: false });
    expect(verdictsOf(off)[0]).toBe('runtime_error');
    expect(JSON.stringify(off.details['accuracy'])).toMatch(/NameError/);
    // assertion tests are not call-based: nothing is added to their programs
    const check = await scoreOne(engine, py('def f(x):\n    return defaultdict(int)[x]'), { language: 'python', test_code: 'assert f(1) == 0' });
    expect(verdictsOf(check)).toEqual(['runtime_error']);
  });
  it('the program still gets the builtins, not names the block shadows, and its own names win', async () => {
    const r = await scoreOne(engine, py('def pow(a, b):\n    return a - b\ndef f(x):\n    return [pow(x, 2), type(compile("1", "s", "eval")).__name__, max([1, 2])]'), {
      language: 'python',
      tests: [{ call: 'pow', args: [5, 2], expected: 3 }, { call: 'f', args: [3], expected: [1, 'code', 2] }],
    });
    expect(verdictsOf(r)).toEqual(['passed', 'passed']);
  });
});

describe('JavaScript assertion tests in the checker isolate', () => {
  const T = (test_code: string, extra: Record<string, unknown> = {}) => ({ language: 'javascript', test_code, time_limit_ms: 2000, ...extra });
  const run = async (code: string, task: Record<string, unknown>, lang = 'js') => scoreOne(engine, fence(lang, code), task);
  it("the program's classes, objects, thrown errors and in-place changes reach the tests", async () => {
    const stack = 'class Stack { constructor() { this.items = []; } push(x) { this.items.push(x); return this; } pop() { if (!this.items.length) throw new RangeError("empty"); return this.items.pop(); } get size() { return this.items.length; } }';
    const t = T('const assert = require("assert");\nconst s = new Stack();\ns.push(1).push(2);\nassert.strictEqual(s.pop(), 2);\nassert.strictEqual(s.size, 1);\nassert.deepStrictEqual(s.items, [1]);\ns.pop();\nassert.throws(() => s.pop());\nassert.ok(s === s && typeof Stack === "function");');
    expect((await run(stack, t)).rewards.accuracy).toBe(1);
    const broken = await run(stack.replace('return this.items.pop()', 'return this.items[0]'), t);
    expect(verdictsOf(broken)).toEqual(['wrong_answer']);
    const inPlace = T('const a = [3, 1, 2];\nsortInPlace(a);\nassert.deepStrictEqual(a, [1, 2, 3]);\nconst o = { n: 1 };\nbump(o);\nassert.deepStrictEqual(o, { n: 2 });');
    expect((await run('function sortInPlace(a) { a.sort((x, y) => x - y); }\nfunction bump(o) { o.n += 1; }', inPlace)).rewards.accuracy).toBe(1);
    expect(verdictsOf(await run('function sortInPlace(a) {}\nfunction bump(o) { o.n += 1; }', inPlace))).toEqual(['wrong_answer']);
    const point = T('assert.deepEqual(mk(1, 2), { x: 1, y: 2 });\nassert.deepStrictEqual(Object.keys(mk(1, 2)), ["x", "y"]);\nassert.deepStrictEqual(pair(), [new Map([["a", new Set([1])]]), new Date(5)]);');
    expect((await run('class P { constructor(x, y) { this.x = x; this.y = y; } }\nconst mk = (x, y) => new P(x, y);\nconst pair = () => [new Map([["a", new Set([1])]]), new Date(5)];', point)).rewards.accuracy).toBe(1);
  });
  it('async programs and async tests: a rejected or failed promise is not a pass', async () => {
    const t = T('const assert = require("node:assert");\nasync function check(candidate) { assert.strictEqual(await candidate(2), 4); }', { entry_point: 'twice' });
    expect((await run('async function twice(x) { await null; return 2 * x; }', t)).rewards.accuracy).toBe(1);
    expect(verdictsOf(await run('async function twice(x) { return x; }', t))).toEqual(['wrong_answer']);
    expect(verdictsOf(await run('async function twice(x) { throw new Error("no"); }', t))).toEqual(['runtime_error']);
  });
  it("a program's failure inside a call is its verdict, even when the tests catch it", async () => {
    const t = T('try { f(); } catch {}\nassert.ok(true);');
    expect(verdictsOf(await run('function f() { for (;;) {} }', t))).toEqual(['timeout']);
    expect(verdictsOf(await run('function f() { const a = []; for (;;) a.push(new Array(1e6).fill(1.5)); }', { ...t, memory_limit_mb: 64 }))).toEqual(['memory_limit']);
    expect(verdictsOf(await run('function f() { try { process.exit(0); } catch {} }', t))).toEqual(['runtime_error']);
  });
  it('test code is transpiled like the program (TypeScript, module imports)', async () => {
    const t = { language: 'typescript', test_code: 'import assert from "node:assert";\nconst xs: number[] = [1, 2];\nassert.strictEqual(add(xs[0]!, xs[1]!), 3);' };
    expect((await run('export function add(a: number, b: number): number { return a + b; }', t, 'ts')).rewards.accuracy).toBe(1);
    const esm = T('import { strictEqual } from "node:assert";\nimport assert from "assert";\nstrictEqual(add(1, 2), 3);\nassert.deepStrictEqual([add(2, 2)], [4]);');
    expect((await run('function add(a, b) { return a + b; }', esm)).rewards.accuracy).toBe(1);
    expect(verdictsOf(await run('function add(a, b) { return a - b; }', esm))).toEqual(['wrong_answer']);
  });
  it('test code that does not compile is invalid_task, whatever the program does first', async () => {
    const bad = T('function check(candidate) { assert.equal(candidate(1), 1) ', { entry_point: 'f' });
    for (const code of ['throw new Error("first");\nfunction f(x) { return x; }', 'process.exit(0);', 'function f(x) { return x; }', 'function f(x { return x; }', 'while (true) {}']) {
      const r = await run(code, bad);
      expect(r.status, code).toBe('invalid_task');
      expect(r.error).toMatch(/^task\.test_code/);
    }
    const ts = await run('export const f = (x: number) => x;', { language: 'typescript', test_code: 'const x: = 1;' }, 'ts');
    expect(ts.status).toBe('invalid_task');
  });
});

describe('the verifier as a whole', () => {
  it('no program: accuracy 0 with reason no_code', async () => {
    const r = await scoreOne(engine, 'I would print the sum.', { language: 'python', tests: sum });
    expect(r.rewards.accuracy).toBe(0);
    expect((r.details['accuracy'] as Record<string, unknown>)['reason']).toBe('no_code');
  });
  it('an unrunnable task is invalid_task naming the field', async () => {
    const r = await scoreOne(engine, fence('cpp', 'int main(){}'), { language: 'cpp', tests: [{ call: 'f', args: [], expected: 1 }] });
    expect(r.status).toBe('invalid_task');
    expect(r.error).toMatch(/task\.tests/);
    const s = await scoreOne(engine, py('print(1)'), { language: 'cobol', tests: sum });
    expect(s.status).toBe('invalid_task');
    expect(s.error).toMatch(/language/);
  });
  it('an infrastructure fault is sandbox_error with a null accuracy, never a reward', async () => {
    const saved = sandboxSettings.bwrap;
    sandboxSettings.bwrap = '/nonexistent/bwrap';
    await verifier.sandboxes.close(); // the slots' sandboxes start again, now without bubblewrap
    try {
      const r = await scoreOne(engine, py('print(3)'), { language: 'python', tests: [{ stdin: '', stdout: '3' }] });
      expect(r.status).toBe('sandbox_error');
      expect(r.rewards.accuracy).toBeNull();
      expect(r.reward).toBeNull();
    } finally {
      sandboxSettings.bwrap = saved;
    }
  });
  it('a batch of mixed rollouts scores each on its own', async () => {
    const rollouts = Array.from({ length: 8 }, (_, i) => ({
      completion: i % 2 ? py('a, b = map(int, input().split())\nprint(a + b)') : py('print(-1)'),
      task: { type: 'code', language: 'python', tests: sum },
    }));
    const res = await engine.score(rollouts, engine.config({}));
    expect(res.results.map((r) => r.rewards.accuracy)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    expect(await leftoverPids(BASE, 2, verifier)).toEqual([]);
  });
});

describe('test code without checks', () => {
  const { engine: e2 } = codeEngine(63100, 1);
  afterAll(() => e2.close());
  it('is an invalid task, not a pass', async () => {
    const r = await scoreOne(e2, fence('python', 'def f(): return 1'), { language: 'python', test_code: 'def check(candidate):\n    assert candidate() == 1\n' });
    expect(r.status).toBe('invalid_task');
    expect(r.error).toMatch(/entry_point/);
  });
});

describe('a missing sandbox launcher', () => {
  it('is a sandbox_error, never a reward and never an internal error', async () => {
    const { engine: e3 } = codeEngine(63200, 1);
    const saved = process.env['R1_LAUNCHER'];
    try {
      sandboxSettings.bwrap = '/usr/bin/bwrap';
      process.env['R1_LAUNCHER'] = '/nonexistent/r1-launch';
      const r = await scoreOne(e3, fence('python', 'print(3)'), { language: 'python', tests: [{ stdin: '', stdout: '3' }] });
      expect(r.status).toBe('sandbox_error');
      expect(r.rewards.accuracy).toBeNull();
    } finally {
      if (saved === undefined) delete process.env['R1_LAUNCHER'];
      else process.env['R1_LAUNCHER'] = saved;
      await e3.close();
    }
  });
});

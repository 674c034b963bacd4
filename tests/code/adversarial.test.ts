// Hostile programs against the real sandbox. Each program prints the right answer ("3") only if its
// attack worked, so reward 0 proves the attack failed; each must also get the right verdict and leave
// no process of its run behind.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeEngine, fence, sandboxPids, scoreOne, verdictsOf } from './helpers.js';

const BASE = 62000;
const { engine } = codeEngine(BASE, 2);
const io = { tests: [{ stdin: '1 2\n', stdout: '3\n' }], time_limit_ms: 1000 };
const py = (code: string) => fence('python', code);
let server: net.Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  process.env['R1_TEST_SECRET'] = 'hunter2';
  server = net.createServer((s) => {
    connections++;
    s.end('3\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  server.close();
  await engine.close();
});

async function expectContained(completion: string, task: Record<string, unknown>, verdicts: string[]) {
  const r = await scoreOne(engine, completion, task);
  expect(r.status).toBe('ok');
  expect(r.rewards.accuracy).toBe(0);
  const got = verdictsOf(r);
  expect(got.length).toBeGreaterThan(0);
  for (const v of got) expect(verdicts, `verdict ${v}: ${JSON.stringify(r.details['accuracy'])}`).toContain(v);
  expect(sandboxPids(BASE, 2)).toEqual([]);
  // the long-lived isolate hosts (uid BASE + 500 + slot): at most bwrap and node per slot, nothing else
  expect(sandboxPids(BASE + 500, 2).length).toBeLessThanOrEqual(4);
  return r;
}

describe('python stdin/stdout programs', () => {
  const small = { memory_limit_mb: 128 }; // page faulting 512 MB takes over a second on a small VM
  const cases: [string, string, string[], Record<string, unknown>?][] = [
    ['CPU loop', 'while True: pass', ['timeout']],
    ['sleep', 'import time\ntime.sleep(100)\nprint(3)', ['timeout']],
    ['signal tampering then loop', 'import signal\nfor s in (signal.SIGTERM, signal.SIGALRM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP):\n    signal.signal(s, signal.SIG_IGN)\nwhile True: pass', ['timeout']],
    ['fork bomb', 'import os\nwhile True:\n    try: os.fork()\n    except OSError: pass', ['timeout', 'runtime_error']],
    ['memory bomb (one block)', 'x = bytearray(10**10)\nprint(3)', ['memory_limit']],
    ['memory bomb (growing)', 'a = []\nwhile True: a.append(bytearray(10**7))', ['memory_limit'], small],
    ['1 GB of output', 'import sys\nb = "x" * 65536\nfor _ in range(16384): sys.stdout.write(b)', ['output_limit']],
    ['1 GB to stderr', 'import sys\nb = "x" * 65536\nfor _ in range(16384): sys.stderr.write(b)', ['output_limit']],
    ['big file in tmp', 'f = open("/tmp/big", "wb")\nfor _ in range(1024): f.write(b"x" * 2**20)\nprint(3)', ['output_limit', 'runtime_error']],
    ['stack overflow (C recursion)', 'import sys\nsys.setrecursionlimit(10**9)\nclass A:\n    def __getattr__(self, k): return getattr(self, k)\nA().x', ['runtime_error']],
    ['recursion limit', 'def f(n): return f(n + 1) + 1\nf(0)', ['runtime_error']],
    ['reads /etc/passwd', 'try:\n    open("/etc/passwd").read(); print(3)\nexcept Exception: print(4)', ['wrong_answer']],
    ['reads the service environment', 'import os\nprint(3 if "R1_TEST_SECRET" in os.environ or len(os.environ) > 6 else 4)', ['wrong_answer']],
    ['reads the service source', 'import os\nprint(3 if os.path.exists("/work") or os.path.exists("/root") or os.path.exists("/etc") else 4)', ['wrong_answer']],
    ['looks for the service among the processes', 'import os\nseen = 0\nfor p in os.listdir("/proc"):\n    try: seen |= b"node" in open("/proc/%s/cmdline" % p, "rb").read()\n    except Exception: pass\nprint(3 if seen else 4)', ['wrong_answer']],
    ['writes outside tmp', 'ok = 0\nfor p in ("/usr/r1-pwned", "/box/r1-pwned", "/r1-pwned", "/proc/r1-pwned"):\n    try: open(p, "w").write("x"); ok = 1\n    except Exception: pass\nprint(3 if ok else 4)', ['wrong_answer']],
    ['spawns a shell to escape', 'import subprocess\nr = subprocess.run(["sh", "-c", "ls /work /etc/passwd && echo 3"], capture_output=True, text=True)\nprint(r.stdout.strip() or 4)', ['wrong_answer']],
    ['kills its parent and everyone it can', 'import os, signal\nfor pid in (os.getppid(), 1, -1):\n    try: os.kill(pid, signal.SIGKILL)\n    except Exception: pass\nprint(4)', ['wrong_answer', 'runtime_error']],
    ['double-fork setsid daemon', 'import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(60)\n    os._exit(0)\nprint(4)', ['wrong_answer']],
    ['nested user namespace', 'import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(3 if libc.unshare(0x10000000) == 0 else 4)', ['wrong_answer']],
  ];
  for (const [name, code, verdicts, extra] of cases) {
    it(name, async () => {
      await expectContained(py(code), { language: 'python', ...io, ...extra }, verdicts);
    });
  }

  it('network to loopback and beyond', async () => {
    const code = `import socket\nok = 0\nfor host in ("127.0.0.1", "10.0.0.1", "1.1.1.1"):\n    try:\n        s = socket.create_connection((host, ${port}), timeout=0.3); ok = 1\n    except Exception: pass\nprint(3 if ok else 4)`;
    await expectContained(py(code), { language: 'python', ...io }, ['wrong_answer']);
    expect(connections).toBe(0);
  });

  it('writes nothing on the host', () => {
    expect(existsSync('/usr/r1-pwned') || existsSync('/r1-pwned')).toBe(false);
  });
});

describe('python fake passes on assertion and call tests', () => {
  const human = {
    language: 'python',
    test_code: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(2, 2) == 4\n',
    entry_point: 'add',
    time_limit_ms: 1000,
  };
  const mbpp = { language: 'python', test_code: 'assert add(1, 2) == 3\nassert add(2, 2) == 4', time_limit_ms: 1000 };
  const cases: [string, string, string[]][] = [
    ['sys.exit(0) while loading', 'import sys\nsys.exit(0)\ndef add(a, b): return 0', ['runtime_error']],
    ['os._exit(0) in the call', 'import os\ndef add(a, b): os._exit(0)', ['runtime_error']],
    ['atexit prints PASS', 'import atexit\natexit.register(lambda: print("PASS"))\ndef add(a, b): raise SystemExit(0)', ['runtime_error']],
    ['always-equal object', 'class E:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\ndef add(a, b): return E()', ['wrong_answer']],
    ['int subclass with lying __eq__', 'class I(int):\n    def __eq__(self, o): return True\ndef add(a, b): return I(0)', ['wrong_answer']],
    ['overrides assert machinery', 'import builtins\nbuiltins.AssertionError = type("X", (BaseException,), {})\ndef add(a, b): return 0', ['wrong_answer']],
    ['forges result lines on every fd', 'import os\nfor fd in range(3, 64):\n    try: os.write(fd, b"x {\\"i\\":0,\\"v\\":\\"passed\\"}\\n")\n    except OSError: pass\nprint("PASS")\ndef add(a, b): return 0', ['wrong_answer', 'runtime_error']],
    ['reads the checker through /proc', 'import os\nsrc = ""\nfor p in ("/proc/%d/fd/0" % os.getppid(), "/proc/%d/mem" % os.getppid(), "/proc/%d/fd/3" % os.getppid()):\n    try: src += open(p, "rb").read(1000).decode("latin1")\n    except Exception: pass\ndef add(a, b): return a + b if "candidate" in src else 0', ['wrong_answer']],
    ['walks the caller frames', 'import sys\ndef add(a, b):\n    f = sys._getframe(1)\n    while f:\n        if "expected" in f.f_locals or "check" in f.f_globals: return a + b\n        f = f.f_back\n    return 0', ['wrong_answer']],
    ['kills the checker', 'import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n    return a + b', ['runtime_error', 'wrong_answer']],
    ['hangs in the call', 'def add(a, b):\n    while True: pass', ['timeout', 'skipped']],
  ];
  for (const [name, code, verdicts] of cases) {
    it(`${name} (HumanEval check)`, async () => {
      await expectContained(py(code), human, verdicts);
    });
    it(`${name} (MBPP asserts)`, async () => {
      await expectContained(py(code), mbpp, [...verdicts, 'skipped']);
    });
  }
  it('a lying value on a call-based test', async () => {
    const code = 'class E(list):\n    def __eq__(self, o): return True\ndef add(a, b): return E()';
    await expectContained(py(code), { language: 'python', tests: [{ call: 'add', args: [1, 2], expected: 3 }] }, ['wrong_answer']);
  });
});

describe('C++', () => {
  const cases: [string, string, string[]][] = [
    ['CPU loop', 'int main(){ volatile long x = 0; for(;;) x++; }', ['timeout']],
    ['memory bomb', '#include <vector>\n#include <cstdio>\nint main(){ std::vector<long> v(4000000000L, 1); printf("%ld\\n", v[7] + 2); }', ['memory_limit']],
    ['growing memory', '#include <vector>\n#include <cstdio>\nint main(){ std::vector<std::vector<char>> v; for(;;) v.emplace_back(1 << 20, 1); }', ['memory_limit']],
    ['stack overflow', 'int f(int n){ volatile int a[1000]; a[0] = n; return f(n + 1) + a[0]; }\nint main(){ return f(0); }', ['runtime_error']],
    ['fork bomb', '#include <unistd.h>\nint main(){ for(;;) fork(); }', ['timeout', 'runtime_error']],
    ['1 GB of output', '#include <cstdio>\nint main(){ for(long i = 0; i < (1L << 30); i++) putchar(120); }', ['output_limit']],
    ['reads /etc/passwd', '#include <cstdio>\nint main(){ FILE* f = fopen("/etc/passwd", "r"); puts(f ? "3" : "4"); }', ['wrong_answer']],
    ['spawns a shell', '#include <cstdlib>\nint main(){ return system("cat /etc/passwd >/dev/null && echo 3 || echo 4") ? 1 : 0; }', ['wrong_answer', 'runtime_error']],
  ];
  for (const [name, code, verdicts] of cases) {
    it(name, async () => {
      await expectContained(fence('cpp', code), { language: 'cpp', ...io }, verdicts);
    });
  }
  it('compile error', async () => {
    await expectContained(fence('cpp', 'int main() { return x; }'), { language: 'cpp', ...io }, ['compile_error']);
  });
});

describe('JavaScript in isolated-vm', () => {
  const js = (code: string) => fence('javascript', code);
  const cases: [string, string, string[], Record<string, unknown>?][] = [
    ['while(true)', 'while (true) {}', ['timeout']],
    ['endless microtasks', 'const f = () => Promise.resolve().then(f); f();', ['timeout']],
    ['async loop after the script', 'queueMicrotask(function f(){ for(;;){} });', ['timeout']],
    ['huge arrays', 'const a = []; for (;;) a.push(new Array(1e6).fill(1.5));', ['memory_limit'], { memory_limit_mb: 64 }],
    ['typed array bomb', 'const a = []; for (;;) a.push(new Float64Array(1e7));', ['memory_limit', 'runtime_error'], { memory_limit_mb: 64 }],
    ['reaches for host objects', 'let ok = 0;\ntry { if (typeof process.binding === "function" || process.env.R1_TEST_SECRET) ok = 1; } catch {}\ntry { require("child_process"); ok = 1; } catch {}\ntry { const p = this.constructor.constructor("return process")(); if (p.pid || p.mainModule) ok = 1; } catch {}\ntry { if (typeof globalThis.fetch === "function" || typeof WebAssembly === "undefined" && 0) ok = 1; } catch {}\nconsole.log(ok ? 3 : 4);', ['wrong_answer']],
    ['stack overflow', 'function f(){ return f() + 1; } f();', ['runtime_error']],
    ['1 GB of output', 'const s = "x".repeat(65536); for (let i = 0; i < 16384; i++) process.stdout.write(s);', ['output_limit']],
  ];
  for (const [name, code, verdicts, extra] of cases) {
    it(name, async () => {
      await expectContained(js(code), { language: 'javascript', ...io, ...extra }, verdicts);
    });
  }
  const check = { language: 'javascript', test_code: 'const assert = require("assert");\nfunction check(candidate) { assert.deepEqual(candidate(1, 2), 3); }', entry_point: 'add', time_limit_ms: 1000 };
  const fakes: [string, string, string[]][] = [
    ['process.exit(0)', 'process.exit(0); function add(a, b) { return 0; }', ['runtime_error']],
    ['exit inside the call', 'function add(a, b) { process.exit(0); }', ['runtime_error']],
    ['prototype games', 'Object.prototype.valueOf = () => 3; Number.prototype.valueOf = () => 3; Object.is = () => true; JSON.stringify = () => "3";\nfunction add(a, b) { return {}; }', ['wrong_answer']],
    ['replaces require and console', 'globalThis.require = () => ({ deepEqual() {}, equal() {} }); console.assert = () => {};\nfunction add(a, b) { return 0; }', ['wrong_answer']],
    ['tampers with the entry points', 'try { globalThis.__r1 = { test: () => "passed" }; } catch {}\ntry { Object.defineProperty(globalThis, "__r1", { value: 1 }); } catch {}\nfunction add(a, b) { return 0; }', ['wrong_answer']],
    ['reads the test through the caller', 'function add(a, b) { try { const src = String(add.caller); if (src.includes("3")) return 3; } catch {} return 0; }', ['wrong_answer']],
  ];
  for (const [name, code, verdicts] of fakes) {
    it(`fake pass: ${name}`, async () => {
      await expectContained(js(code), check, verdicts);
    });
  }
  it('fake pass on a call test: toJSON and prototype games', async () => {
    const code = 'Array.prototype.map = function () { return [3]; }; JSON.stringify = () => "3";\nfunction add(a, b) { return { toJSON() { return 3; }, valueOf() { return 3; } }; }';
    await expectContained(js(code), { language: 'javascript', tests: [{ call: 'add', args: [1, 2], expected: 3 }], time_limit_ms: 1000 }, ['wrong_answer']);
  });
  // Built-ins the comparison (or the test code itself) relies on, replaced by the program: the tests run in a
  // checker isolate the program never touches, so each wrong program below must get 0.
  const checkOf = (body: string, entry: string) => ({ language: 'javascript', test_code: `const assert = require("assert");\nfunction check(candidate) {\n${body}\n}`, entry_point: entry, time_limit_ms: 2000 });
  const sortCheck = checkOf('assert.deepStrictEqual(candidate([3, 1, 2]), [1, 2, 3]);', 'sortList');
  const uniqCheck = checkOf('assert.deepStrictEqual(candidate([1, 1, 2]), new Set([1, 2]));', 'uniq');
  const builtinTricks: [string, string, Record<string, unknown>][] = [
    ['Symbol.hasInstance on Set', 'Object.defineProperty(Set, Symbol.hasInstance, { value: () => false });\nfunction uniq(xs) { return new Set([42]); }', uniqCheck],
    ['Array.prototype.every and some', 'Array.prototype.every = function () { return true; };\nArray.prototype.some = function () { return true; };\nfunction uniq(xs) { return new Set([7, 8]); }', uniqCheck],
    ['%SetIteratorPrototype%.next', 'const SIP = Object.getPrototypeOf(new Set().values());\nfunction uniq(xs) { const s = new Set([9, 9.5]); let i = 0; SIP.next = function () { return i < 2 ? { value: [1, 2][i++], done: false } : { value: undefined, done: true }; }; return s; }', uniqCheck],
    ['%ArrayIteratorPrototype%.next', 'const AIP = Object.getPrototypeOf([][Symbol.iterator]());\nfunction sortList(xs) { const s = [...xs].sort((a, b) => a - b); let i = 0; AIP.next = function () { return i < s.length ? { value: s[i++], done: false } : { value: undefined, done: true }; }; return xs; }', checkOf('let i = 0; const want = [1, 2, 3];\nfor (const x of candidate([3, 1, 2])) assert.strictEqual(x, want[i++]);\nassert.strictEqual(i, 3);', 'sortList')],
    ['Array.prototype.every used by the test', 'Array.prototype.every = function () { return true; };\nfunction sortList(xs) { return xs; }', checkOf('const r = candidate([3, 1, 2]);\nassert.ok(r.length === 3 && r.every((x, k) => k === 0 || r[k - 1] <= x));', 'sortList')],
    ['Array.prototype.sort used by the test', 'Array.prototype.sort = function () { return this; };\nfunction sortList(xs) { return xs; }', checkOf('const xs = [3, 1, 2];\nassert.deepStrictEqual(candidate([...xs]), [...xs].sort((a, b) => a - b));', 'sortList')],
    ['Math.abs used by the test', 'Math.abs = () => 0;\nfunction root(x) { return 7; }', checkOf('assert.ok(Math.abs(candidate(2) - 1.41421) < 1e-3);', 'root')],
    ['JSON.stringify used by the test', 'JSON.stringify = () => "same";\nfunction sortList(xs) { return xs; }', checkOf('assert.strictEqual(JSON.stringify(candidate([3, 1, 2])), JSON.stringify([1, 2, 3]));', 'sortList')],
    ['a global assert of its own', 'globalThis.assert = () => {};\nfunction sortList(xs) { return xs; }', { ...sortCheck, test_code: 'function check(candidate) { assert(candidate([3, 1, 2])[0] === 1); }' }],
    ['a Proxy that answers what is asked', 'function sortList(xs) { return new Proxy([], { get: (t, k) => (k === "length" ? 3 : [1, 2, 3][k]), ownKeys: () => ["0", "1", "2", "length"], getOwnPropertyDescriptor: (t, k) => (k === "length" ? { value: 3, writable: true } : { value: [1, 2, 3][k], enumerable: true, configurable: true }) }); }', sortCheck],
  ];
  for (const [name, code, task] of builtinTricks) {
    it(`fake pass on assertion tests: ${name}`, async () => {
      await expectContained(js(code), task, ['wrong_answer', 'runtime_error']);
    });
  }
  it('fake pass on a call test: a poisoned %ArrayIteratorPrototype%.next', async () => {
    const code = 'const AIP = Object.getPrototypeOf([][Symbol.iterator]());\nfunction sortList(xs) { const s = [1, 2, 3]; let i = 0; AIP.next = function () { return i < 3 ? { value: s[i++], done: false } : { value: undefined, done: true }; }; return xs; }';
    await expectContained(js(code), { language: 'javascript', tests: [{ call: 'sortList', args: [[3, 1, 2]], expected: [1, 2, 3] }], time_limit_ms: 1000 }, ['wrong_answer']);
  });
  it('the service still scores normally after the hostile runs', async () => {
    const r = await scoreOne(engine, js('function add(a, b) { return a + b; }'), { language: 'javascript', tests: [{ call: 'add', args: [1, 2], expected: 3 }] });
    expect(r.rewards.accuracy).toBe(1);
    const p = await scoreOne(engine, py('print(sum(map(int, input().split())))'), { language: 'python', ...io });
    expect(p.rewards.accuracy).toBe(1);
  });
});

describe('the service itself dies mid-run', () => {
  it('takes every process of the run with it (launcher, bwrap, program, setsid daemon)', async () => {
    const uid = BASE + 50;
    const fixture = fileURLToPath(new URL('./fixtures/crash-service.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture, String(uid)], { timeout: 20_000 });
    expect(r.signal).toBe('SIGKILL');
    await new Promise((res) => setTimeout(res, 500));
    // zombies wait for the machine's init to reap them; nothing may still be running
    const alive = sandboxPids(uid, 1).filter((p) => {
      try {
        return !/^State:\s+Z/m.test(readFileSync(`/proc/${p}/status`, 'utf8'));
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});

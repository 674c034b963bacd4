// Hostile programs against the real sandbox. Each program prints the right answer ("3") only if its
// attack worked, so reward 0 proves the attack failed; each must also get the right verdict and leave
// no process of its run behind.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeEngine, fence, leftoverPids, sandboxPids, scoreOne, verdictsOf } from './helpers.js';

// this file's own uid range (apart from other instances on the host) and its own temp dir, so that
// the boxes it counts are its own
const BASE = (Number(process.env['R1_SANDBOX_UID_BASE']) || 61000) + 1000;
const TMP = mkdtempSync(path.join(os.tmpdir(), 'r1-adv-'));
chmodSync(TMP, 0o755);
process.env['TMPDIR'] = TMP;
const boxes = () => readdirSync(TMP).filter((d) => d.startsWith('r1-code-'));
const { engine, verifier } = codeEngine(BASE, 2);
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
  expect(boxes()).toEqual([]);
});

async function expectContained(completion: string, task: Record<string, unknown>, verdicts: string[]) {
  const r = await scoreOne(engine, completion, task);
  expect(r.status).toBe('ok');
  expect(r.rewards.accuracy).toBe(0);
  const got = verdictsOf(r);
  expect(got.length).toBeGreaterThan(0);
  for (const v of got) expect(verdicts, `verdict ${v}: ${JSON.stringify(r.details['accuracy'])}`).toContain(v);
  expect(await leftoverPids(BASE, 2, verifier)).toEqual([]);
  // the long-lived isolate hosts (uid BASE + 500 + slot): at most bwrap and node per slot, nothing else
  expect(sandboxPids(BASE + 500, 2).length).toBeLessThanOrEqual(4);
  return r;
}

describe('python stdin/stdout programs', () => {
  // page faulting 512 MB takes over a second on a small VM; the time limit is generous so that a loaded
  // machine cannot turn the memory verdict into a timeout
  const small = { memory_limit_mb: 128, time_limit_ms: 8000 };
  const cases: [string, string, string[], Record<string, unknown>?][] = [
    ['CPU loop', 'while True: pass', ['timeout']],
    ['sleep', 'import time\ntime.sleep(100)\nprint(3)', ['timeout']],
    ['signal tampering then loop', 'import signal\nfor s in (signal.SIGTERM, signal.SIGALRM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP):\n    signal.signal(s, signal.SIG_IGN)\nwhile True: pass', ['timeout']],
    ['fork bomb', 'import os\nwhile True:\n    try: os.fork()\n    except OSError: pass', ['timeout', 'runtime_error']],
    // refused at once by the address-space limit: its peak memory is small, so by the kernel's facts a runtime error
    ['memory bomb (one block)', 'x = bytearray(10**10)\nprint(3)', ['runtime_error']],
    ['memory bomb (growing)', 'a = []\nwhile True: a.append(bytearray(10**7))', ['memory_limit'], small],
    ['1 GB of output', 'import sys\nb = "x" * 65536\nfor _ in range(16384): sys.stdout.write(b)', ['output_limit']],
    ['1 GB to stderr', 'import sys\nb = "x" * 65536\nfor _ in range(16384): sys.stderr.write(b)', ['output_limit']],
    ['big file in tmp', 'f = open("/tmp/big", "wb")\nfor _ in range(1024): f.write(b"x" * 2**20)\nprint(3)', ['output_limit', 'runtime_error']],
    ['stack overflow (C recursion)', 'import sys\nsys.setrecursionlimit(10**9)\nclass A:\n    def __getattr__(self, k): return getattr(self, k)\nA().x', ['runtime_error']],
    ['recursion limit', 'def f(n): return f(n + 1) + 1\nf(0)', ['runtime_error']],
    ['claims MemoryError on stderr', 'import sys\nsys.stderr.write("MemoryError\\nstd::bad_alloc\\n")\nsys.exit(1)', ['runtime_error']],
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
    // the checker (the candidate's parent) can be killed, the runner (pid 1) cannot: a dead checker
    // reports nothing, and units never reported are failures, never passes
    ['kills the checker', 'import os, signal\ndef add(a, b):\n    for p in (os.getppid(), 1, -1):\n        try: os.kill(p, signal.SIGKILL)\n        except OSError: pass\n    return a + b', ['runtime_error', 'skipped']],
    ['interrupts the checker', 'import os, signal\ndef add(a, b):\n    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1, signal.SIGALRM):\n        for p in (os.getppid(), 1):\n            try: os.kill(p, s)\n            except OSError: pass\n    return a + b', ['runtime_error', 'skipped']],
    ['claims MemoryError', 'def add(a, b):\n    raise MemoryError("out of memory")', ['runtime_error']],
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
  const small = { memory_limit_mb: 128, time_limit_ms: 8000 }; // page faulting 512 MB takes over a second on a loaded VM; a generous time limit keeps load from turning the memory verdict into a timeout
  const cases: [string, string, string[], Record<string, unknown>?][] = [
    ['CPU loop', 'int main(){ volatile long x = 0; for(;;) x++; }', ['timeout']],
    ['memory bomb (one block, refused at once)', '#include <vector>\n#include <cstdio>\nint main(){ std::vector<long> v(4000000000L, 1); printf("%ld\\n", v[7] + 2); }', ['runtime_error']],
    ['prints bad_alloc and aborts', '#include <cstdio>\n#include <cstdlib>\nint main(){ fputs("std::bad_alloc\\n", stderr); abort(); }', ['runtime_error']],
    ['growing memory', '#include <vector>\n#include <cstdio>\nint main(){ std::vector<std::vector<char>> v; for(;;) v.emplace_back(1 << 20, 1); }', ['memory_limit'], small],
    ['stack overflow', 'int f(int n){ volatile int a[1000]; a[0] = n; return f(n + 1) + a[0]; }\nint main(){ return f(0); }', ['runtime_error']],
    ['fork bomb', '#include <unistd.h>\nint main(){ for(;;) fork(); }', ['timeout', 'runtime_error']],
    ['1 GB of output', '#include <cstdio>\nint main(){ for(long i = 0; i < (1L << 30); i++) putchar(120); }', ['output_limit']],
    ['reads /etc/passwd', '#include <cstdio>\nint main(){ FILE* f = fopen("/etc/passwd", "r"); puts(f ? "3" : "4"); }', ['wrong_answer']],
    ['spawns a shell', '#include <cstdlib>\nint main(){ return system("cat /etc/passwd >/dev/null && echo 3 || echo 4") ? 1 : 0; }', ['wrong_answer', 'runtime_error']],
  ];
  for (const [name, code, verdicts, extra] of cases) {
    it(name, async () => {
      await expectContained(fence('cpp', code), { language: 'cpp', ...io, ...extra }, verdicts);
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

// Memory the address-space limit does not see: tmpfs files and shared memory. Each bomb prints 3 only if
// it held more than the run's memory limit (256 MB) outside its address space.
describe('shared-memory bombs', () => {
  const limit = { memory_limit_mb: 256, time_limit_ms: 5000 };
  const MB = 2 ** 20;
  const held = (body: string) => `import os, ctypes\nheld = 0\n${body}\nprint(3 if held > 256 * ${MB} else 4)`;
  const fill = (dir: string) => held(`for i in range(300):\n    try:\n        with open("${dir}/f%d" % i, "wb") as f:\n            f.write(b"x" * ${MB})\n        held += ${MB}\n    except OSError:\n        break`);
  const cases: [string, string][] = [
    ['fills /dev/shm', fill('/dev/shm')],
    ['fills /dev', fill('/dev')],
    ['fills /tmp', fill('/tmp')],
    ['SysV shared memory segments', held(`libc = ctypes.CDLL(None, use_errno=True)\nlibc.shmat.restype = ctypes.c_void_p\nlibc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]\nfor i in range(6):\n    sid = libc.shmget(0, 64 * ${MB}, 0o1600)\n    if sid < 0: break\n    p = libc.shmat(sid, None, 0)\n    if p in (None, ctypes.c_void_p(-1).value): break\n    ctypes.memset(p, 1, 64 * ${MB})\n    libc.shmdt(ctypes.c_void_p(p))\n    held += 64 * ${MB}`)],
    ['POSIX shared memory', held(`from multiprocessing import shared_memory\nkeep = []\nfor i in range(6):\n    try:\n        m = shared_memory.SharedMemory(create=True, size=64 * ${MB})\n        m.buf[:] = b"x" * (64 * ${MB})\n        keep.append(m)\n        held += 64 * ${MB}\n    except Exception:\n        break`)],
    ['SysV message queues', held(`libc = ctypes.CDLL(None, use_errno=True)\nbuf = ctypes.create_string_buffer(8 + 8192)\nbuf[0] = 1\nfor q in range(20000):\n    qid = libc.msgget(0, 0o1600)\n    if qid < 0: break\n    while libc.msgsnd(qid, buf, 8192, 0o4000) == 0: held += 8192`)],
  ];
  for (const [name, code] of cases) {
    it(name, async () => {
      await expectContained(py(code), { language: 'python', ...io, ...limit }, ['wrong_answer']);
    }, 60_000);
  }
});

describe('host paths', () => {
  const probe = `m = open("/proc/self/mountinfo").read()\nprint(3 if any(s in m for s in ("r1-code", "/tmp/", "/work", ${JSON.stringify(process.cwd())})) else 4)`;
  it('a stdin/stdout program sees none in /proc/self/mountinfo', async () => {
    await expectContained(py(probe), { language: 'python', ...io }, ['wrong_answer']);
  });
  it('nor does a program under the test harness', async () => {
    const code = `def add(a, b):\n    ${probe.replace(/\n/g, '\n    ').replace('print(', 'return (')}`;
    await expectContained(py(code), { language: 'python', tests: [{ call: 'add', args: [1, 2], expected: 3 }] }, ['wrong_answer']);
  });
  it('nor a compiled program', async () => {
    const code = '#include <fstream>\n#include <iostream>\n#include <sstream>\nint main(){ std::ifstream f("/proc/self/mountinfo"); std::stringstream s; s << f.rdbuf(); std::string m = s.str();\n  bool leak = m.find("r1-code") != std::string::npos || m.find("/tmp/") != std::string::npos || m.find("/work") != std::string::npos;\n  std::cout << (leak ? 3 : 4) << "\\n"; }';
    await expectContained(fence('cpp', code), { language: 'cpp', ...io }, ['wrong_answer']);
  });
});

// A warm runner (the slot's sandbox, or one per rollout): a test must not reach the next one through
// anything left in the sandbox.
describe.each(['per_slot', 'per_rollout'])('a warm runner (code.sandbox %s): tests against each other', (sandbox) => {
  const warm = { code: { sandbox } };
  const score = (code: string, tests: { stdin: string; stdout: string }[], extra: Record<string, unknown> = {}) =>
    scoreOne(engine, py(code), { language: 'python', tests, time_limit_ms: 2000, ...extra }, warm);
  const contained = async (code: string, tests: { stdin: string; stdout: string }[], want: string[], extra: Record<string, unknown> = {}) => {
    const r = await score(code, tests, extra);
    expect(r.status).toBe('ok');
    expect(verdictsOf(r), JSON.stringify(r.details['accuracy'])).toEqual(want);
    expect(await leftoverPids(BASE, 2, verifier)).toEqual([]);
  };

  it('a daemon left by one test cannot write into the next test\'s output', async () => {
    // test "a" leaves a setsid'd daemon that writes the answer into every other process's stdout
    const code = [
      'import os, sys, time',
      's = input()',
      'if s == "a":',
      '    me = os.getpid()  # the daemon spares its own test: only the next test is the target',
      '    if os.fork() == 0:',
      '        os.setsid()',
      '        if os.fork() == 0:',
      '            end, done = time.time() + 10, set()',
      '            while time.time() < end:',
      '                for p in os.listdir("/proc"):',
      '                    if p.isdigit() and int(p) not in (os.getpid(), 1, me) and p not in done:',
      '                        try:',
      '                            with open("/proc/%s/fd/1" % p, "w") as f: f.write("b-ok\\n")',
      '                            done.add(p)',
      '                        except OSError: pass',
      '                time.sleep(0.01)',
      '        os._exit(0)',
      '    print("a-ok")',
      'else:',
      '    time.sleep(0.5)  # prints nothing itself: only the daemon could make this pass',
    ].join('\n');
    await contained(code, [{ stdin: 'a\n', stdout: 'a-ok\n' }, { stdin: 'x\n', stdout: 'b-ok\n' }], ['passed', 'wrong_answer']);
  });

  it('files, shared memory and message queues written by one test are gone in the next', async () => {
    const code = [
      'import ctypes, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      's = input()',
      'places = ["/tmp/state", "/dev/shm/state", os.path.expanduser("~/state"), os.getcwd() + "/state"]',
      'if s == "first":',
      '    for p in places:',
      '        try: open(p, "w").write("leak")',
      '        except OSError: pass',
      '    libc.shmget(4242, 4096, 0o1666)',
      '    libc.msgget(4243, 0o1666)',
      '    print("A")',
      'else:',
      '    found = [p for p in places if os.path.exists(p)]',
      '    found += ["shm"] if libc.shmget(4242, 4096, 0o666) >= 0 else []',
      '    found += ["msg"] if libc.msgget(4243, 0o666) >= 0 else []',
      '    found += os.listdir(".")',
      '    print("leak" if found else "clean")',
    ].join('\n');
    await contained(code, [{ stdin: 'first\n', stdout: 'A\n' }, { stdin: 'second\n', stdout: 'leak\n' }], ['passed', 'wrong_answer'], { compare: { mode: 'exact' } });
  });

  it('the runner cannot be killed, traced, read or written by a test, and judges the rest', async () => {
    const code = [
      'import ctypes, os, signal',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'hits = []',
      'for s in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGSTOP, signal.SIGSEGV):',
      '    try: os.kill(1, s)',
      '    except OSError: pass',
      'if libc.ptrace(16, 1, 0, 0) == 0: hits.append("ptrace")  # PTRACE_ATTACH',
      'for p, mode in (("/proc/1/mem", "rb"), ("/proc/1/environ", "rb"), ("/proc/1/fd/3", "wb"), ("/proc/1/fd/0", "rb")):',
      '    try:',
      '        f = open(p, mode)',
      '        if "w" in mode: f.write(b\'{"i":1,"exit":0,"stdout_len":2}\\n3\\n\')',
      '        else: f.read(16)',
      '        hits.append(p)',
      '    except OSError: pass',
      'print(3 if hits else 4, hits)',
    ].join('\n');
    await contained(code, [{ stdin: '1 2\n', stdout: '3\n' }, { stdin: '1 2\n', stdout: '3\n' }], ['wrong_answer', 'wrong_answer']);
  });

  it('a test holds no descriptor but its standard streams (and a C++ test its own sealed binary)', async () => {
    const code = 'import os\nfds = sorted(int(f) for f in os.listdir("/proc/self/fd"))\nprint(3 if len(fds) > 4 else 4)'; // 0-2 and listdir's own
    await contained(code, [{ stdin: '1 2\n', stdout: '3\n' }], ['wrong_answer']);
    const cpp =
      '#include <cstdio>\n#include <cstring>\n#include <dirent.h>\n#include <unistd.h>\nint main(){ DIR* d = opendir("/proc/self/fd"); int extra = 0; struct dirent* e;\n' +
      '  while ((e = readdir(d))) { if (e->d_name[0] == \'.\') continue; int fd = atoi(e->d_name); char p[64], t[256] = {0}; snprintf(p, 64, "/proc/self/fd/%d", fd); readlink(p, t, 255);\n' +
      '    if (fd > 2 && fd != dirfd(d) && !strstr(t, "memfd:")) extra++; }\n  puts(extra ? "3" : "4"); }';
    const r = await scoreOne(engine, fence('cpp', cpp.replace('#include <cstring>', '#include <cstring>\n#include <cstdlib>')), { language: 'cpp', ...io }, warm);
    expect(verdictsOf(r), JSON.stringify(r.details['accuracy'])).toEqual(['wrong_answer']);
  });

  it('a test that exhausts the processes leaves the next a fair, fresh run', async () => {
    const code = [
      'import os, time',
      's = input()',
      'if s == "bomb":',
      '    while True:',
      '        try:',
      '            if os.fork() == 0:',
      '                time.sleep(60)',
      '                os._exit(0)',
      '        except OSError:',
      '            break',
      '    print("exhausted")',
      'else:',
      '    a, b = map(int, s.split())',
      '    if os.fork() == 0: os._exit(0)  # the next test can fork again',
      '    os.wait()',
      '    print(a + b)',
    ].join('\n');
    await contained(code, [{ stdin: 'bomb\n', stdout: '0\n' }, { stdin: '1 2\n', stdout: '3\n' }, { stdin: '2 2\n', stdout: '4\n' }], ['wrong_answer', 'passed', 'passed']);
  });

  it('a C++ test cannot replace the binary the next test runs', async () => {
    const code =
      '#include <cstdio>\n#include <fstream>\n#include <string>\n#include <unistd.h>\nint main(){ char s[16] = {0}; if (scanf("%15s", s) != 1) return 1; std::string t(s);\n' +
      '  if (t == "first") { for (const char* p : {"/proc/self/exe", "/tmp/build/main", "/box/main"}) { std::ofstream f(p, std::ios::binary | std::ios::trunc); f << "#!/bin/sh\\necho 3\\n"; } puts("A"); return 0; }\n' +
      '  puts("4"); }';
    const r = await scoreOne(engine, fence('cpp', code), { language: 'cpp', tests: [{ stdin: 'first\n', stdout: 'A\n' }, { stdin: 'second\n', stdout: '3\n' }] }, warm);
    expect(verdictsOf(r), JSON.stringify(r.details['accuracy'])).toEqual(['passed', 'wrong_answer']);
  });
});

// One long-lived sandbox per slot: a rollout must not reach a later rollout of the same slot through
// anything left in it, nor find an earlier rollout's tests. One slot, so every rollout shares it.
describe('the slot sandbox: rollouts against each other', () => {
  const SLOT = BASE + 70;
  const one = codeEngine(SLOT, 1);
  afterAll(() => one.engine.close());
  const runnerPid = () => one.verifier.sandboxes.pids()[0]?.runner;
  const sum = [{ stdin: '1 2\n', stdout: '3\n' }];
  const score = (code: string, task: Record<string, unknown>) => scoreOne(one.engine, py(code), { language: 'python', time_limit_ms: 2000, ...task });

  it('a daemon, files, shared memory and a process flood left by one rollout do not reach the next', async () => {
    await score('print(3)', { tests: sum });
    const pid = runnerPid();
    expect(pid).toBeGreaterThan(0);
    const hostile = [
      'import ctypes, os, time',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'for p in ("/tmp/state", "/dev/shm/state"):',
      '    open(p, "w").write("leak")',
      'libc.shmget(4242, 4096, 0o1666)',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      '        end = time.time() + 10',
      '        while time.time() < end:',
      '            for p in os.listdir("/proc"):',
      '                if p.isdigit() and int(p) not in (os.getpid(), 1):',
      '                    for fd, text in ((1, "3\\n"), (0, "40 2\\n")):  # its output, and its stdin',
      '                        try: open("/proc/%s/fd/%d" % (p, fd), "w").write(text)',
      '                        except OSError: pass',
      '            time.sleep(0.01)',
      '    os._exit(0)',
      'while True:',
      '    try:',
      '        if os.fork() == 0:',
      '            time.sleep(60)',
      '            os._exit(0)',
      '    except OSError:',
      '        break',
      'print(4)',
    ].join('\n');
    const a = await score(hostile, { tests: sum });
    expect(verdictsOf(a)).toEqual(['wrong_answer']);
    // the next rollout, in the same sandbox: prints the sum of its own stdin only if nothing of the last
    // one is there, and must fork
    const probe = [
      'import ctypes, os, time',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'time.sleep(0.3)  # time for a surviving daemon to write its 3 into our output',
      'left = [p for p in ("/tmp/state", "/dev/shm/state") if os.path.exists(p)]',
      'left += ["shm"] if libc.shmget(4242, 4096, 0o666) >= 0 else []',
      'left += [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]',
      'if os.fork() == 0: os._exit(0)',
      'os.wait()',
      'print(sum(map(int, input().split())) if not left else "left: %s" % left)',
    ].join('\n');
    const b = await score(probe, { tests: sum, compare: { mode: 'exact' } });
    expect(verdictsOf(b), JSON.stringify(b.details['accuracy'])).toEqual(['passed']);
    expect(runnerPid()).toBe(pid); // one sandbox served all three
    expect(await leftoverPids(SLOT, 1, one.verifier)).toEqual([]);
  });

  it("a rollout that kills, traces or reads the runner leaves it serving the next", async () => {
    await score('print(3)', { tests: sum });
    const pid = runnerPid();
    const attack = [
      'import ctypes, os, signal',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'for s in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM):',
      '    try: os.kill(1, s)',
      '    except OSError: pass',
      'libc.ptrace(16, 1, 0, 0)',
      'for p in ("/proc/1/mem", "/proc/1/fd/0", "/proc/1/fd/3"):',
      '    try: open(p, "r+b").write(b"done=1\\n")',
      '    except OSError: pass',
      'print(4)',
    ].join('\n');
    expect(verdictsOf(await score(attack, { tests: sum }))).toEqual(['wrong_answer']);
    expect(verdictsOf(await score('print(sum(map(int, input().split())))', { tests: sum }))).toEqual(['passed']);
    expect(runnerPid()).toBe(pid);
  });

  it("a checker's tests never reach a later rollout's memory", async () => {
    // rollout 1's tests carry a marker; rollout 2 scans all of its own readable memory for it (the needle
    // is matched with the "# " before it, which only the tests' text has)
    const marked = { entry_point: 'add', test_code: 'def check(candidate):\n    assert candidate(1, 2) == 3  # MARKER-7f3a\n' };
    expect((await score('def add(a, b):\n    return a + b', marked)).rewards.accuracy).toBe(1);
    const scan = [
      'import ctypes',
      'ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # dumpable again, so that /proc/self/mem opens',
      'def seen():',
      '    needle = "MARKER-" + "7f3a"',
      '    needle = needle.encode()',
      '    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:',
      '        for line in maps:',
      '            span, perms = line.split()[:2]',
      '            lo, hi = (int(x, 16) for x in span.split("-"))',
      '            if "r" not in perms or hi - lo > 1 << 28: continue',
      '            try:',
      '                mem.seek(lo)',
      '                chunk = mem.read(hi - lo)',
      '            except (OSError, ValueError, OverflowError): continue',
      '            at = chunk.find(needle)',
      '            while at >= 0:',
      '                if chunk[at - 2:at] == b"# ": return True',
      '                at = chunk.find(needle, at + 1)',
      '    return False',
      'def probe():',
      '    return "found" if seen() else "clean"',
    ].join('\n');
    const r = await score(scan, { entry_point: 'probe', test_code: 'def check(candidate):\n    assert candidate() == "clean"\n' });
    expect(verdictsOf(r), JSON.stringify(r.details['accuracy'])).toEqual(['passed']);
    // the scan works: the probe finds the marker where it is in its memory (its own source, here)
    const self = await score(`${scan}\n# MARKER-7f3a`, { entry_point: 'probe', test_code: 'def check(candidate):\n    assert candidate() == "clean"\n' });
    expect(verdictsOf(self)).toEqual(['wrong_answer']);
  });
});

describe('early cancellation storm', () => {
  it('many runs cancelled before their sandbox is up leave no process, no box and no lost slot', async () => {
    const sum = 'print(sum(map(int, input().split())))';
    const cpp = '#include <iostream>\nint main(){ int a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }';
    const mixed = (i: number) => (i % 4 === 3 ? { completion: fence('cpp', cpp), task: { type: 'code', language: 'cpp', ...io } } : { completion: py(sum), task: { type: 'code', language: 'python', ...io } });
    for (let i = 0; i < 40; i++) {
      const res = await engine.score(Array.from({ length: 8 }, (_, j) => mixed(i + j)), engine.config({ limits: { deadline_ms: 1 + (i % 20) } }));
      for (const r of res.results) expect(['ok', 'deadline_exceeded']).toContain(r.status);
    }
    const t0 = performance.now();
    const r = await scoreOne(engine, py(sum), { language: 'python', ...io });
    expect(r.rewards.accuracy).toBe(1);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(await leftoverPids(BASE, 2, verifier)).toEqual([]);
    expect(boxes()).toEqual([]);
    expect(engine.ready()).toBe(true);
  }, 120_000);
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

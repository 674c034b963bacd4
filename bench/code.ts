// npm run bench:code [-- --n 200 --concurrency C]
// Python programs/s (trivial stdin/stdout and HumanEval-style check) through the real verifier, the
// per-program overhead of the sandbox over a bare `python3 -c pass`, and JS latency per test in isolated-vm.
// Targets (issue 4): Python >= 60 programs/s on 2 cores, <= 10 ms overhead, JS <= 2 ms per test.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { RewardEngine } from '../src/core/engine.js';
import { makeBox } from '../src/code/box.js';
import { PYTHON, runPythonIo, runPythonUnits } from '../src/code/python.js';
import { CodeVerifier } from '../src/code/verifier.js';
import { VerifierRegistry } from '../src/verifiers/registry.js';

const argN = process.argv.indexOf('--n');
const N = argN >= 0 ? Number(process.argv[argN + 1]) : 200;
const cores = os.availableParallelism();
const argC = process.argv.indexOf('--concurrency');
const concurrency = argC >= 0 ? Number(process.argv[argC + 1]) : cores;
const ms = (t0: number) => performance.now() - t0;
const fence = (lang: string, code: string) => `\`\`\`${lang}\n${code}\n\`\`\``;

/** CPU ms used so far by this process and by its reaped descendants (the sandboxes), from /proc/self/stat. */
function cpuMs(): { self: number; children: number } {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const tick = 1000 / 100; // USER_HZ
  return { self: (Number(f[11]) + Number(f[12])) * tick, children: (Number(f[13]) + Number(f[14])) * tick };
}

/** Runs `fn` and reports wall programs/s plus the CPU each program costs (load-independent capacity). */
async function measure(label: string, n: number, fn: () => Promise<number>): Promise<void> {
  const c0 = cpuMs();
  const t0 = performance.now();
  const ok = await fn();
  const secs = ms(t0) / 1000;
  const c1 = cpuMs();
  const perProg = (c1.self - c0.self + c1.children - c0.children) / n;
  console.log(
    `${label}: ${n} programs in ${secs.toFixed(2)} s = ${(n / secs).toFixed(1)} programs/s wall on ${cores} cores (${ok}/${n} passed); ` +
      `CPU ${perProg.toFixed(1)} ms per program (service ${((c1.self - c0.self) / n).toFixed(1)} + sandbox ${((c1.children - c0.children) / n).toFixed(1)}) ` +
      `=> ${((cores * 1000) / perProg).toFixed(0)} programs/s on ${cores} idle cores [target >= 60]`,
  );
}

function bare(args: string[], n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) spawnSync(PYTHON, args, { stdio: 'ignore' });
  return ms(t0) / n;
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model} x${cores}, node ${process.version}, load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const verifier = new CodeVerifier({ concurrency, baseUid: 65000 });
  console.log(`sandbox concurrency ${concurrency}`);
  const engine = new RewardEngine({ registry: new VerifierRegistry().register(verifier) });
  const config = engine.config({});

  // 1. overhead per program, sequential, same program both ways
  const seq = Math.min(N, 60);
  bare(['-c', 'pass'], 5);
  const plainMs = bare(['-c', 'pass'], seq);
  const bareMs = bare(['-I', '-S', '-c', 'pass'], seq); // the flags the sandbox runs programs with
  const box = await makeBox({ 'main.py': 'pass\n' });
  const l = { timeMs: 2000, memoryMb: 512, outputBytes: 1 << 20 };
  await runPythonIo(box.dir, '', l, 65000);
  const s0 = performance.now();
  for (let i = 0; i < seq; i++) await runPythonIo(box.dir, '', l, 65000);
  const sandMs = ms(s0) / seq;
  await box.remove();
  const job = { program: 'def add(a, b):\n    return a + b', test_code: 'def check(candidate):\n    assert candidate(1, 2) == 3\n', entry_point: 'add' };
  const h0 = performance.now();
  for (let i = 0; i < seq; i++) await runPythonUnits(job, l, 65000);
  const humanMs = ms(h0) / seq;
  console.log(
    `python start, sequential: bare \`python3 -c pass\` ${plainMs.toFixed(1)} ms, bare \`python3 -I -S -c pass\` ${bareMs.toFixed(1)} ms; ` +
      `sandboxed program (python3 -I -S) ${sandMs.toFixed(1)} ms: overhead ${(sandMs - bareMs).toFixed(1)} ms over the same flags, ${(sandMs - plainMs).toFixed(1)} ms over \`python3 -c pass\` [target <= 10 ms]; ` +
      `a sandboxed HumanEval-style run (checker + candidate) ${humanMs.toFixed(1)} ms`,
  );

  // 2. throughput through the verifier, all cores
  const trivial = Array.from({ length: N }, () => ({
    completion: fence('python', 'a, b = map(int, input().split())\nprint(a + b)'),
    task: { type: 'code', language: 'python', tests: [{ stdin: '1 2\n', stdout: '3\n' }] },
  }));
  await measure('python stdin/stdout', N, async () => (await engine.score(trivial, config)).results.filter((r) => r.rewards.accuracy === 1).length);

  const human = Array.from({ length: N }, () => ({
    completion: fence('python', 'def add(a, b):\n    return a + b'),
    task: { type: 'code', language: 'python', entry_point: 'add', test_code: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n    assert candidate(10, 5) == 15\n' },
  }));
  await measure('python HumanEval-style check', N, async () => (await engine.score(human, config)).results.filter((r) => r.rewards.accuracy === 1).length);

  // 3. JS latency per test: one rollout, many call tests, then stdin/stdout tests
  const T = Math.max(50, N);
  const calls = Array.from({ length: T }, (_, i) => ({ call: 'add', args: [i, 1], expected: i + 1 }));
  const jsRollout = (tests: unknown[]) => [{ completion: fence('js', 'function add(a, b) { return a + b; }\nconst x = require("fs").readFileSync(0, "utf8"); console.log(x.trim());'), task: { type: 'code', language: 'javascript', tests } }];
  await engine.score(jsRollout(calls.slice(0, cores * 2)), config); // start the isolate hosts
  let t0 = performance.now();
  const res = await engine.score(jsRollout(calls), config);
  const perCall = ms(t0) / T;
  const ios = Array.from({ length: T }, (_, i) => ({ stdin: `${i}\n`, stdout: `${i}\n` }));
  t0 = performance.now();
  const res2 = await engine.score(jsRollout(ios), config);
  const perIo = ms(t0) / T;
  const acc = [res.results[0]!.rewards.accuracy, res2.results[0]!.rewards.accuracy];
  console.log(`javascript (isolated-vm): ${perCall.toFixed(2)} ms per call test, ${perIo.toFixed(2)} ms per stdin/stdout test over ${cores} isolate hosts (accuracy ${acc.join(', ')}) [target <= 2 ms]`);
  // assertion tests run in the checker isolate: one program isolate and one checker context per rollout
  const check = 'const assert = require("assert");\nfunction check(candidate) { assert.strictEqual(candidate(1, 2), 3); assert.deepStrictEqual([candidate(-1, 1)], [0]); }';
  const jsChecks = Array.from({ length: T }, () => ({ completion: fence('js', 'function add(a, b) { return a + b; }'), task: { type: 'code', language: 'javascript', entry_point: 'add', test_code: check } }));
  t0 = performance.now();
  const res3 = await engine.score(jsChecks, config);
  const perCheck = ms(t0) / T;
  const passed = res3.results.filter((r) => r.rewards.accuracy === 1).length;
  console.log(`javascript assertion tests (checker isolate): ${perCheck.toFixed(2)} ms per rollout over ${cores} isolate hosts (${passed}/${T} passed)`);
  await engine.close();
}

await main();

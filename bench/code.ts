// npm run bench:code [-- --n 200]
// Python programs/s (trivial stdin/stdout and HumanEval-style check) through the real verifier, the
// per-program overhead of the sandbox over a bare `python3 -c pass`, and JS latency per test in isolated-vm.
// Targets (issue 4): Python >= 60 programs/s on 2 cores, <= 10 ms overhead, JS <= 2 ms per test.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { RewardEngine } from '../src/engine.js';
import { makeBox } from '../src/code/box.js';
import { PYTHON, runPythonIo } from '../src/code/python.js';
import { CodeVerifier } from '../src/code/verifier.js';
import { VerifierRegistry } from '../src/verifiers/registry.js';

const argN = process.argv.indexOf('--n');
const N = argN >= 0 ? Number(process.argv[argN + 1]) : 200;
const cores = os.availableParallelism();
const ms = (t0: number) => performance.now() - t0;
const fence = (lang: string, code: string) => `\`\`\`${lang}\n${code}\n\`\`\``;

function bare(args: string[], n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) spawnSync(PYTHON, args, { stdio: 'ignore' });
  return ms(t0) / n;
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model} x${cores}, node ${process.version}, load avg ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const verifier = new CodeVerifier({ concurrency: cores, baseUid: 65000 });
  const engine = new RewardEngine({ registry: new VerifierRegistry().register(verifier) });
  const config = engine.config({});

  // 1. overhead per program, sequential, same program both ways
  const seq = Math.min(N, 60);
  bare(['-I', '-c', 'pass'], 5);
  const bareMs = bare(['-I', '-c', 'pass'], seq);
  const box = await makeBox({ 'main.py': 'pass\n' });
  const l = { timeMs: 2000, memoryMb: 512, outputBytes: 1 << 20 };
  await runPythonIo(box.dir, '', l, 65000);
  let t0 = performance.now();
  for (let i = 0; i < seq; i++) await runPythonIo(box.dir, '', l, 65000);
  const sandMs = ms(t0) / seq;
  await box.remove();
  console.log(`python start, sequential: bare python3 -I -c pass ${bareMs.toFixed(1)} ms; in the sandbox ${sandMs.toFixed(1)} ms; overhead ${(sandMs - bareMs).toFixed(1)} ms (x${(sandMs / bareMs).toFixed(2)}) [target <= 10 ms]`);

  // 2. throughput through the verifier, all cores
  const trivial = Array.from({ length: N }, () => ({
    completion: fence('python', 'a, b = map(int, input().split())\nprint(a + b)'),
    task: { type: 'code', language: 'python', tests: [{ stdin: '1 2\n', stdout: '3\n' }] },
  }));
  t0 = performance.now();
  let res = await engine.score(trivial, config);
  let secs = ms(t0) / 1000;
  const okTrivial = res.results.filter((r) => r.rewards.accuracy === 1).length;
  console.log(`python stdin/stdout: ${N} programs in ${secs.toFixed(2)} s = ${(N / secs).toFixed(1)} programs/s on ${cores} cores (${okTrivial}/${N} passed) [target >= 60]`);

  const human = Array.from({ length: N }, () => ({
    completion: fence('python', 'def add(a, b):\n    return a + b'),
    task: { type: 'code', language: 'python', entry_point: 'add', test_code: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n    assert candidate(10, 5) == 15\n' },
  }));
  t0 = performance.now();
  res = await engine.score(human, config);
  secs = ms(t0) / 1000;
  const okHuman = res.results.filter((r) => r.rewards.accuracy === 1).length;
  console.log(`python HumanEval-style check: ${N} programs in ${secs.toFixed(2)} s = ${(N / secs).toFixed(1)} programs/s (${okHuman}/${N} passed) [target >= 60]`);

  // 3. JS latency per test: one rollout, many call tests, then stdin/stdout tests
  const T = Math.max(50, N);
  const calls = Array.from({ length: T }, (_, i) => ({ call: 'add', args: [i, 1], expected: i + 1 }));
  const jsRollout = (tests: unknown[]) => [{ completion: fence('js', 'function add(a, b) { return a + b; }\nconst x = require("fs").readFileSync(0, "utf8"); console.log(x.trim());'), task: { type: 'code', language: 'javascript', tests } }];
  await engine.score(jsRollout(calls.slice(0, cores * 2)), config); // start the isolate hosts
  t0 = performance.now();
  res = await engine.score(jsRollout(calls), config);
  const perCall = ms(t0) / T;
  const ios = Array.from({ length: T }, (_, i) => ({ stdin: `${i}\n`, stdout: `${i}\n` }));
  t0 = performance.now();
  const res2 = await engine.score(jsRollout(ios), config);
  const perIo = ms(t0) / T;
  const acc = [res.results[0]!.rewards.accuracy, res2.results[0]!.rewards.accuracy];
  console.log(`javascript (isolated-vm): ${perCall.toFixed(2)} ms per call test, ${perIo.toFixed(2)} ms per stdin/stdout test over ${cores} isolate hosts (accuracy ${acc.join(', ')}) [target <= 2 ms]`);
  await engine.close();
}

await main();

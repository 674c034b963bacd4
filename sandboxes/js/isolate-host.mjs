// Child process that runs candidate JavaScript in isolated-vm, one test per message. Assertion tests run
// in a second isolate (the checker) that the program never touches; values cross as copies (bridge.mjs).
// The parent kills this whole process when a test overruns its wall time or memory (isolated-vm's own
// timeout does not stop promise chains and its memory limit is soft), so nothing here has to be trusted
// to stop.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadIvm } from './ivm.mjs';
import { Bridge } from './bridge.mjs';

const ivm = loadIvm(); // this Node's isolated-vm line

const source = (f) => readFileSync(new URL(f, import.meta.url), 'utf8');
const ASSERT = source('./assert.js');
const PRELUDE = `${ASSERT}\n${source('./prelude.js')}`;
const CHECKER = `${ASSERT}\n${source('./checker.js')}`;
// the checker holds the tests' values and copies of the program's: room for the program's whole heap, so a
// program cannot make the checker (rather than itself) run out of memory
const checkerMemoryMb = (programMb) => Math.max(128, programMb + 64);
let job = null; // { id, iso, prelude, script, compileError }
let checkerIso = null; // { iso, mb, script }: one isolate for every test's checker context; the program never touches it

function dispose() {
  if (job && !job.iso.isDisposed) job.iso.dispose();
  job = null;
}

/** The job's isolate with prelude and program compiled; recreated after a memory-limit disposal. */
function isolateFor(msg) {
  if (job && job.id === msg.id && !job.iso.isDisposed) return job;
  dispose();
  const iso = new ivm.Isolate({ memoryLimit: Math.max(8, msg.memoryMb) });
  const prelude = iso.compileScriptSync(PRELUDE, { filename: 'prelude.js' });
  let script = null;
  let compileError = null;
  try {
    script = iso.compileScriptSync(msg.code, { filename: 'main.js' });
  } catch (e) {
    compileError = String(e && e.message).slice(0, 300);
  }
  job = { id: msg.id, iso, prelude, script, compileError };
  return job;
}

// The checker's requests go to the test being run (a context is prepared before its test arrives).
let serveCurrent = () => ({ t: 'abort', message: 'no program' });
let spare = null; // a checker context with checker.js run, made while idle: { ctx, iso }

/** The checker isolate for a program of `programMb` (recreated when a bigger one is needed). */
function checkerIsolate(programMb) {
  const mb = checkerMemoryMb(programMb);
  if (checkerIso && !checkerIso.iso.isDisposed && checkerIso.mb < mb) checkerIso.iso.dispose();
  if (!checkerIso || checkerIso.iso.isDisposed) {
    const iso = new ivm.Isolate({ memoryLimit: mb });
    checkerIso = { iso, mb, script: iso.compileScriptSync(CHECKER, { filename: 'checker.js' }) };
  }
  return checkerIso;
}

function freshChecker(c) {
  const ctx = c.iso.createContextSync();
  ctx.global.setSync('__r1_host', new ivm.Callback((...a) => serveCurrent(...a)));
  c.script.runSync(ctx, { timeout: 1000 });
  return { ctx, iso: c.iso };
}

/** Makes the next test's checker context ahead, off the latency path. */
function prepareSpare() {
  setImmediate(() => {
    try {
      if (!spare && checkerIso && !checkerIso.iso.isDisposed) spare = freshChecker(checkerIso);
    } catch {
      spare = null;
    }
  });
}

/**
 * A fresh checker context with the tests compiled, or why they do not compile. `serve` answers its
 * requests about the program (set once the program has run).
 */
function checkerFor(t, serve, programMb) {
  const c = checkerIsolate(programMb);
  const fresh = spare && spare.iso === c.iso && !c.iso.isDisposed ? spare : freshChecker(c);
  spare = null;
  serveCurrent = serve;
  const bad = fresh.ctx.evalSync(`__r1c.prepare(${JSON.stringify(t.src)}, ${JSON.stringify(t.entry ?? '')})`, { timeout: 1000 });
  return { ctx: fresh.ctx, bad: String(bad) };
}

/** Runs the tests in the checker: the verdict string (`passed`, `wrong_answer:…`), or a verdict when the checker itself failed. */
function runChecker(ctx, left) {
  try {
    let r = String(ctx.evalSync('__r1c.run()', { timeout: left() }));
    if (r === 'pending') r = String(ctx.evalSync('__r1c.outcome()', { timeout: 50 }));
    return r;
  } catch (e) {
    const m = String((e && e.message) || e);
    if (checkerIso.iso.isDisposed) return { verdict: 'sandbox_error', message: `the test code ran out of the checker's ${checkerIso.mb} MB` };
    if (/Script execution timed out/.test(m)) return { verdict: 'timeout', message: 'time limit exceeded' };
    return { verdict: 'runtime_error', message: m.slice(0, 300) };
  }
}

/** Only compiles the tests (the program did not even transpile): `bad_tests`, or nothing to say. */
function parseOnly(t, programMb) {
  const checker = checkerFor(t, () => ({ t: 'abort', message: 'no program' }), programMb);
  checker.ctx.release();
  prepareSpare();
  return checker.bad ? { verdict: 'bad_tests', message: checker.bad } : { verdict: null };
}

function classify(e, iso) {
  const m = String((e && e.message) || e);
  if (iso.isDisposed || /memory limit|Array buffer allocation failed|Invalid (typed )?array length|allocation failed/i.test(m)) {
    return { verdict: 'memory_limit', message: m.slice(0, 300) };
  }
  if (/Script execution timed out/.test(m)) return { verdict: 'timeout', message: 'time limit exceeded' };
  return { verdict: 'runtime_error', message: m.slice(0, 300) };
}

async function runTest(msg) {
  if (msg.test.kind === 'parse') return parseOnly(msg.test, msg.memoryMb);
  const j = isolateFor(msg);
  const t0 = performance.now();
  const left = () => Math.max(1, Math.round(msg.timeMs - (performance.now() - t0)));
  const ctx = j.iso.createContextSync();
  let checker = null;
  let bridge = null;
  try {
    const t = msg.test;
    // a task whose tests do not compile is the task's fault, whatever the program does
    if (t.kind === 'test') {
      checker = checkerFor(t, (...a) => (bridge ? bridge.serve(...a) : { t: 'abort', message: 'the program is not loaded' }), msg.memoryMb);
      if (checker.bad) return { verdict: 'bad_tests', message: checker.bad };
    }
    if (j.compileError) return { verdict: 'compile_error', message: j.compileError };
    ctx.global.setSync('__r1_cfg', JSON.stringify({ stdin: t.stdin ?? '', outputBytes: msg.outputBytes }));
    j.prelude.runSync(ctx, { timeout: left() });
    let mainError = null;
    try {
      j.script.runSync(ctx, { timeout: left() });
      if (t.kind === 'io') ctx.evalSync('__r1.drain()', { timeout: left() });
    } catch (e) {
      mainError = e;
    }
    const exited = j.iso.isDisposed ? null : ctx.evalSync('__r1.exited()', { timeout: 50 });
    if (!j.iso.isDisposed && ctx.evalSync('__r1.overflow()', { timeout: 50 })) return { verdict: 'output_limit', message: 'output limit exceeded' };
    if (mainError && exited === null) return classify(mainError, j.iso);
    if (t.kind === 'io') {
      const stdout = ctx.evalSync('__r1.output()', { timeout: 1000 });
      if (exited) return { verdict: 'runtime_error', message: `process.exit(${exited})`, stdout };
      return { verdict: null, stdout };
    }
    if (exited !== null) return { verdict: 'runtime_error', message: `process.exit(${exited}) while loading` };
    bridge = new Bridge(ctx, j.iso, left);
    if (t.kind === 'call') return bridge.callTest(t.call, t.argsJson);
    const r = runChecker(checker.ctx, left);
    if (bridge.failure) return bridge.failure;
    if (typeof r !== 'string') return r;
    if (!j.iso.isDisposed && ctx.evalSync('__r1.exited()', { timeout: 50 }) !== null) return { verdict: 'runtime_error', message: 'process.exit() called during the tests' };
    const k = r.indexOf(':');
    const verdict = k < 0 ? r : r.slice(0, k);
    if (verdict === 'abort') return { verdict: 'runtime_error', message: r.slice(k + 1) };
    return k < 0 ? { verdict } : { verdict, message: r.slice(k + 1) };
  } catch (e) {
    return classify(e, j.iso);
  } finally {
    if (!j.iso.isDisposed) ctx.release();
    if (j.iso.isDisposed) job = null;
    if (checker && !checkerIso.iso.isDisposed) checker.ctx.release();
    if (checker) prepareSpare();
  }
}

process.on('message', (msg) => {
  const t0 = performance.now();
  runTest(msg).then(
    (r) => process.send({ seq: msg.seq, ...r, timeMs: Math.round((performance.now() - t0) * 1000) / 1000 }),
    (e) => process.send({ seq: msg.seq, verdict: 'sandbox_error', message: String(e && e.message) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });

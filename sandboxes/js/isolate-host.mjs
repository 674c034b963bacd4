// Child process that runs candidate JavaScript in isolated-vm, one test per message. The parent kills
// this whole process when a test overruns its wall time or memory (isolated-vm's own timeout does not
// stop promise chains and its memory limit is soft), so nothing here has to be trusted to stop.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadIvm } from './ivm.mjs';

const ivm = loadIvm(); // this Node's isolated-vm line
const PRELUDE = readFileSync(new URL('./prelude.js', import.meta.url), 'utf8');
let job = null; // { id, iso, prelude, script, memoryMb }

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

function classify(e, iso) {
  const m = String((e && e.message) || e);
  if (iso.isDisposed || /memory limit|Array buffer allocation failed|Invalid (typed )?array length|allocation failed/i.test(m)) {
    return { verdict: 'memory_limit', message: m.slice(0, 300) };
  }
  if (/Script execution timed out/.test(m)) return { verdict: 'timeout', message: 'time limit exceeded' };
  return { verdict: 'runtime_error', message: m.slice(0, 300) };
}

async function runTest(msg) {
  const j = isolateFor(msg);
  if (j.compileError) return { verdict: 'compile_error', message: j.compileError };
  const t0 = performance.now();
  const left = () => Math.max(1, Math.round(msg.timeMs - (performance.now() - t0)));
  const ctx = j.iso.createContextSync();
  try {
    const t = msg.test;
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
    if (t.kind === 'call') {
      const value = await ctx.eval(`__r1.call(${JSON.stringify(t.call)}, ${JSON.stringify(t.argsJson)})`, { timeout: left(), promise: true });
      return { verdict: null, value: String(value) };
    }
    const r = String(ctx.evalSync(`__r1.test(${JSON.stringify(t.src)}, ${JSON.stringify(t.entry ?? '')})`, { timeout: left() }));
    const k = r.indexOf(':');
    return k < 0 ? { verdict: r } : { verdict: r.slice(0, k), message: r.slice(k + 1) };
  } catch (e) {
    return classify(e, j.iso);
  } finally {
    if (!j.iso.isDisposed) ctx.release();
    if (j.iso.isDisposed) job = null;
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

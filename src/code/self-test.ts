// Can this host run sandboxed code at all? One tiny Python program through the launcher and bubblewrap,
// then one test of each kind through a slot's warm runner (the path every rollout takes).
// It fails where every Python/C++ rollout would be a sandbox_error: the launcher cannot drop to the slot
// uid (no CAP_SETUID: file capabilities missing, or no_new_privs), user namespaces are forbidden (seccomp
// profile, sysctl), bubblewrap or python3 is missing. The verifier's ready() reports it, so /readyz and
// gRPC health take such a replica out of service instead of letting it answer sandbox_error.
import { performance } from 'node:perf_hooks';
import { PYTHON } from './python-env.js';
import { runPythonUnitsWarm } from './python.js';
import { runSandboxed } from './sandbox.js';
import { runWarm } from './warm.js';
import type { WarmSandboxes } from './warm-sandbox.js';

const TOKEN = 'r1-sandbox-ok';

let warnedIpc = false;

/** One sandboxed `python3 -c print(TOKEN)` as `uid`: undefined when it works, else why not. Also warns
 * (once) when the run's SysV shared memory is not capped (the launcher lacks CAP_SYS_ADMIN). */
export async function sandboxSelfTest(uid: number): Promise<string | undefined> {
  const r = await runSandboxed({
    argv: ['/usr/bin/python3', '-c', `print(${JSON.stringify(TOKEN)})\nprint(open("/proc/sys/kernel/shmall").read().strip())`],
    binds: [],
    stdin: '',
    uid,
    limits: { wallMs: 10_000, cpuS: 5, memoryMb: 256, nproc: 16, fileMb: 1, tmpMb: 1, outputBytes: 4096 },
  });
  if (r.spawnError) return `sandbox self-test failed: ${r.spawnError}`;
  const [token, shmall] = r.stdout.toString().trim().split('\n');
  if (r.exitCode === 0 && token === TOKEN) {
    // capped: shmall = the /dev/shm size in pages (16 MiB); a fresh uncapped namespace allows ~2^64 bytes
    if (Number(shmall) > 1 << 20 && !warnedIpc) {
      warnedIpc = true;
      process.emitWarning('sandbox SysV shared memory is not capped (the launcher has no CAP_SYS_ADMIN for its IPC namespace); /dev/shm and /tmp still are', 'R1SandboxIpc');
    }
    return undefined;
  }
  return `sandbox self-test failed (exit ${r.exitCode ?? r.signal}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim().slice(0, 500) || 'no output'}`;
}

/**
 * The serving path itself, in the slot's long-lived sandbox (started here, so the first rollout finds it
 * warm): one stdin/stdout test and one assertion test through the warm runner. It fails where the runner
 * cannot start or serve (byte code it cannot load, no splice) although plain sandboxed code runs.
 */
export async function warmSelfTest(uid: number, boxes: WarmSandboxes): Promise<string | undefined> {
  const limits = { wallMs: 10_000, cpuS: 5, memoryMb: 256, nproc: 16, fileMb: 1, stackMb: 16, outputBytes: 4096 };
  const io = await runWarm({ mode: 'python', python: PYTHON, program: 'print(input())', stdins: [`${TOKEN}\n`], limits, earlyStop: false, uid, boxes }, (_, r) => r);
  const r = io.results[0];
  if (!r || r.spawnError || r.exitCode !== 0 || r.stdout.toString().trim() !== TOKEN) {
    const why = r?.spawnError ?? (r?.timedOut ? 'timed out' : `exit ${r?.exitCode ?? r?.signal}: ${r?.stderr.trim().slice(0, 300) || 'no output'}`);
    return `warm runner self-test failed: ${why}`;
  }
  const units = await runPythonUnitsWarm({ program: 'def f():\n    return 1', test_code: 'assert f() == 1' }, { timeMs: 5000, memoryMb: 256, outputBytes: 1 << 16 }, uid, boxes);
  const u = units.units[0];
  if (u?.verdict !== 'passed') return `warm runner self-test failed: an assertion test gave ${u?.verdict ?? 'nothing'}${u?.message ? `: ${u.message}` : ''}`;
  return undefined;
}

/**
 * The self-test's state for a verifier's ready(): started by the first readiness check (the server polls
 * it from start-up), ready while it runs or after it passed, not ready after a failure, re-run at most
 * every `retryMs` while failing (a transient fault heals without a restart).
 */
export class SelfTestGate {
  private state: 'unknown' | 'running' | 'ok' | 'failed' = 'unknown';
  private lastRun = 0;
  /** why the last finished run failed; undefined before the first result and after a pass */
  error: string | undefined;

  constructor(
    private readonly test: () => Promise<string | undefined>,
    private readonly retryMs = 30_000,
  ) {}

  /** 'ok' once a run passed, 'failed' after a failed one ('unknown' before the first, 'running' during one) */
  get status(): 'unknown' | 'running' | 'ok' | 'failed' {
    return this.state;
  }

  ready(): boolean {
    if (this.state === 'unknown' || (this.state === 'failed' && performance.now() - this.lastRun >= this.retryMs)) this.run();
    // a re-run after a failure stays not ready until it passes
    return this.error === undefined;
  }

  private run(): void {
    const was = this.state;
    this.state = 'running';
    this.lastRun = performance.now();
    this.test().then(
      (err) => this.settle(err, was),
      (e: unknown) => this.settle((e as Error).message ?? String(e), was),
    );
  }

  private settle(err: string | undefined, was: string): void {
    this.error = err; // read by ready()
    this.state = err === undefined ? 'ok' : 'failed';
    if (err !== undefined && was !== 'failed') process.emitWarning(`code verifier not ready: ${err}`, 'R1SandboxSelfTest');
  }
}

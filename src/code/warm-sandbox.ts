// A slot's long-lived sandbox: one bubblewrap sandbox whose trusted pid 1 (sandboxes/python/runner.py)
// serves job after job over its stdin, each job one rollout. Between tests, and so between rollouts,
// the runner kills every process the last test left and empties /tmp, /dev/shm and SysV IPC, so a
// rollout starts as clean as in a fresh sandbox without paying for one (launcher, bubblewrap, and an
// interpreter start with the checker's imports: ~20 ms of CPU). A job that misses its deadline, is
// cancelled, or finds the runner gone ends the sandbox (its uid swept); the next job starts a new one.
import { readFileSync } from 'node:fs';
import { harnessPath, runnerPath } from './artifacts.js';
import { PYTHON_ENV } from './python-env.js';
import { FrameReader, type Frame } from './runner-wire.js';
import { INIT, initCopy, runSandboxed, type SandboxControl, type SandboxFile, type SandboxLimits, type SandboxResult } from './sandbox.js';

/** The sandbox's own bounds; every child sets its own, lower ones (see runner.py limits_in_child). */
export const SLOT_SANDBOX_LIMITS: SandboxLimits = {
  wallMs: 0,
  cpuS: 0,
  memoryMb: 0,
  nproc: 72, // the C++ compile's 64, plus the runner and bubblewrap
  fileMb: 256,
  tmpMb: 256, // the C++ compiler's temporary files and output
  stackMb: 256, // hard limits only go down inside: the largest a test may get
  outputBytes: 1 << 20, // the runner's own stdout/stderr (children have their own pipes)
};

const bytes = new Map<string, Buffer>();
function fileOf(p: string): Buffer {
  let b = bytes.get(p);
  if (!b) bytes.set(p, (b = readFileSync(p)));
  return b;
}

/** The byte-compiled runner and checker, as the sandbox's read-only /box (throws when they cannot be built). */
export function runnerFiles(python: string): SandboxFile[] {
  return [
    { dest: '/box/runner.pyc', data: fileOf(runnerPath(python)) },
    { dest: '/box/harness.pyc', data: fileOf(harnessPath(python)) },
    { dest: INIT, data: initCopy(), exec: true }, // exec'd children start through the launcher's --exec
  ];
}

/** How a job ended: the runner said it was done, or the sandbox ended first (`end` says how). */
export type JobEnd = { done: true } | { done: false; end: SandboxResult; fresh: boolean };

export class WarmSandbox {
  private ctl: SandboxControl | undefined;
  private readonly ended: Promise<SandboxResult>;
  private exit: SandboxResult | undefined;
  private onFrame: ((f: Frame) => void) | undefined;
  private onDone: (() => void) | undefined;
  /** jobs sent so far */
  jobs = 0;
  /** host pids of the launcher and of the runner (pid 1 inside), once known */
  readonly pids: { launcher?: number; runner?: number } = {};

  /** `preload`: the runner loads the checker's code at start (a sandbox serving many jobs), not on the
   * first assertion job (a sandbox for one rollout) */
  constructor(
    readonly uid: number,
    python: string,
    preload = true,
  ) {
    const reader = new FrameReader((head, stdout, stderr) => (head.done ? this.onDone?.() : this.onFrame?.({ head, stdout, stderr })));
    this.ended = runSandboxed({
      argv: [python, '-I', '-S', '/box/runner.pyc', ...(preload ? ['--preload'] : [])],
      binds: [],
      files: runnerFiles(python),
      env: PYTHON_ENV,
      stdin: '',
      limits: SLOT_SANDBOX_LIMITS,
      uid,
      resultPipe: true,
      onResult: (chunk) => reader.push(chunk),
      asPid1: true,
      control: (c) => (this.ctl = c),
      onPids: (p) => Object.assign(this.pids, p),
    }).then((r) => {
      this.exit = r;
      this.onDone?.();
      return r;
    });
    this.ctl?.unref(); // an idle sandbox never keeps the service (or a CLI run) alive
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /**
   * Sends one job (its marshal'd head, then any bytes the runner passes on unread) and hands each frame
   * to `onFrame` until the runner says done. Past `wallMs`, or when `signal` aborts, the sandbox is killed.
   */
  run(job: Buffer[], onFrame: (f: Frame) => void, wallMs: number, signal?: AbortSignal): Promise<JobEnd> {
    const fresh = this.jobs === 0;
    this.jobs++;
    return new Promise<JobEnd>((resolve) => {
      const ctl = this.ctl;
      // never started (the command could not be built): its end is already on the way
      if (!ctl) return void this.ended.then(() => resolve({ done: false, end: this.exit!, fresh }));
      const kill = () => ctl.kill();
      const timer = setTimeout(kill, wallMs);
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', kill);
        this.onFrame = undefined;
        this.onDone = undefined;
        resolve(this.exit ? { done: false, end: this.exit, fresh } : { done: true });
      };
      if (this.exit) return finish();
      this.onFrame = onFrame;
      this.onDone = finish;
      if (signal?.aborted) kill();
      else signal?.addEventListener('abort', kill, { once: true });
      for (const b of job) ctl.write(b);
    });
  }

  /** Ends the runner (EOF on its job channel), and kills it if it does not end within `graceMs`. */
  async close(graceMs = 2000): Promise<SandboxResult> {
    this.ctl?.end();
    const t = setTimeout(() => this.ctl?.kill(), graceMs);
    const r = await this.ended;
    clearTimeout(t);
    return r;
  }
}

/** Jobs a slot sandbox serves before it is replaced: a bound on whatever a long-lived interpreter
 * accumulates (heap fragmentation makes every fork copy more), at a start per this many rollouts. */
export const MAX_JOBS_PER_SANDBOX = 10_000;

/** The long-lived sandboxes of a verifier's slots, one per slot uid, started on first use. */
export class WarmSandboxes {
  private readonly boxes = new Map<number, WarmSandbox>();

  constructor(
    private readonly python: string,
    private readonly maxJobs = MAX_JOBS_PER_SANDBOX,
  ) {}

  /** The slot's sandbox (the caller holds the slot); a new one when there is none, the last one ended, or
   * it served its jobs (closed first: its launcher's last act is to kill every process of the uid). */
  async get(uid: number): Promise<WarmSandbox> {
    let box = this.boxes.get(uid);
    if (box?.alive && box.jobs >= this.maxJobs) await box.close();
    if (!box?.alive) this.boxes.set(uid, (box = new WarmSandbox(uid, this.python)));
    return box;
  }

  /** host pids of the live sandboxes' own processes (launcher, bubblewrap, runner): what an idle slot
   * keeps running, for tests that look for leftovers and benchmarks that read the runners' CPU */
  pids(): { launcher: number; bwrap: number; runner: number }[] {
    const out: { launcher: number; bwrap: number; runner: number }[] = [];
    for (const b of this.boxes.values()) {
      const { launcher, runner } = b.pids;
      if (!b.alive || launcher === undefined || runner === undefined) continue;
      try {
        const bwrap = Number(readFileSync(`/proc/${runner}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
        out.push({ launcher, bwrap, runner });
      } catch {
        /* ended meanwhile */
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const all = [...this.boxes.values()];
    this.boxes.clear();
    await Promise.all(all.map((b) => b.close()));
  }
}

// The OS sandbox for Python and C++: bubblewrap started under a per-slot non-root uid with rlimits.
// Own user/pid/net/ipc/uts/cgroup namespaces (no network at all), read-only /usr, no /etc or host files,
// a scrubbed environment. The only writable places are two size-capped tmpfs, /tmp and /dev/shm; /dev is
// a read-only tmpfs with the usual device nodes, and SysV shared memory is capped by the launcher's IPC
// namespace. Program files enter as copies (bwrap --ro-bind-data), so no host path shows in the
// sandbox's /proc/self/mountinfo. The sandbox's pid 1 is trusted: our init (r1-launch --init) or the
// Python harness; nothing inside can signal it, so its death is an infrastructure fault.
// Cancelling or timing out a run sends SIGTERM to the launcher, which kills every process of the slot
// uid and exits; a run whose processes cannot be reclaimed marks its uid lost (readiness goes red).
// stdout/stderr/result pipes are drained continuously and capped.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { launcherPath } from './artifacts.js';

export interface Bind {
  src: string;
  dest: string;
  /** writable (C++ compile output); default read-only */
  rw?: boolean;
}

/** A file copied into the sandbox (read-only), e.g. the program or the harness. */
export interface SandboxFile {
  dest: string;
  data: string | Buffer;
  /** executable (a compiled program) */
  exec?: boolean;
}

export interface SandboxLimits {
  wallMs: number;
  /** 0: unlimited (long-lived hosts) */
  cpuS: number;
  /** address-space limit; 0: unlimited (V8 reserves far more address space than it uses) */
  memoryMb: number;
  /** processes + threads of the slot uid */
  nproc: number;
  fileMb: number;
  tmpMb: number;
  /** RLIMIT_STACK; also the default thread stack size, so kept small for threaded runtimes */
  stackMb?: number;
  /** /dev/shm size and the SysV shared-memory total (default 16 MB) */
  shmMb?: number;
  /** cap on stdout, on stderr and on the result pipe, each */
  outputBytes: number;
}

export interface SandboxRun {
  argv: string[];
  binds: Bind[];
  /** files copied in (read-only); their directories are created on the sandbox's read-only root */
  files?: SandboxFile[];
  stdin: string | Buffer;
  limits: SandboxLimits;
  /** outside uid/gid the run gets (non-root, so RLIMIT_NPROC applies) */
  uid: number;
  /** open fd 3 in the sandbox as a result pipe to the host */
  resultPipe?: boolean;
  /** take the result pipe's data as it comes (nothing is kept, nor capped: the trusted writer bounds it) */
  onResult?: (chunk: Buffer) => void;
  cwd?: string;
  /** extra environment variables inside (the environment is otherwise scrubbed) */
  env?: Record<string, string>;
  /** the command is pid 1 of its namespace itself instead of running under our init. Only for a trusted
   * command (the Python harness, the isolate host): its death by a signal is an infrastructure fault. */
  asPid1?: boolean;
  signal?: AbortSignal;
  /** a long-lived sandbox: stdin stays open after `stdin` and `control` gets the means to feed it, end it,
   * kill the run, or let it not keep this process alive; `limits.wallMs` 0 sets no deadline */
  control?: (c: SandboxControl) => void;
  /** told the host pids of the launcher and, once bubblewrap reports it, of the sandbox's pid 1 */
  onPids?: (p: { launcher?: number; runner?: number }) => void;
}

export interface SandboxControl {
  write(data: Buffer): void;
  /** closes stdin (a runner serving jobs then exits) */
  end(): void;
  /** ends the run as a timeout does */
  kill(): void;
  /** the run no longer keeps the event loop alive */
  unref(): void;
}

export interface SandboxResult {
  exitCode: number | null;
  /** signal that ended the process inside (exit status 128+n reported by bwrap), or the host's kill */
  signal: string | null;
  timedOut: boolean;
  outputLimit: boolean;
  stdout: Buffer;
  stderr: string;
  result: Buffer;
  wallMs: number;
  /** the sandbox could not be started, or its infrastructure was killed (never the candidate's fault) */
  spawnError?: string;
  /** peak resident memory of the program (init's wait4), else of the whole run (the launcher's) */
  maxRssKb?: number;
}

const SIGNALS: Record<number, string> = { 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 24: 'SIGXCPU', 25: 'SIGXFSZ', 8: 'SIGFPE', 7: 'SIGBUS', 15: 'SIGTERM' };
export const signalName = (n: number): string => SIGNALS[n] ?? `SIG${n}`;

/** Process-wide sandbox settings (R1_BWRAP overrides the bubblewrap binary). */
export const sandboxSettings = { bwrap: process.env['R1_BWRAP'] ?? '/usr/bin/bwrap' };

// fds of the launcher: 3 result pipe, 4 bwrap's status, 5 the launcher's report, 6 init's report, 7.. files
const FD_REPORT = 5;
const FD_INIT = 6;
const FD_FILES = 7;
/** where our init lives inside the sandbox (a copy of the launcher binary) */
export const INIT = '/.r1/init';

let initBinary: Buffer | undefined;
/** The launcher binary, copied into sandboxes as their init (and the warm runner's exec helper). */
export function initCopy(): Buffer {
  initBinary ??= readFileSync(launcherPath());
  return initBinary;
}

const mb = (n: number) => String(Math.max(1, Math.floor(n)) * 1024 * 1024);

/** The files a run copies in: its own plus, unless the command is pid 1 itself, our init. */
function filesOf(run: SandboxRun): SandboxFile[] {
  const files = [...(run.files ?? [])];
  if (!run.asPid1) files.push({ dest: INIT, data: initCopy(), exec: true });
  return files;
}

/** The full command line: r1-launch (uid, rlimits, IPC limits, reaping) -> bwrap (namespaces) -> [init] -> argv. */
export function sandboxCommand(run: SandboxRun): string[] {
  const l = run.limits;
  const shm = l.shmMb ?? 16;
  const cmd = [
    launcherPath(),
    String(run.uid),
    l.memoryMb > 0 ? mb(l.memoryMb) : 'unlimited',
    l.cpuS > 0 ? String(Math.max(1, Math.ceil(l.cpuS))) : 'unlimited',
    String(l.nproc),
    mb(l.fileMb),
    mb(l.stackMb ?? 16),
    '256',
    `ipc=${mb(shm)}`,
    `report=${FD_REPORT}`,
    '--',
  ];
  cmd.push(
    sandboxSettings.bwrap,
    // every namespace but IPC: the launcher made a capped IPC namespace (or adds --unshare-ipc itself)
    '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--json-status-fd', '4',
    '--uid', '1000', '--gid', '1000',
    '--hostname', 'sandbox',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--symlink', 'usr/sbin', '/sbin',
    '--proc', '/proc',
    // /dev: a read-only tmpfs holding the usual nodes (bwrap's --dev is an uncapped writable tmpfs)
    '--tmpfs', '/dev',
  );
  for (const d of ['null', 'zero', 'full', 'random', 'urandom']) cmd.push('--dev-bind', `/dev/${d}`, `/dev/${d}`);
  cmd.push(
    '--symlink', '/proc/self/fd', '/dev/fd',
    '--symlink', '/proc/self/fd/0', '/dev/stdin',
    '--symlink', '/proc/self/fd/1', '/dev/stdout',
    '--symlink', '/proc/self/fd/2', '/dev/stderr',
    '--size', mb(shm), '--tmpfs', '/dev/shm',
    '--remount-ro', '/dev',
    '--size', mb(l.tmpMb), '--tmpfs', '/tmp',
    '--clearenv',
    '--setenv', 'PATH', '/usr/bin:/bin',
    '--setenv', 'HOME', '/tmp',
    '--setenv', 'LANG', 'C.UTF-8',
  );
  for (const [k, v] of Object.entries(run.env ?? {})) cmd.push('--setenv', k, v);
  cmd.push('--as-pid-1'); // our init, or the trusted command itself, is pid 1: no bwrap reaper in between
  for (const b of run.binds) cmd.push(b.rw ? '--bind' : '--ro-bind', b.src, b.dest);
  filesOf(run).forEach((f, i) => cmd.push('--perms', f.exec ? '0555' : '0444', '--ro-bind-data', String(FD_FILES + i), f.dest));
  cmd.push('--remount-ro', '/'); // bwrap's root is a tmpfs: only /tmp, /dev/shm (and a rw bind) stay writable
  cmd.push('--chdir', run.cwd ?? '/tmp', '--');
  if (!run.asPid1) cmd.push(INIT, '--init', String(FD_INIT), '--');
  cmd.push(...run.argv);
  return cmd;
}

/**
 * Uids whose processes could not be reclaimed after a run (a slot that must not be reused); the pool
 * skips them and readiness reports them. Entries clear themselves once a sweep finds the uid empty.
 */
export const lostUids = new Map<number, string>();

/** Kills every process of `uid` (the launcher's --sweep); true when none is left alive within a second
 * (killed processes take a moment to die: a pid namespace is torn down after its pid 1). */
export function sweepUid(uid: number): boolean {
  for (let i = 0; i < 20; i++) {
    try {
      spawnSync(launcherPath(), ['--sweep', String(uid)], { stdio: 'ignore', timeout: 5000 });
    } catch {
      /* launcher unavailable: report what is left below */
    }
    if (livePids(uid).length === 0) return true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  return false;
}

/** Host pids of `uid` that are still running (zombies are not: they hold nothing but a pid). */
export function livePids(uid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=,stat=', '-u', String(uid)], { encoding: 'utf8' });
  return (out.stdout ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] && !f[1]?.startsWith('Z'))
    .map((f) => Number(f[0]));
}

/** After a run that would not end: sweep its uid; if processes survive, the uid is lost and we say so. */
export function reclaim(uid: number, why: string): void {
  if (sweepUid(uid)) return;
  const reason = `sandbox uid ${uid} could not be reclaimed after ${why}`;
  if (!lostUids.has(uid)) process.emitWarning(reason, 'R1SandboxSlotLost');
  lostUids.set(uid, reason);
}

/** How long a run may take to end after the host killed it before its uid is swept and given up on. */
const END_GRACE_MS = 3000;

function parseEnd(line: string): { exitCode: number | null; signal: string | null; maxRssKb?: number } | null {
  const m = /^(exit|signal):(\d+)(?: maxrss_kb=(\d+))?/.exec(line.trim());
  if (!m) return null;
  const n = Number(m[2]);
  return {
    exitCode: m[1] === 'exit' ? n : null,
    signal: m[1] === 'signal' ? signalName(n) : null,
    ...(m[3] ? { maxRssKb: Number(m[3]) } : {}),
  };
}

/** Runs one sandboxed process to completion (or its deadline). Never throws. */
export function runSandboxed(run: SandboxRun): Promise<SandboxResult> {
  const t0 = performance.now();
  const cap = run.limits.outputBytes;
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const res: Buffer[] = [];
    const err: Buffer[] = [];
    let outN = 0;
    let resN = 0;
    let errN = 0;
    let timedOut = false;
    let outputLimit = false;
    let killed = false;
    let settled = false;
    let spawnError: string | undefined;
    let cmd: string[];
    let files: SandboxFile[];
    const empty = Buffer.alloc(0);
    try {
      cmd = sandboxCommand(run);
      files = filesOf(run);
    } catch (e) {
      // the launcher could not be built: an infrastructure fault, never the program's
      resolve({ exitCode: null, signal: null, timedOut: false, outputLimit: false, stdout: empty, stderr: '', result: empty, wallMs: 0, spawnError: `sandbox launcher unavailable: ${(e as Error).message}` });
      return;
    }
    const child = spawn(cmd[0]!, cmd.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe', run.resultPipe ? 'pipe' : 'ignore', 'pipe', 'pipe', run.asPid1 ? 'ignore' : 'pipe', ...files.map(() => 'pipe' as const)],
      env: {},
      detached: false,
    });
    if (child.pid) run.onPids?.({ launcher: child.pid });
    const stdio = child.stdio as unknown as (NodeJS.ReadableStream & NodeJS.WritableStream & { destroy(): void } | null)[];
    files.forEach((f, i) => {
      const w = stdio[FD_FILES + i];
      w?.on('error', () => undefined);
      w?.end(f.data);
    });
    // The launcher ends the run on SIGTERM in any state (it kills every process of the slot uid); killing
    // the sandbox's pid 1 as well (its host pid comes on bwrap's status fd) makes the common case quick.
    let innerPid = 0;
    let graceTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (settled) return;
      killed = true;
      try {
        if (innerPid > 0) process.kill(innerPid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      child.kill('SIGTERM');
      graceTimer ??= setTimeout(() => giveUp('a cancelled run did not end'), END_GRACE_MS);
    };
    const timer =
      run.limits.wallMs > 0
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, run.limits.wallMs)
        : undefined;
    const onAbort = () => {
      timedOut = true;
      kill();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const collect = (stream: NodeJS.ReadableStream | null | undefined, chunks: Buffer[], which: 'out' | 'err' | 'res') => {
      stream?.on('data', (b: Buffer) => {
        const n = which === 'out' ? (outN += b.length) : which === 'err' ? (errN += b.length) : (resN += b.length);
        if (n > cap) {
          outputLimit = true;
          kill();
          return;
        }
        chunks.push(b);
      });
      stream?.on('error', () => undefined);
    };
    collect(child.stdout, out, 'out');
    collect(child.stderr, err, 'err');
    if (run.resultPipe && run.onResult) {
      const pipe = child.stdio[3] as NodeJS.ReadableStream;
      pipe.on('data', run.onResult);
      pipe.on('error', () => undefined);
    } else if (run.resultPipe) collect(child.stdio[3] as NodeJS.ReadableStream, res, 'res');
    // bwrap's own status channel: the child was started at all (else the fault is ours, not the program's)
    let status = '';
    (child.stdio[4] as NodeJS.ReadableStream | null)?.on('data', (b: Buffer) => {
      if (status.length < 4096) status += b.toString('utf8');
      const m = /"child-pid":\s*(\d+)/.exec(status);
      if (m && !innerPid) {
        innerPid = Number(m[1]);
        run.onPids?.({ runner: innerPid });
        if (killed) kill();
      }
    });
    // trusted reports: the launcher's (how bwrap ended) and init's (how the program ended)
    let report = '';
    let initReport = '';
    stdio[FD_REPORT]?.on('data', (b: Buffer) => {
      if (report.length < 1024) report += b.toString('utf8');
    });
    stdio[FD_INIT]?.on('data', (b: Buffer) => {
      if (initReport.length < 1024) initReport += b.toString('utf8');
    });
    child.stdin?.on('error', () => undefined); // the program may exit without reading its input
    if (run.control) {
      if (run.stdin.length) child.stdin?.write(run.stdin);
      run.control({
        write: (data) => void child.stdin?.write(data),
        end: () => void child.stdin?.end(),
        kill: onAbort,
        unref: () => {
          child.unref();
          for (const s of child.stdio) (s as { unref?: () => void } | null)?.unref?.();
        },
      });
    } else child.stdin?.end(run.stdin);
    child.on('error', (e) => {
      spawnError = e.message;
    });
    // the launcher gone but its pipes still open: something of the run outlived it (it was killed from
    // outside); sweep the uid, and stop waiting for the pipes if that does not free them
    child.on('exit', () => {
      graceTimer ??= setTimeout(() => giveUp('its launcher ended'), END_GRACE_MS);
    });
    const giveUp = (why: string) => {
      if (settled) return;
      reclaim(run.uid, why);
      setTimeout(() => {
        if (settled) return;
        for (const s of stdio) s?.destroy();
        finish(null, 'SIGKILL', `sandbox run did not end (${why})`);
      }, 500);
    };
    const finish = (code: number | null, sig: NodeJS.Signals | null, fault?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      run.signal?.removeEventListener('abort', onAbort);
      const stderr = Buffer.concat(err).toString('utf8');
      const bwrapEnd = /bwrap=(exit|signal):(\d+)/.exec(report);
      const launcherRss = /maxrss_kb=(\d+)/.exec(report);
      const ours = killed || timedOut || outputLimit;
      // how the program ended: init's report when it ran under our init, else bwrap's exit status (128+n for a signal)
      let exitCode: number | null = code;
      let signal: string | null = sig;
      let maxRssKb: number | undefined = launcherRss ? Number(launcherRss[1]) : undefined;
      const end = run.asPid1 ? null : parseEnd(initReport);
      if (end) {
        ({ exitCode, signal } = end);
        if (end.maxRssKb !== undefined) maxRssKb = end.maxRssKb;
      } else if (code !== null && code > 128 && code < 160 && !sig) {
        signal = signalName(code - 128);
        exitCode = null;
      }
      const started = status.includes('"child-pid"');
      if (!spawnError && fault) spawnError = fault;
      if (!spawnError && !ours) {
        // who died: the launcher, bwrap, or our pid 1 (none of them can be signalled by the program)
        if (sig) spawnError = `sandbox launcher killed by ${sig}`;
        else if (bwrapEnd?.[1] === 'signal') spawnError = `bubblewrap killed by ${signalName(Number(bwrapEnd[2]))}`;
        else if (!started) spawnError = `sandbox did not start: ${stderr.trim().slice(0, 300)}`;
        else if (!run.asPid1 && !end && code !== 125) spawnError = `sandbox init ended without a report (${code !== null && code > 128 ? `killed by ${signalName(code - 128)}` : `exit ${code}`})`;
        else if (!run.asPid1 && code === 125) spawnError = `sandbox setup failed: ${stderr.trim().slice(0, 300)}`;
        else if (run.asPid1 && signal) spawnError = `sandbox pid 1 killed by ${signal}`;
      }
      resolve({
        exitCode,
        signal,
        timedOut,
        outputLimit,
        stdout: Buffer.concat(out),
        stderr: stderr.length > 4000 ? `${stderr.slice(0, 2000)}\n…\n${stderr.slice(-2000)}` : stderr,
        result: Buffer.concat(res),
        wallMs: Math.round((performance.now() - t0) * 1000) / 1000,
        ...(spawnError ? { spawnError } : {}),
        ...(maxRssKb !== undefined ? { maxRssKb } : {}),
      });
    };
    child.on('close', (code, sig) => finish(code, sig));
  });
}

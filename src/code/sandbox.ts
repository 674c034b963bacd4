// The OS sandbox for Python and C++: bubblewrap started under a per-slot non-root uid with rlimits.
// Own user/pid/net/ipc/uts/cgroup namespaces (no network at all), read-only /usr, a private size-capped
// tmpfs /tmp, no /etc or host files, a scrubbed environment. The host kills bwrap at the wall deadline;
// bwrap's pid-1 dies with it (--die-with-parent) and the kernel then kills every process left in the pid
// namespace, setsid'd daemons included. stdout/stderr/result pipes are drained continuously and capped.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { launcherPath } from './artifacts.js';

export interface Bind {
  src: string;
  dest: string;
  /** writable (C++ compile output); default read-only */
  rw?: boolean;
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
  /** cap on stdout, on stderr and on the result pipe, each */
  outputBytes: number;
}

export interface SandboxRun {
  argv: string[];
  binds: Bind[];
  stdin: string | Buffer;
  limits: SandboxLimits;
  /** outside uid/gid the run gets (non-root, so RLIMIT_NPROC applies) */
  uid: number;
  /** open fd 3 in the sandbox as a result pipe to the host */
  resultPipe?: boolean;
  cwd?: string;
  /** extra environment variables inside (the environment is otherwise scrubbed) */
  env?: Record<string, string>;
  /** the command is pid 1 of its namespace (no bwrap reaper); bwrap's child-pid is then the command's */
  asPid1?: boolean;
  signal?: AbortSignal;
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
  /** the sandbox could not be started (never the candidate's fault) */
  spawnError?: string;
}

const SIGNALS: Record<number, string> = { 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 24: 'SIGXCPU', 25: 'SIGXFSZ', 8: 'SIGFPE', 7: 'SIGBUS', 15: 'SIGTERM' };

/** Process-wide sandbox settings (R1_BWRAP overrides the bubblewrap binary). */
export const sandboxSettings = { bwrap: process.env['R1_BWRAP'] ?? '/usr/bin/bwrap' };

/** The full command line: r1-launch (uid, rlimits, reaping) -> bwrap (namespaces) -> argv. */
export function sandboxCommand(run: SandboxRun): string[] {
  const l = run.limits;
  const mb = (n: number) => String(Math.max(1, Math.floor(n)) * 1024 * 1024);
  const cmd = [
    launcherPath(),
    String(run.uid),
    l.memoryMb > 0 ? mb(l.memoryMb) : 'unlimited',
    l.cpuS > 0 ? String(Math.max(1, Math.ceil(l.cpuS))) : 'unlimited',
    String(l.nproc),
    mb(l.fileMb),
    mb(l.stackMb ?? 16),
    '256',
    '--',
  ];
  cmd.push(
    sandboxSettings.bwrap,
    '--unshare-all',
    '--unshare-user',
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
    '--dev', '/dev',
    '--size', mb(l.tmpMb), '--tmpfs', '/tmp',
    '--clearenv',
    '--setenv', 'PATH', '/usr/bin:/bin',
    '--setenv', 'HOME', '/tmp',
    '--setenv', 'LANG', 'C.UTF-8',
    '--setenv', 'PYTHONDONTWRITEBYTECODE', '1',
    '--setenv', 'PYTHONIOENCODING', 'utf-8',
  );
  for (const [k, v] of Object.entries(run.env ?? {})) cmd.push('--setenv', k, v);
  if (run.asPid1) cmd.push('--as-pid-1');
  for (const b of run.binds) cmd.push(b.rw ? '--bind' : '--ro-bind', b.src, b.dest);
  cmd.push('--remount-ro', '/'); // bwrap's root is a tmpfs: only /tmp (and a rw bind) stay writable
  cmd.push('--chdir', run.cwd ?? '/tmp', '--', ...run.argv);
  return cmd;
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
    let settled = false;
    let spawnError: string | undefined;
    let cmd: string[];
    try {
      cmd = sandboxCommand(run);
    } catch (e) {
      // the launcher could not be built: an infrastructure fault, never the program's
      const empty = Buffer.alloc(0);
      resolve({ exitCode: null, signal: null, timedOut: false, outputLimit: false, stdout: empty, stderr: '', result: empty, wallMs: 0, spawnError: `sandbox launcher unavailable: ${(e as Error).message}` });
      return;
    }
    const child = spawn(cmd[0]!, cmd.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe', run.resultPipe ? 'pipe' : 'ignore', 'pipe'],
      env: {},
      detached: false,
    });
    // Kill the sandbox's pid-1 (bwrap's child, whose host pid bwrap reports on its status fd): the kernel
    // then kills the whole pid namespace and the outer bwrap reaps it. Killing the outer bwrap instead
    // would leave that pid-1 to be reaped by the machine's init, which in a container may never happen.
    let innerPid = 0;
    const kill = () => {
      try {
        if (innerPid > 0 && child.exitCode === null && !settled) process.kill(innerPid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, run.limits.wallMs);
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
    if (run.resultPipe) collect(child.stdio[3] as NodeJS.ReadableStream, res, 'res');
    // bwrap's own status channel: the child was started at all (else the fault is ours, not the program's)
    let status = '';
    (child.stdio[4] as NodeJS.ReadableStream | null)?.on('data', (b: Buffer) => {
      if (status.length < 4096) status += b.toString('utf8');
      const m = /"child-pid":\s*(\d+)/.exec(status);
      if (m && !innerPid) {
        innerPid = Number(m[1]);
        if (timedOut || outputLimit) kill();
      }
    });
    child.stdin?.on('error', () => undefined); // the program may exit without reading its input
    child.stdin?.end(run.stdin);
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, sig) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      const stderr = Buffer.concat(err).toString('utf8');
      // bwrap reports a child killed by signal n as exit status 128+n
      let signal: string | null = sig;
      let exitCode = code;
      if (code !== null && code > 128 && code < 160 && !sig) {
        signal = SIGNALS[code - 128] ?? `SIG${code - 128}`;
        exitCode = null;
      }
      if (!spawnError && !timedOut && !status.includes('"child-pid"')) spawnError = `sandbox did not start: ${stderr.trim().slice(0, 300)}`;
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
      });
    });
  });
}

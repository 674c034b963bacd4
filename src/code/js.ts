// JavaScript/TypeScript: each pool slot owns a child process running isolated-vm (sandboxes/js/isolate-host.mjs).
// One test per message; the parent enforces the wall time and a resident-memory cap from outside and
// SIGKILLs the child on overrun, then starts a fresh one. TypeScript is transpiled with esbuild first.
import { spawn, type ChildProcess } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { ivmPackageDir } from '../../sandboxes/js/ivm.mjs';
import type { ExecLimits } from './io-run.js';
import { sandboxCommand, type Bind } from './sandbox.js';
import type { Verdict } from './types.js';

const HOST = fileURLToPath(new URL('../../sandboxes/js/isolate-host.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The Node that runs the service runs the host too: isolated-vm is built for that Node's ABI.
const NODE = realpathSync(process.env['R1_NODE'] ?? process.execPath);

/** What the isolate host needs to see: the package, and isolated-vm and Node where they live elsewhere (read-only). */
function hostBinds(): Bind[] {
  const binds: Bind[] = [{ src: ROOT, dest: ROOT }];
  const outside = (dir: string) => !`${dir}/`.startsWith(ROOT) && !`${dir}/`.startsWith('/usr/');
  // isolated-vm's node_modules (it resolves its own dependencies there), e.g. hoisted by a parent project
  const ivm = ivmPackageDir(HOST);
  if (ivm && outside(path.dirname(ivm))) binds.push({ src: path.dirname(ivm), dest: path.dirname(ivm) });
  // the Node install (nvm, volta, an official tarball): bin/node and its lib/ (/usr is bound already)
  const prefix = path.dirname(path.dirname(NODE));
  if (outside(prefix)) binds.push({ src: prefix, dest: prefix });
  return binds;
}

export type JsTest =
  | { kind: 'io'; stdin: string }
  | { kind: 'call'; call: string; argsJson: string }
  | { kind: 'test'; src: string; entry?: string }
  /** only compile assertion tests (when the program itself did not transpile): `bad_tests` or nothing */
  | { kind: 'parse'; src: string; entry?: string };

export interface JsOutcome {
  /** null: ran normally (io: compare stdout; call: compare value) */
  verdict: Verdict | null;
  stdout?: string;
  /** wire JSON text of a call's result */
  value?: string;
  message?: string;
  timeMs: number;
}


/** TS -> JS (and JS module syntax -> a script): the program runs as a classic script so its declarations are globals. */
export async function toScript(code: string, language: 'javascript' | 'typescript'): Promise<{ code: string } | { error: string }> {
  try {
    const r = await transform(code, { loader: language === 'typescript' ? 'ts' : 'js', format: 'cjs', target: 'es2022', logLevel: 'silent' });
    return { code: r.code };
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { line: number } | null }[] }).errors;
    const first = errors?.[0];
    return { error: first ? `line ${first.location?.line ?? '?'}: ${first.text}` : String((e as Error).message).slice(0, 300) };
  }
}

class Child {
  proc: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private seq = 0;
  private pending: { seq: number; resolve: (m: Record<string, unknown>) => void } | null = null;

  constructor(private readonly uid: number) {}

  /** host pid of the isolate host (pid 1 of its sandbox), from bwrap's status fd */
  private innerPid = 0;

  // The isolate host itself runs sandboxed: non-root slot uid, no network, read-only files, its own pid
  // namespace. isolated-vm is the boundary for the program; this is the second wall behind it.
  private start(): Promise<void> {
    const cmd = sandboxCommand({
      argv: [NODE, '--no-node-snapshot', HOST],
      binds: hostBinds(),
      stdin: '',
      limits: { wallMs: 0, cpuS: 0, memoryMb: 0, nproc: 64, fileMb: 1, tmpMb: 16, outputBytes: 0, stackMb: 8 },
      uid: this.uid,
      env: { NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'json' },
      asPid1: true,
    });
    const proc = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'], env: {} });
    this.innerPid = 0;
    let status = '';
    (proc.stdio[4] as NodeJS.ReadableStream | null)?.on('data', (b: Buffer) => {
      status += b.toString('utf8');
      const m = /"child-pid":\s*(\d+)/.exec(status);
      if (m && !this.innerPid) this.innerPid = Number(m[1]);
    });
    proc.stderr?.resume();
    this.proc = proc;
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: Record<string, unknown>) => {
        if (m['ready']) {
          resolve();
          return;
        }
        if (this.pending && m['seq'] === this.pending.seq) {
          const p = this.pending;
          this.pending = null;
          p.resolve(m);
        }
      };
      proc.on('message', onMsg);
      proc.on('exit', () => {
        reject(new Error('isolate host exited'));
        if (this.proc === proc) {
          this.proc = null;
          this.ready = null;
        }
        const p = this.pending;
        this.pending = null;
        p?.resolve({ verdict: 'sandbox_error', message: 'isolate host exited' });
      });
      proc.on('error', (e) => reject(e));
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** Kills the sandbox's pid 1 (the whole namespace goes with it), else the launcher. */
  kill(): void {
    const proc = this.proc;
    if (!proc) return;
    try {
      if (this.innerPid > 0 && proc.exitCode === null) process.kill(this.innerPid, 'SIGKILL');
      else proc.kill('SIGKILL');
    } catch {
      proc.kill('SIGKILL');
    }
  }

  async run(msg: Record<string, unknown>, l: ExecLimits, signal?: AbortSignal): Promise<JsOutcome> {
    if (!this.proc || !this.ready) {
      try {
        void this.start();
      } catch (e) {
        return { verdict: 'sandbox_error', message: `isolate host could not start: ${(e as Error).message.slice(0, 200)}`, timeMs: 0 };
      }
    }
    try {
      await this.ready;
    } catch (e) {
      return { verdict: 'sandbox_error', message: `isolate host did not start: ${(e as Error).message}`, timeMs: 0 };
    }
    const proc = this.proc!;
    const seq = ++this.seq;
    const t0 = performance.now();
    let killedFor: Verdict | null = null;
    const rssCapKb = (200 + 3 * l.memoryMb) * 1024;
    const reply = new Promise<Record<string, unknown>>((resolve) => {
      this.pending = { seq, resolve };
    });
    const overrun = (v: Verdict) => {
      killedFor ??= v;
      this.kill();
    };
    // isolated-vm's timeout misses microtask floods and promise chains: the wall clock is enforced here
    const timer = setTimeout(() => overrun('timeout'), l.timeMs + 500);
    const memTimer = setInterval(() => {
      if (!this.innerPid) return;
      void readFile(`/proc/${this.innerPid}/status`, 'utf8').then(
        (s) => {
          const kb = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0);
          if (kb > rssCapKb) overrun('memory_limit');
        },
        () => undefined,
      );
    }, 50);
    const onAbort = () => overrun('timeout');
    signal?.addEventListener('abort', onAbort, { once: true });
    proc.send({ ...msg, seq, timeMs: l.timeMs, memoryMb: l.memoryMb, outputBytes: l.outputBytes });
    const m = await reply;
    clearTimeout(timer);
    clearInterval(memTimer);
    signal?.removeEventListener('abort', onAbort);
    const timeMs = Math.round((performance.now() - t0) * 1000) / 1000;
    if (killedFor) return { verdict: killedFor, message: killedFor === 'timeout' ? 'time limit exceeded (killed)' : 'memory limit exceeded (killed)', timeMs };
    return {
      verdict: (m['verdict'] as Verdict | null) ?? null,
      ...(typeof m['stdout'] === 'string' ? { stdout: m['stdout'] } : {}),
      ...(typeof m['value'] === 'string' ? { value: m['value'] } : {}),
      ...(typeof m['message'] === 'string' ? { message: m['message'] } : {}),
      timeMs,
    };
  }
}

/** One isolate host per pool slot. */
export class JsHosts {
  private readonly children: Child[];

  /** slot i's host runs as uid `baseUid + i` (a range apart from the Python/C++ sandboxes: RLIMIT_NPROC is per uid) */
  constructor(size: number, baseUid: number) {
    this.children = Array.from({ length: size }, (_, i) => new Child(baseUid + i));
  }

  /** Runs one test of program `jobId` in slot `slot`'s child (the caller holds the slot). */
  run(slot: number, jobId: string, code: string, test: JsTest, l: ExecLimits, signal?: AbortSignal): Promise<JsOutcome> {
    return this.children[slot]!.run({ id: jobId, code, test }, l, signal);
  }

  close(): void {
    for (const c of this.children) c.kill();
  }
}

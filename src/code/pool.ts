// Bounded concurrency for sandbox runs, shared by every test of every rollout. Each slot owns a distinct
// non-root uid, so RLIMIT_NPROC (counted per uid) is a per-run limit and runs cannot signal each other.
// A process's uids are a range of UID_SPAN from its base: slot i runs as base + i, its JavaScript
// isolate host as base + JS_UID_OFFSET + i. Instances and cluster workers on one host need ranges apart.
import os from 'node:os';
import { lostUids } from './sandbox.js';

export const DEFAULT_SANDBOX_UID_BASE = 61000;
/** isolate hosts run as pool uid + this offset (so at most this many slots) */
export const JS_UID_OFFSET = 500;
/** uids one process's code verifier uses; a cluster's worker i starts at base + i · UID_SPAN */
export const UID_SPAN = 1000;
const MAX_UID_BASE = 2 ** 31 - 1 - 64 * UID_SPAN;

/** The first sandbox uid of this process: `R1_SANDBOX_UID_BASE` (`--sandbox-uid-base`), else 61000. */
export function sandboxUidBase(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['R1_SANDBOX_UID_BASE'];
  if (raw === undefined || raw === '') return DEFAULT_SANDBOX_UID_BASE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1000 || n > MAX_UID_BASE) {
    throw new Error(`R1_SANDBOX_UID_BASE (--sandbox-uid-base) must be an integer uid from 1000 to ${MAX_UID_BASE}, got '${raw}'`);
  }
  return n;
}

export interface SlotPoolOptions {
  size?: number;
  /** first uid; slot i runs as baseUid + i */
  baseUid?: number;
}

export class SlotPool {
  readonly size: number;
  readonly baseUid: number;
  private readonly free: number[];
  private readonly waiters: ((slot: number) => void)[] = [];
  /** slots whose uid still had processes after a run (see sandbox.ts lostUids) */
  readonly lost = new Set<number>();

  constructor(opts: SlotPoolOptions = {}) {
    // at most JS_UID_OFFSET slots fit a process's uid range (a machine with more cores runs more workers)
    this.size = Math.min(JS_UID_OFFSET, Math.max(1, opts.size ?? os.availableParallelism()));
    this.baseUid = opts.baseUid ?? sandboxUidBase();
    this.free = Array.from({ length: this.size }, (_, i) => i);
  }

  uid(slot: number): number {
    return this.baseUid + slot;
  }

  /** Takes back lost slots whose uid is empty again (`empty` sweeps it); the reasons of those still lost. */
  reclaimLost(empty: (uid: number) => boolean): string[] {
    for (const slot of [...this.lost]) {
      if (!empty(this.uid(slot))) continue;
      lostUids.delete(this.uid(slot));
      this.lost.delete(slot);
      this.release(slot);
    }
    return [...this.lost].map((s) => lostUids.get(this.uid(s)) ?? `slot ${s} lost`);
  }

  /** Runs `fn` with a slot; queued FIFO; gives up (throws AbortError) if `signal` aborts while waiting. */
  async with<T>(fn: (slot: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const slot = await this.acquire(signal);
    try {
      return await fn(slot);
    } finally {
      this.release(slot);
    }
  }

  private acquire(signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const waiter = (s: number) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(s);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new DOMException('aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private release(slot: number): void {
    if (lostUids.has(this.uid(slot))) return void this.lost.add(slot); // processes of its run survive: not reused
    const next = this.waiters.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}

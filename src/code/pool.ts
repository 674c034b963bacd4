// Bounded concurrency for sandbox runs, shared by every test of every rollout. Each slot owns a distinct
// non-root uid, so RLIMIT_NPROC (counted per uid) is a per-run limit and runs cannot signal each other.
import os from 'node:os';

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

  constructor(opts: SlotPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? os.availableParallelism());
    this.baseUid = opts.baseUid ?? (Number(process.env.R1_SANDBOX_UID_BASE) || 61000);
    this.free = Array.from({ length: this.size }, (_, i) => i);
  }

  uid(slot: number): number {
    return this.baseUid + slot;
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
    const next = this.waiters.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}

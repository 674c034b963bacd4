// A pool of killable worker threads with a hard per-item wall-clock budget. An item over budget gets
// `timeout`, its worker is terminated and replaced; other items keep their workers. Memory per worker is
// capped with resourceLimits (V8 heap limits: the worker dies with ERR_WORKER_OUT_OF_MEMORY instead of
// growing the process).
import { Worker } from 'node:worker_threads';
import type { GradeResult } from './grade.js';
import type { WorkerJob } from './worker.js';

export interface PoolOptions {
  size: number;
  /** V8 old-generation heap per worker, MB */
  heapMb: number;
}

export type PoolOutcome<R = GradeResult> =
  | { kind: 'done'; result: R }
  | { kind: 'timeout'; ms: number }
  | { kind: 'crashed'; error: string }
  | { kind: 'aborted' };

interface Job {
  req: WorkerJob;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  resolve: (o: PoolOutcome<unknown>) => void;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  id: number;
  timer: NodeJS.Timeout | null;
  started: number;
}

/**
 * The worker next to this module: worker.js when built; under vitest/tsx (sources are .ts) a small eval'd
 * bootstrap registers tsx's loader in the worker first (Node 20 does not apply `--import` hooks to a worker's entry).
 */
function newWorker(opts: { resourceLimits: NonNullable<ConstructorParameters<typeof Worker>[1]>['resourceLimits'] }): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), opts);
  const target = new URL('./worker.ts', here).href;
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(code, { ...opts, eval: true });
}

/** Consecutive workers that died before becoming ready: past this, the pool stops respawning (broken install). */
const MAX_BOOT_FAILURES = 3;

export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** workers replaced after a timeout or crash (for details and metrics) */
  restarts = 0;
  private bootFailures = 0;
  /** one abort listener per caller signal (a request signal is shared by all its rollouts), not one per job */
  private readonly bySignal = new WeakMap<AbortSignal, Set<Job>>();
  /** set when workers cannot start at all */
  private broken: string | null = null;

  constructor(private readonly opts: PoolOptions) {
    for (let k = 0; k < opts.size; k++) this.spawn();
  }

  private spawn(): void {
    const worker = newWorker({
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    const slot: Slot = { worker, ready: false, job: null, id: 0, timer: null, started: 0 };
    this.slots.add(slot);
    this.updateRefs();
    worker.on('message', (m: { ready?: boolean; id?: number; result?: unknown }) => {
      if (m.ready) {
        slot.ready = true;
        this.bootFailures = 0;
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || m.id !== slot.id) return;
      this.release(slot);
      this.settle(job, { kind: 'done', result: m.result! });
      this.pump();
    });
    const fail = (why: string): void => {
      if (!this.slots.has(slot)) return;
      this.slots.delete(slot);
      if (slot.timer) clearTimeout(slot.timer);
      const job = slot.job;
      slot.job = null;
      if (job) this.settle(job, { kind: 'crashed', error: why });
      if (!slot.ready && ++this.bootFailures >= MAX_BOOT_FAILURES) {
        this.broken = why;
        for (const j of this.queue.splice(0)) this.settle(j, { kind: 'crashed', error: why });
        return;
      }
      if (!this.closed) {
        this.restarts++;
        this.spawn();
      }
    };
    worker.on('error', (err) => fail(`math worker failed: ${err.message}`));
    worker.on('exit', (code) => fail(`math worker exited (code ${code})`));
  }

  /** Workers keep the process alive only while there is work: an idle pool never blocks exit. */
  private updateRefs(): void {
    let busy = this.queue.length > 0;
    for (const s of this.slots) if (s.job) busy = true;
    for (const s of this.slots) {
      if (busy) s.worker.ref();
      else s.worker.unref();
    }
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
  }

  private settle(job: Job, o: PoolOutcome<unknown>): void {
    if (job.settled) return;
    job.settled = true;
    if (job.signal) this.bySignal.get(job.signal)?.delete(job);
    job.resolve(o);
    queueMicrotask(() => this.updateRefs());
  }

  /** Kills a worker (its item is over budget or was cancelled) and starts a replacement. */
  private kill(slot: Slot): void {
    this.slots.delete(slot);
    this.release(slot);
    void slot.worker.terminate();
    if (!this.closed) {
      this.restarts++;
      this.spawn();
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!this.queue.length) return;
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift()!;
      if (job.settled) continue;
      slot.job = job;
      slot.id = this.nextId++;
      slot.started = performance.now();
      slot.timer = setTimeout(() => {
        if (slot.job !== job) return;
        this.kill(slot);
        this.settle(job, { kind: 'timeout', ms: job.timeoutMs });
        this.pump();
      }, job.timeoutMs);
      slot.worker.postMessage({ id: slot.id, ...job.req });
    }
  }

  /** `R` is what the worker answers for this request's `op` (a GradeResult for a grading request). */
  run<R = GradeResult>(req: WorkerJob, timeoutMs: number, signal?: AbortSignal): Promise<PoolOutcome<R>> {
    if (this.closed) return Promise.resolve({ kind: 'crashed', error: 'math worker pool is closed' });
    if (this.broken) return Promise.resolve({ kind: 'crashed', error: this.broken });
    if (signal?.aborted) return Promise.resolve({ kind: 'aborted' });
    return new Promise((resolve) => {
      const job: Job = { req, timeoutMs, signal, resolve: resolve as (o: PoolOutcome<unknown>) => void, settled: false };
      if (signal) {
        let jobs = this.bySignal.get(signal);
        if (!jobs) {
          const set = (jobs = new Set<Job>());
          this.bySignal.set(signal, set);
          signal.addEventListener('abort', () => this.abortAll(set), { once: true });
        }
        jobs.add(job);
      }
      this.queue.push(job);
      this.updateRefs();
      this.pump();
    });
  }

  /** The caller went away: its running items' workers are killed (they may be stuck), queued ones dropped. */
  private abortAll(jobs: Set<Job>): void {
    for (const job of [...jobs]) {
      for (const slot of this.slots) if (slot.job === job) this.kill(slot);
      this.settle(job, { kind: 'aborted' });
    }
    jobs.clear();
    this.pump();
  }

  /** True once at least one worker has loaded. */
  ready(): boolean {
    for (const s of this.slots) if (s.ready) return true;
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, { kind: 'crashed', error: 'math worker pool closed' });
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
    this.slots.clear();
  }
}

// A pool of killable worker threads with a hard per-item wall-clock budget. An item over budget gets
// `timeout`, its worker is terminated and replaced; other items keep their workers. Memory per worker is
// capped with resourceLimits (V8 heap limits: the worker dies with ERR_WORKER_OUT_OF_MEMORY instead of
// growing the process).
import { Worker } from 'node:worker_threads';
import type { GradeOptions, GradeResult } from './grade.js';
import type { WorkerJob } from './worker.js';

export interface PoolOptions {
  size: number;
  /** V8 old-generation heap per worker, MB */
  heapMb: number;
  /** booted workers kept idle beyond `size` (default 1): a killed worker's place is taken at once, not after a boot */
  spares?: number;
}

export type PoolOutcome<R = GradeResult> =
  | { kind: 'done'; result: R }
  | { kind: 'timeout'; ms: number }
  | { kind: 'crashed'; error: string }
  | { kind: 'aborted' };

/** Whose item a job is: the caller's signal (one per request), or one shared owner for callers without one. */
type Owner = object;
const NO_OWNER: Owner = {};

interface Job {
  req: WorkerJob;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  owner: Owner;
  resolve: (o: PoolOutcome<unknown>) => void;
  settled: boolean;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** the owner whose item's timeout or abort killed the worker this one replaces, until it is ready */
  chargedTo: Owner | null;
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

/**
 * Graded by a new worker before it counts as ready: the first symbolic and numeric items of a fresh worker
 * pay for JIT and mathjs' lazy set-up (about 0.3 s, seconds on a loaded host), which must not come out of a
 * real item's budget.
 */
const WARM_OPTS: GradeOptions = { lastNumber: false, percentFraction: false, decimalMinDigits: 3, maxAnswerChars: 2000 };
const WARM_UP: readonly WorkerJob[] = [
  { answer: '\\boxed{x^2+2x+1}', gold: '(x+1)^2', opts: WARM_OPTS },
  { answer: '\\boxed{\\sqrt{8}}', gold: '2\\sqrt{2}', opts: WARM_OPTS },
  { answer: '\\boxed{[2,5)}', gold: '[2,5)', opts: WARM_OPTS },
];

/** Consecutive workers that died before becoming ready: past this, the pool stops respawning (broken install). */
const MAX_BOOT_FAILURES = 3;

/**
 * Scheduling: each owner (request) has its own FIFO; a free worker goes to the owner holding the fewest
 * workers, ties to the one served longest ago. An owner holds the workers grading its items and, until they
 * are ready, the replacements of workers killed over its items: a timeout costs its own request the boot
 * (about 1.5 s of loading mathjs), not everyone else. `size` workers grade at once; `spares` more are booted
 * and idle, so a killed worker's place is taken at once while a new spare boots, and an owner holding
 * nothing may borrow an idle spare: its first item never waits behind another request's slow ones. A new
 * worker grades warm-up items before it counts as ready, and an item's budget starts when a worker takes
 * it, never while it queues.
 */
export class WorkerPool {
  private readonly slots = new Set<Slot>();
  /** queued jobs per owner; the map's order is the round-robin order (an owner served moves to the end) */
  private readonly queues = new Map<Owner, Job[]>();
  /** per owner: items running, plus replacements booting because its items were killed */
  private readonly held = new Map<Owner, number>();
  private queued = 0;
  private nextId = 1;
  private closed = false;
  /** workers replaced after a timeout or crash (for details and metrics) */
  restarts = 0;
  private bootFailures = 0;
  /** one abort listener per caller signal (a request signal is shared by all its rollouts), not one per job */
  private readonly bySignal = new WeakMap<AbortSignal, Set<Job>>();
  /** set when workers cannot start at all */
  private broken: string | null = null;
  private readonly spares: number;
  /** spares are booted once the first workers are ready: booting them all at once slows the first items */
  private sparesStarted = false;

  constructor(private readonly opts: PoolOptions) {
    this.spares = Math.max(0, opts.spares ?? 1);
    for (let k = 0; k < opts.size; k++) this.spawn();
  }

  private spawn(chargedTo: Owner | null = null): void {
    const worker = newWorker({
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    const slot: Slot = { worker, ready: false, chargedTo, job: null, id: 0, timer: null, started: 0 };
    if (chargedTo) this.hold(chargedTo, 1);
    this.slots.add(slot);
    this.updateRefs();
    worker.on('message', (m: { ready?: boolean; id?: number; result?: unknown }) => {
      if (m.ready) {
        WARM_UP.forEach((req, k) => worker.postMessage({ id: -1 - k, ...req }));
        return;
      }
      if (m.id === -WARM_UP.length) {
        slot.ready = true;
        this.uncharge(slot);
        this.bootFailures = 0;
        if (!this.sparesStarted && !this.closed && this.readyWorkers() >= this.opts.size) {
          this.sparesStarted = true;
          for (let k = 0; k < this.spares; k++) this.spawn();
        }
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
      const job = slot.job;
      this.release(slot);
      this.uncharge(slot);
      if (job) this.settle(job, { kind: 'crashed', error: why });
      if (!slot.ready && ++this.bootFailures >= MAX_BOOT_FAILURES) {
        this.broken = why;
        for (const j of this.drainQueues()) this.settle(j, { kind: 'crashed', error: why });
        return;
      }
      if (!this.closed) {
        this.restarts++;
        this.spawn();
      }
      this.pump();
    };
    worker.on('error', (err) => fail(`math worker failed: ${err.message}`));
    worker.on('exit', (code) => fail(`math worker exited (code ${code})`));
  }

  /** Workers keep the process alive only while there is work: an idle pool never blocks exit. */
  private updateRefs(): void {
    let busy = this.queued > 0;
    for (const s of this.slots) if (s.job) busy = true;
    for (const s of this.slots) {
      if (busy) s.worker.ref();
      else s.worker.unref();
    }
  }

  private hold(owner: Owner, d: number): void {
    const n = (this.held.get(owner) ?? 0) + d;
    if (n > 0) this.held.set(owner, n);
    else this.held.delete(owner);
  }

  private uncharge(slot: Slot): void {
    if (slot.chargedTo) this.hold(slot.chargedTo, -1);
    slot.chargedTo = null;
  }

  /** Frees a slot of its job (timer, what the owner holds). */
  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const job = slot.job;
    slot.job = null;
    if (job) this.hold(job.owner, -1);
  }

  private settle(job: Job, o: PoolOutcome<unknown>): void {
    if (job.settled) return;
    job.settled = true;
    if (job.signal) this.bySignal.get(job.signal)?.delete(job);
    job.resolve(o);
    queueMicrotask(() => this.updateRefs());
  }

  /**
   * Kills a worker (its item is over budget or was cancelled) and starts a replacement, charged to the item's
   * owner until it is ready: the owner's own later items, not other requests', wait out the boot.
   */
  private kill(slot: Slot): void {
    const owner = slot.job?.owner ?? null;
    this.slots.delete(slot);
    this.release(slot);
    void slot.worker.terminate();
    if (!this.closed) {
      this.restarts++;
      this.spawn(owner);
    }
  }

  /** The next job to start, given how many workers are grading now; null when none may start. */
  private nextJob(busy: number): Job | null {
    let best: Owner | null = null;
    let bestHeld = Infinity;
    for (const [owner, q] of this.queues) {
      while (q.length && q[0]!.settled) {
        q.shift();
        this.queued--;
      }
      if (!q.length) {
        this.queues.delete(owner);
        continue;
      }
      const h = this.held.get(owner) ?? 0;
      if (h < bestHeld) [best, bestHeld] = [owner, h];
    }
    if (best === null) return null;
    // past `size`, only an owner holding nothing may borrow a spare
    if (busy >= this.opts.size && bestHeld > 0) return null;
    const q = this.queues.get(best)!;
    const job = q.shift()!;
    this.queued--;
    this.queues.delete(best);
    if (q.length) this.queues.set(best, q); // served: to the back of the round
    return job;
  }

  private pump(): void {
    let busy = 0;
    for (const s of this.slots) if (s.job) busy++;
    for (const slot of this.slots) {
      if (!this.queued) return;
      if (!slot.ready || slot.job) continue;
      // keep one spare idle for a borrower; the rest stay idle to replace a killed worker at once
      if (busy >= this.opts.size + Math.min(1, this.spares)) return;
      const job = this.nextJob(busy);
      if (!job) return;
      this.start(slot, job);
      busy++;
    }
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.id = this.nextId++;
    slot.started = performance.now();
    this.hold(job.owner, 1);
    slot.timer = setTimeout(() => {
      if (slot.job !== job) return;
      this.kill(slot);
      this.settle(job, { kind: 'timeout', ms: job.timeoutMs });
      this.pump();
    }, job.timeoutMs);
    slot.worker.postMessage({ id: slot.id, ...job.req });
  }

  /** `R` is what the worker answers for this request's `op` (a GradeResult for a grading request). */
  run<R = GradeResult>(req: WorkerJob, timeoutMs: number, signal?: AbortSignal): Promise<PoolOutcome<R>> {
    if (this.closed) return Promise.resolve({ kind: 'crashed', error: 'math worker pool is closed' });
    if (this.broken) return Promise.resolve({ kind: 'crashed', error: this.broken });
    if (signal?.aborted) return Promise.resolve({ kind: 'aborted' });
    return new Promise((resolve) => {
      const owner = signal ?? NO_OWNER;
      const job: Job = { req, timeoutMs, signal, owner, resolve: resolve as (o: PoolOutcome<unknown>) => void, settled: false };
      if (signal) {
        let jobs = this.bySignal.get(signal);
        if (!jobs) {
          const set = (jobs = new Set<Job>());
          this.bySignal.set(signal, set);
          signal.addEventListener('abort', () => this.abortAll(set), { once: true });
        }
        jobs.add(job);
      }
      const q = this.queues.get(owner);
      if (q) q.push(job);
      else this.queues.set(owner, [job]);
      this.queued++;
      this.updateRefs();
      this.pump();
    });
  }

  /** The caller went away: its running items' workers are killed (they may be stuck), queued ones dropped. */
  private abortAll(jobs: Set<Job>): void {
    for (const job of jobs) {
      const q = this.queues.get(job.owner);
      if (q) {
        // an owner is one signal: every queued job of it goes
        this.queued -= q.length;
        this.queues.delete(job.owner);
      }
    }
    for (const job of [...jobs]) {
      for (const slot of this.slots) if (slot.job === job) this.kill(slot);
      this.settle(job, { kind: 'aborted' });
    }
    jobs.clear();
    this.pump();
  }

  private drainQueues(): Job[] {
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.queued = 0;
    return all;
  }

  /** Workers loaded and alive (busy or idle), spares included. */
  readyWorkers(): number {
    let n = 0;
    for (const s of this.slots) if (s.ready) n++;
    return n;
  }

  /** True once at least one worker has loaded. */
  ready(): boolean {
    for (const s of this.slots) if (s.ready) return true;
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.drainQueues()) this.settle(job, { kind: 'crashed', error: 'math worker pool closed' });
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
    this.slots.clear();
  }
}

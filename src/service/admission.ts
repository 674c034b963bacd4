import type { Metrics } from './metrics.js';

/**
 * Admission control: a bound on rollouts in flight across all requests. A request that would pass it is
 * refused at once (503 + Retry-After / RESOURCE_EXHAUSTED) rather than queued without limit.
 */
export class Admission {
  private inflight = 0;
  constructor(readonly capacity: number) {}

  tryAcquire(n: number): boolean {
    // One oversized request alone is still admitted when nothing else runs, so a big batch is never starved.
    if (this.inflight > 0 && this.inflight + n > this.capacity) return false;
    this.inflight += n;
    return true;
  }

  release(n: number): void {
    this.inflight -= n;
  }

  get current(): number {
    return this.inflight;
  }
}

/** Takes `n` slots and counts them in the in-flight gauge; false (and a rejection counted) when saturated. */
export function admit(admission: Admission, metrics: Metrics, n: number): boolean {
  if (!admission.tryAcquire(n)) {
    metrics.rejected.inc({ reason: 'saturated' });
    return false;
  }
  metrics.inflightRollouts.inc(n);
  return true;
}

export function release(admission: Admission, metrics: Metrics, n: number): void {
  admission.release(n);
  metrics.inflightRollouts.dec(n);
}

/**
 * Runs `work` holding `n` slots (and the in-flight gauges), for every transport: HTTP answers a refusal
 * with 503 + Retry-After, gRPC with RESOURCE_EXHAUSTED. Returns `{ admitted: false }` when saturated.
 */
export async function withAdmission<T>(
  admission: Admission,
  metrics: Metrics,
  n: number,
  work: () => Promise<T>,
): Promise<{ admitted: true; value: T } | { admitted: false }> {
  if (!admit(admission, metrics, n)) return { admitted: false };
  metrics.inflightRequests.inc();
  try {
    return { admitted: true, value: await work() };
  } finally {
    release(admission, metrics, n);
    metrics.inflightRequests.dec();
  }
}

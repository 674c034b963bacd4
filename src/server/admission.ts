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

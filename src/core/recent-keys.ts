// A set that remembers only its newest `capacity` keys: what a long-lived ScoreStream keeps of the groups
// it has completed, so memory stays bounded however long the stream runs.

export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
  }

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Adds `key` as the newest; forgets the oldest past capacity (a Set iterates in insertion order). */
  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value as string);
  }
}

/** A growable typed column: a file's per-row numbers held in 4 or 8 bytes each, whatever its length. */
export class Column<T extends Float64Array | Int32Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  /** The filled part (a view, no copy). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

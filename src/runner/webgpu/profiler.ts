/// <reference types="@webgpu/types" />
// Optional per-kernel GPU timing with timestamp queries (device feature 'timestamp-query'): each profiled
// dispatch gets its own compute pass whose begin/end timestamps land in a query set; every submit resolves
// them into a buffer that is read back lazily by report(). Browser-safe. Profiling splits passes, so it
// slows the run a little; it is for finding where a step's time goes, not for the headline numbers.

const COPY_SRC = 4;
const COPY_DST = 8;
const MAP_READ = 1;
const QUERY_RESOLVE = 512;

export interface KernelTime {
  kernel: string;
  count: number;
  ms: number;
}

export class KernelProfiler {
  private readonly set: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private keys: string[] = [];
  private pending: Promise<void>[] = [];
  private readonly totals = new Map<string, { count: number; ns: number }>();

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity: number,
  ) {
    this.set = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
    this.resolveBuf = device.createBuffer({ size: 16 * capacity, usage: QUERY_RESOLVE | COPY_SRC });
  }

  /** Descriptor of the pass that holds the next dispatch, labelled `kernel`. */
  pass(kernel: string): GPUComputePassDescriptor {
    const q = this.keys.length;
    if (q >= this.capacity) throw new Error(`internal: more than ${this.capacity} profiled dispatches in one submit`);
    this.keys.push(kernel);
    return { timestampWrites: { querySet: this.set, beginningOfPassWriteIndex: 2 * q, endOfPassWriteIndex: 2 * q + 1 } };
  }

  /** Record the resolve into `enc` (before finish); returns the function to call once it is submitted. */
  resolve(enc: GPUCommandEncoder): () => void {
    const keys = this.keys;
    this.keys = [];
    if (keys.length === 0) return () => {};
    const bytes = 16 * keys.length;
    const out = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    enc.resolveQuerySet(this.set, 0, 2 * keys.length, this.resolveBuf, 0);
    enc.copyBufferToBuffer(this.resolveBuf, 0, out, 0, bytes);
    return () => {
      this.pending.push(
        out.mapAsync(1).then(() => {
          const t = new BigUint64Array(out.getMappedRange());
          keys.forEach((k, i) => {
            const e = this.totals.get(k) ?? { count: 0, ns: 0 };
            e.count++;
            e.ns += Number(t[2 * i + 1]! - t[2 * i]!);
            this.totals.set(k, e);
          });
          out.unmap();
          out.destroy();
        }),
      );
    };
  }

  /** Totals per kernel since the last reset, slowest first. */
  async report(): Promise<KernelTime[]> {
    await Promise.all(this.pending);
    this.pending = [];
    return [...this.totals].map(([kernel, e]) => ({ kernel, count: e.count, ms: e.ns / 1e6 })).sort((a, b) => b.ms - a.ms);
  }

  reset(): void {
    this.totals.clear();
  }
}

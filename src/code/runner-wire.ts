// The warm runner's wire (sandboxes/python/runner.py): jobs go in as Python marshal data, results come
// back as frames.

/** A frame's header: key=value integers. */
export interface Head {
  i?: number;
  compile?: number;
  done?: number;
  exit?: number;
  signal?: number;
  timeout?: number;
  output_limit?: number;
  maxrss_kb?: number;
  /** the child's wall time in microseconds */
  us?: number;
  stdout_len?: number;
  stderr_len?: number;
}

export interface Frame {
  head: Head;
  stdout: Buffer;
  stderr: string;
}

export type Marshalable = null | boolean | number | string | Marshalable[] | { [k: string]: Marshalable };

/** Python's marshal format for plain values (the runner reads its job with the built-in `marshal`). */
export function marshal(v: Marshalable): Buffer {
  const parts: Buffer[] = [];
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const put = (x: Marshalable): void => {
    if (x === null) parts.push(Buffer.from('N'));
    else if (x === true || x === false) parts.push(Buffer.from(x ? 'T' : 'F'));
    else if (typeof x === 'number') {
      if (!Number.isSafeInteger(x) || x < 0) throw new Error(`marshal: unsupported number ${x}`);
      if (x < 2 ** 31) parts.push(Buffer.from('i'), i32(x));
      else {
        // TYPE_LONG: count of 15-bit digits, then the digits, least significant first
        const digits: number[] = [];
        for (let n = x; n > 0; n = Math.floor(n / 32768)) digits.push(n % 32768);
        const b = Buffer.alloc(digits.length * 2);
        digits.forEach((d, k) => b.writeUInt16LE(d, k * 2));
        parts.push(Buffer.from('l'), i32(digits.length), b);
      }
    } else if (typeof x === 'string') {
      const b = Buffer.from(x, 'utf8');
      parts.push(Buffer.from('u'), i32(b.length), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from('['), i32(x.length));
      x.forEach(put);
    } else {
      parts.push(Buffer.from('{'));
      for (const [k, w] of Object.entries(x)) {
        put(k);
        put(w);
      }
      parts.push(Buffer.from('0'));
    }
  };
  put(v);
  return Buffer.concat(parts);
}

/** Frames as they arrive: a header line of key=value integers, then stdout and stderr bytes. Keeps at
 * most one incomplete frame; `onFrame` sees each complete one. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** bytes the current frame needs before it can be read (chunks are joined only then) */
  private need = 0;
  constructor(private readonly onFrame: (head: Head, stdout: Buffer, stderr: string) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < this.need) return;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    for (;;) {
      const nl = buf.indexOf(10);
      const head: Record<string, number> = {};
      let end = buf.length + 1; // an incomplete header: wait for more
      if (nl >= 0) {
        for (const kv of buf.subarray(0, nl).toString('latin1').split(' ')) {
          const m = /^([a-z_]+)=(-?\d+)$/.exec(kv);
          if (m) head[m[1]!] = Number(m[2]);
        }
        end = nl + 1 + (head['stdout_len'] ?? 0) + (head['stderr_len'] ?? 0);
      }
      if (end > buf.length) {
        this.chunks = buf.length ? [buf] : [];
        this.size = buf.length;
        this.need = nl >= 0 ? end : 0;
        return;
      }
      const e = nl + 1 + (head['stdout_len'] ?? 0);
      this.onFrame(head, buf.subarray(nl + 1, e), buf.subarray(e, end).toString('utf8'));
      buf = buf.subarray(end);
    }
  }
}

/** All complete frames of `buf` (a convenience over FrameReader). */
export function parseFrames(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  new FrameReader((head, stdout, stderr) => out.push({ head, stdout, stderr })).push(buf);
  return out;
}

/** A job as the runner reads it: a 4-byte little-endian length, then the marshal'd value. */
export function jobFrame(v: Marshalable): Buffer {
  const body = marshal(v);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([len, body]);
}

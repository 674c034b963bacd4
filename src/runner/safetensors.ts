// safetensors reading and writing: an 8-byte little-endian header length, a JSON header, then the
// data buffer (offsets relative to its start). Reads tensors lazily by file offset, so a sharded
// checkpoint is never loaded whole; every supported dtype is converted to f32.
import { closeSync, openSync, readSync, fstatSync, writeFileSync } from 'node:fs';
import { e4m3Values, f16ToF32, f32ToBf16, f32ToE4m3, f32ToF16 } from './dtype.js';

export type Dtype = 'F32' | 'F16' | 'BF16' | 'F8_E4M3' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL' | string;

export const DTYPE_BYTES: Record<string, number> = {
  F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2, I16: 2, U16: 2, F8_E4M3: 1, F8_E5M2: 1, I8: 1, U8: 1, BOOL: 1,
};

export interface TensorInfo {
  dtype: Dtype;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export class SafetensorsError extends Error {}

const MAX_HEADER = 100_000_000;

/** One open .safetensors file. Call close() when done. */
export class SafetensorsFile {
  readonly tensors = new Map<string, TensorInfo>();
  readonly metadata: Record<string, string> = {};
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.parseHeader();
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  private parseHeader(): void {
    const size = fstatSync(this.fd).size;
    const lenBuf = Buffer.alloc(8);
    if (size < 8 || readSync(this.fd, lenBuf, 0, 8, 0) !== 8) throw new SafetensorsError(`${this.path}: too short to be a safetensors file`);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n > MAX_HEADER || 8 + n > size) throw new SafetensorsError(`${this.path}: header length ${n} is invalid for a ${size}-byte file`);
    const hb = Buffer.alloc(n);
    readSync(this.fd, hb, 0, n, 8);
    const text = hb.toString('utf8');
    if (!text.startsWith('{')) throw new SafetensorsError(`${this.path}: header does not start with '{'`);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new SafetensorsError(`${this.path}: header is not JSON: ${(e as Error).message}`);
    }
    const base = 8 + n;
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') {
        Object.assign(this.metadata, v as Record<string, string>);
        continue;
      }
      const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const shape = info.shape, off = info.data_offsets;
      if (typeof info.dtype !== 'string' || !Array.isArray(shape) || !Array.isArray(off) || off.length !== 2)
        throw new SafetensorsError(`${this.path}: tensor ${name} has a malformed header entry`);
      const bytes = DTYPE_BYTES[info.dtype];
      const numel = (shape as number[]).reduce((a, b) => a * b, 1);
      const [b, e] = off as [number, number];
      if (bytes !== undefined && e - b !== numel * bytes)
        throw new SafetensorsError(`${this.path}: tensor ${name}: ${e - b} bytes do not hold ${info.dtype}[${(shape as number[]).join(', ')}]`);
      if (b < 0 || e < b || base + e > size) throw new SafetensorsError(`${this.path}: tensor ${name}: data_offsets [${b}, ${e}] are outside the file`);
      this.tensors.set(name, { dtype: info.dtype, shape: shape as number[], begin: base + b, end: base + e });
    }
  }

  /** Raw bytes of a tensor. */
  raw(name: string): Buffer {
    const info = this.info(name);
    const buf = Buffer.alloc(info.end - info.begin);
    let done = 0;
    while (done < buf.length) {
      const r = readSync(this.fd, buf, done, buf.length - done, info.begin + done);
      if (r <= 0) throw new SafetensorsError(`${this.path}: unexpected end of file reading ${name}`);
      done += r;
    }
    return buf;
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new SafetensorsError(`${this.path}: no tensor named ${name}`);
    return info;
  }

  /** A tensor converted to f32 (F32, F16, BF16, F8_E4M3 — the latter without its block scale). */
  f32(name: string): Float32Array {
    return toF32(this.raw(name), this.info(name).dtype, `${this.path}: ${name}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function toF32(buf: Buffer, dtype: Dtype, what: string): Float32Array {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(buf.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(buf.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = f16ToF32(dv.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(buf.length / 2);
      const o32 = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) o32[i] = dv.getUint16(2 * i, true) << 16;
      return out;
    }
    case 'F8_E4M3': {
      const t = e4m3Values();
      const out = new Float32Array(buf.length);
      for (let i = 0; i < out.length; i++) out[i] = t[buf[i]!]!;
      return out;
    }
    case 'F64': {
      const out = new Float32Array(buf.length / 8);
      for (let i = 0; i < out.length; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
    }
    default:
      throw new SafetensorsError(`${what}: dtype ${dtype} is not supported (F32, F16, BF16, F8_E4M3, F64)`);
  }
}

export interface TensorToWrite {
  name: string;
  dtype: 'F32' | 'F16' | 'BF16' | 'F8_E4M3';
  shape: number[];
  data: Float32Array;
}

function encode(t: TensorToWrite): Buffer {
  const n = t.data.length;
  switch (t.dtype) {
    case 'F32': {
      const b = Buffer.alloc(4 * n);
      for (let i = 0; i < n; i++) b.writeFloatLE(t.data[i]!, 4 * i);
      return b;
    }
    case 'F16':
    case 'BF16': {
      const b = Buffer.alloc(2 * n);
      const f = t.dtype === 'F16' ? f32ToF16 : f32ToBf16;
      for (let i = 0; i < n; i++) b.writeUInt16LE(f(t.data[i]!), 2 * i);
      return b;
    }
    case 'F8_E4M3': {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = f32ToE4m3(t.data[i]!);
      return b;
    }
  }
}

/** Write a .safetensors file: tensors sorted by descending dtype size then name (keeps typed views aligned), header padded to 8 bytes. */
export function writeSafetensors(path: string, tensors: TensorToWrite[], metadata?: Record<string, string>): void {
  const sorted = [...tensors].sort((a, b) => DTYPE_BYTES[b.dtype]! - DTYPE_BYTES[a.dtype]! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const bufs: Buffer[] = [];
  let off = 0;
  const names = new Set<string>();
  for (const t of sorted) {
    if (names.has(t.name)) throw new SafetensorsError(`writeSafetensors: duplicate tensor ${t.name}`);
    names.add(t.name);
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) throw new SafetensorsError(`writeSafetensors: ${t.name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    const b = encode(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + b.length] };
    bufs.push(b);
    off += b.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(path, Buffer.concat([len, Buffer.from(json, 'utf8'), ...bufs]));
}

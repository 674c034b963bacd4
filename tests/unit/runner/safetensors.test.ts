import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bf16ToF32, e4m3ToF32, f16ToF32, f32ToBf16, f32ToE4m3, f32ToF16 } from '../../../src/runner/dtype.js';
import { SafetensorsError, SafetensorsFile, writeSafetensors } from '../../../src/runner/safetensors.js';
import { tmp } from './helpers.js';

describe('dtype conversion', () => {
  it('converts known bit patterns', () => {
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(-2)).toBe(0xc000);
    expect(bf16ToF32(0x3f80)).toBe(1);
    expect(bf16ToF32(0x4049)).toBeCloseTo(3.140625, 10);
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(1e6)).toBe(0x7c00); // overflow -> +Inf
    expect(f32ToF16(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f16ToF32(0xc000)).toBe(-2);
    expect(f16ToF32(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(e4m3ToF32(0x7e)).toBe(448);
    expect(e4m3ToF32(0x01)).toBe(2 ** -9);
    expect(Number.isNaN(e4m3ToF32(0x7f))).toBe(true);
    expect(e4m3ToF32(f32ToE4m3(1000))).toBe(448); // saturates
  });

  it('rounds to nearest even', () => {
    // 1 + 2^-8 lies halfway between bf16 1.0 and 1.0078125: ties to even (1.0)
    expect(bf16ToF32(f32ToBf16(1 + 2 ** -8))).toBe(1);
    expect(bf16ToF32(f32ToBf16(1 + 3 * 2 ** -8))).toBe(1 + 2 ** -6);
    // f16: 1 + 2^-11 is halfway between 1 and 1 + 2^-10
    expect(f16ToF32(f32ToF16(1 + 2 ** -11))).toBe(1);
    expect(f16ToF32(f32ToF16(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
  });
});

describe('safetensors', () => {
  const values = Float32Array.from([0, 1, -1.5, 3.140625, 0.1, -1e-3, 65504, 2.5]);

  it('round-trips F32 exactly and F16/BF16/F8 within their precision', () => {
    const path = join(tmp(), 'a.safetensors');
    writeSafetensors(
      path,
      [
        { name: 'b.bf16', dtype: 'BF16', shape: [2, 4], data: values },
        { name: 'a.f32', dtype: 'F32', shape: [8], data: values },
        { name: 'c.f16', dtype: 'F16', shape: [4, 2], data: values },
        { name: 'd.fp8', dtype: 'F8_E4M3', shape: [2], data: Float32Array.from([1.25, -0.5]) },
        { name: 'e.scalar', dtype: 'F32', shape: [], data: Float32Array.of(7) },
      ],
      { format: 'pt' },
    );
    const f = new SafetensorsFile(path);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.f32('a.f32')).toEqual(values);
    expect(f.info('b.bf16').shape).toEqual([2, 4]);
    const bf = f.f32('b.bf16'), h = f.f32('c.f16');
    values.forEach((v, i) => {
      expect(Math.abs(bf[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8);
      expect(Math.abs(h[i]! - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -24));
    });
    expect(bf[3]).toBe(3.140625);
    expect(Array.from(f.f32('d.fp8'))).toEqual([1.25, -0.5]);
    expect(Array.from(f.f32('e.scalar'))).toEqual([7]);
    f.close();
    // layout: 8-byte length, header padded with spaces to 8 bytes, F32 data first (descending alignment)
    const buf = readFileSync(path);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString()) as Record<string, { data_offsets: number[] }>;
    expect(header['a.f32']!.data_offsets[0]).toBe(0);
    expect(buf.length).toBe(8 + n + 32 + 4 + 16 + 16 + 2);
  });

  it('rejects malformed files with a clear error', () => {
    const d = tmp();
    const bad = (name: string, bytes: Buffer, msg: RegExp): void => {
      writeFileSync(join(d, name), bytes);
      expect(() => new SafetensorsFile(join(d, name))).toThrow(msg);
    };
    bad('short', Buffer.from([1, 2]), /too short/);
    const len = (n: number): Buffer => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(n));
      return b;
    };
    bad('huge', Buffer.concat([len(1e12), Buffer.from('{}')]), /header length/);
    bad('nobrace', Buffer.concat([len(2), Buffer.from('[]')]), /start with/);
    const h = JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } });
    bad('size', Buffer.concat([len(h.length), Buffer.from(h), Buffer.alloc(4)]), /do not hold F32\[2\]/);
    const h2 = JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    bad('trunc', Buffer.concat([len(h2.length), Buffer.from(h2), Buffer.alloc(4)]), /outside the file/);
    const h3 = JSON.stringify({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } });
    writeFileSync(join(d, 'i64'), Buffer.concat([len(h3.length), Buffer.from(h3), Buffer.alloc(8)]));
    const f = new SafetensorsFile(join(d, 'i64'));
    expect(() => f.f32('x')).toThrow(SafetensorsError);
    expect(() => f.f32('y')).toThrow(/no tensor named y/);
    f.close();
  });
});

// Conversions between f32 and the storage dtypes of checkpoints (F16, BF16, FP8 E4M3).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bf16ToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** f32 -> bf16 bits, round to nearest even (NaN stays NaN). */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if (Number.isNaN(x)) return 0x7fc0;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** f32 -> f16 bits, round to nearest even; overflow -> ±Inf. */
export function f32ToF16(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // subnormal: units of 2^-24
    return sign | roundEven(a * 2 ** 24);
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const m = roundEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) return e + 1 + 15 >= 31 ? sign | 0x7c00 : sign | ((e + 16) << 10);
  return sign | ((e + 15) << 10) | m;
}

function roundEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** FP8 E4M3 ("fn": no infinities, 0x7f/0xff are NaN, max 448) -> f32. */
export function e4m3ToF32(b: number): number {
  const s = b & 0x80 ? -1 : 1;
  const e = (b >>> 3) & 0xf;
  const m = b & 0x7;
  if (e === 15 && m === 7) return NaN;
  if (e === 0) return s * (m / 8) * 2 ** -6;
  return s * (1 + m / 8) * 2 ** (e - 7);
}

let e4m3Table: Float32Array | undefined;
/** Lookup table of all 256 E4M3 values. */
export function e4m3Values(): Float32Array {
  if (!e4m3Table) {
    e4m3Table = new Float32Array(256);
    for (let i = 0; i < 256; i++) e4m3Table[i] = e4m3ToF32(i);
  }
  return e4m3Table;
}

/** f32 -> nearest E4M3 byte (saturating at ±448; used by tests to write FP8 checkpoints). */
export function f32ToE4m3(x: number): number {
  const t = e4m3Values();
  let best = 0, bestErr = Infinity;
  for (let i = 0; i < 256; i++) {
    const v = t[i]!;
    if (Number.isNaN(v)) continue;
    const err = Math.abs(v - x);
    if (err < bestErr) {
      best = i;
      bestErr = err;
    }
  }
  return best;
}

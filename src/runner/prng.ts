// A small seeded PRNG (mulberry32 over a splitmix32-mixed seed): same seed, same stream, on every platform.

export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = mix(seed >>> 0 ^ 0x9e3779b9);
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A derived seed for stream `i` of a base seed (independent per-sample streams). */
export function deriveSeed(seed: number, i: number): number {
  return mix((seed >>> 0) + Math.imul(i + 1, 0x9e3779b9));
}

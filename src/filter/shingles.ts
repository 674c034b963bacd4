// Near-duplicate detection by MinHash over word shingles: a fixed-size signature per rollout (32 × 4 bytes),
// whose share of equal entries estimates the Jaccard similarity of the two shingle sets.

export const SIGNATURE_SIZE = 32;

function fnv1a(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** One of SIGNATURE_SIZE hash functions: a seeded 32-bit mix (murmur3's finaliser). */
function mix(x: number, seed: number): number {
  let h = (x ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function minhash(text: string, words: number): Uint32Array {
  const w = text.toLowerCase().split(/\s+/u).filter(Boolean);
  const sig = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  const n = Math.max(1, w.length - words + 1);
  for (let i = 0; i < n; i++) {
    const h = fnv1a(w.slice(i, i + words).join(' '));
    for (let j = 0; j < SIGNATURE_SIZE; j++) {
      const v = mix(h, j + 1);
      if (v < sig[j]!) sig[j] = v;
    }
  }
  return sig;
}

export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let j = 0; j < SIGNATURE_SIZE; j++) if (a[j] === b[j]) same++;
  return same / SIGNATURE_SIZE;
}

// The CPU reference backend: plain TypeScript over Float32Array, the ground truth every WebGPU
// kernel is tested against. Accumulates in JS numbers (f64) and stores f32.
import os from 'node:os';
import { routeTokens } from '../moe-gate.js';
import { numel, type ExpertStack, type GateConfig, type Ops, type OpsInfo, type RopeSlice, type Spans, type Tensor } from '../ops.js';

class CpuTensor implements Tensor {
  freed = false;
  constructor(
    readonly shape: readonly number[],
    readonly data: Float32Array,
  ) {}
}

function t(x: Tensor, op: string): CpuTensor {
  if (!(x instanceof CpuTensor)) throw new Error(`${op}: tensor is not a CPU tensor`);
  if (x.freed) throw new Error(`${op}: tensor was freed`);
  return x;
}

function rows2(x: CpuTensor, op: string, name: string): [number, number] {
  if (x.shape.length !== 2) throw new Error(`${op}: ${name} must be 2-D, got [${x.shape.join(', ')}]`);
  return [x.shape[0]!, x.shape[1]!];
}

function same(a: CpuTensor, b: CpuTensor, op: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    throw new Error(`${op}: shapes differ: [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
}

function make(shape: readonly number[], data?: Float32Array): CpuTensor {
  return new CpuTensor([...shape], data ?? new Float32Array(numel(shape)));
}

function checkSpans(spans: Spans, m: number, s: number, op: string): void {
  if (spans.length !== 4 * m) throw new Error(`${op}: spans must have 4 numbers per query row (${4 * m}), got ${spans.length}`);
  for (let i = 0; i < m; i++) {
    const [s0, n0, s1, n1] = [spans[4 * i]!, spans[4 * i + 1]!, spans[4 * i + 2]!, spans[4 * i + 3]!];
    if (n0 < 0 || n1 < 0 || n0 + n1 < 1 || s0 < 0 || s1 < 0 || s0 + n0 > s || s1 + n1 > s)
      throw new Error(`${op}: spans of row ${i} (${s0},${n0},${s1},${n1}) are outside the ${s} key rows`);
  }
}

/** Dot product of a[ao..ao+n) and b[bo..bo+n), unrolled by 4. */
function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ao + k]! * b[bo + k]!;
    s1 += a[ao + k + 1]! * b[bo + k + 1]!;
    s2 += a[ao + k + 2]! * b[bo + k + 2]!;
    s3 += a[ao + k + 3]! * b[bo + k + 3]!;
  }
  for (; k < n; k++) s0 += a[ao + k]! * b[bo + k]!;
  return s0 + s1 + s2 + s3;
}

export class CpuOps implements Ops {
  info(): OpsInfo {
    return { backend: 'cpu', device: `${os.cpus()[0]?.model ?? 'unknown CPU'} (TypeScript reference, 1 thread)`, weightDtype: 'f32' };
  }

  upload(data: Float32Array, shape: readonly number[]): Tensor {
    if (data.length !== numel(shape)) throw new Error(`upload: ${data.length} values for shape [${shape.join(', ')}]`);
    return make(shape, Float32Array.from(data));
  }
  zeros(shape: readonly number[]): Tensor {
    return make(shape);
  }
  read(x: Tensor): Promise<Float32Array> {
    return Promise.resolve(Float32Array.from(t(x, 'read').data));
  }
  free(x: Tensor): void {
    if (x instanceof CpuTensor) x.freed = true;
  }

  matmul(xIn: Tensor, wIn: Tensor): Tensor {
    const x = t(xIn, 'matmul'), w = t(wIn, 'matmul');
    const [m, k] = rows2(x, 'matmul', 'x'), [n, k2] = rows2(w, 'matmul', 'w');
    if (k !== k2) throw new Error(`matmul: x is [${m}, ${k}] but w is [${n}, ${k2}] (inner dims differ)`);
    const y = new Float32Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[i * n + j] = dot(x.data, i * k, w.data, j * k, k);
    return make([m, n], y);
  }

  matmulAdd(x: Tensor, w: Tensor, r: Tensor): Tensor {
    const y = this.matmul(x, w);
    try {
      return this.add(r, y);
    } catch (e) {
      throw new Error(`matmulAdd: ${(e as Error).message}`);
    }
  }

  headMatmul(xIn: Tensor, wIn: Tensor): Tensor {
    const x = t(xIn, 'headMatmul'), w = t(wIn, 'headMatmul');
    const [m, hk] = rows2(x, 'headMatmul', 'x');
    if (w.shape.length !== 3) throw new Error(`headMatmul: w must be [H, N, K], got [${w.shape.join(', ')}]`);
    const [h, n, k] = w.shape as [number, number, number];
    const s = hk / h;
    if (!(Number.isInteger(s) && s >= k)) throw new Error(`headMatmul: x has ${hk} columns, expected H*S = ${h}*S with S >= K = ${k}`);
    const y = new Float32Array(m * h * n);
    for (let i = 0; i < m; i++)
      for (let hh = 0; hh < h; hh++)
        for (let j = 0; j < n; j++) y[i * h * n + hh * n + j] = dot(x.data, i * hk + hh * s, w.data, (hh * n + j) * k, k);
    return make([m, h * n], y);
  }

  rmsnorm(xIn: Tensor, wIn: Tensor, eps: number): Tensor {
    const x = t(xIn, 'rmsnorm'), w = t(wIn, 'rmsnorm');
    const [m, d] = rows2(x, 'rmsnorm', 'x');
    if (w.shape.length !== 1 || w.shape[0] !== d) throw new Error(`rmsnorm: weight must be [${d}], got [${w.shape.join(', ')}]`);
    const y = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      const ss = dot(x.data, i * d, x.data, i * d, d);
      const r = 1 / Math.sqrt(ss / d + eps);
      for (let j = 0; j < d; j++) y[i * d + j] = x.data[i * d + j]! * r * w.data[j]!;
    }
    return make([m, d], y);
  }

  private zip(aIn: Tensor, bIn: Tensor, op: string, f: (a: number, b: number) => number): Tensor {
    const a = t(aIn, op), b = t(bIn, op);
    same(a, b, op);
    const y = new Float32Array(a.data.length);
    for (let i = 0; i < y.length; i++) y[i] = f(a.data[i]!, b.data[i]!);
    return make(a.shape, y);
  }
  add(a: Tensor, b: Tensor): Tensor {
    return this.zip(a, b, 'add', (p, q) => p + q);
  }
  mul(a: Tensor, b: Tensor): Tensor {
    return this.zip(a, b, 'mul', (p, q) => p * q);
  }
  siluMul(gate: Tensor, up: Tensor): Tensor {
    return this.zip(gate, up, 'siluMul', (g, u) => (g / (1 + Math.exp(-g))) * u);
  }
  scale(xIn: Tensor, s: number): Tensor {
    const x = t(xIn, 'scale');
    return make(x.shape, x.data.map((v) => v * s));
  }
  softmax(xIn: Tensor): Tensor {
    const x = t(xIn, 'softmax');
    const [m, n] = rows2(x, 'softmax', 'x');
    const y = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      let mx = -Infinity;
      for (let j = 0; j < n; j++) mx = Math.max(mx, x.data[i * n + j]!);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += (y[i * n + j] = Math.exp(x.data[i * n + j]! - mx));
      for (let j = 0; j < n; j++) y[i * n + j]! /= sum;
    }
    return make([m, n], y);
  }

  embedding(tableIn: Tensor, ids: Int32Array): Tensor {
    const table = t(tableIn, 'embedding');
    const [v, d] = rows2(table, 'embedding', 'table');
    const y = new Float32Array(ids.length * d);
    ids.forEach((id, i) => {
      if (!(id >= 0 && id < v)) throw new Error(`embedding: token id ${id} at ${i} is outside the vocabulary [0, ${v})`);
      y.set(table.data.subarray(id * d, id * d + d), i * d);
    });
    return make([ids.length, d], y);
  }
  sliceCols(xIn: Tensor, groups: number, start: number, len: number): Tensor {
    const x = t(xIn, 'sliceCols');
    const [m, n] = rows2(x, 'sliceCols', 'x');
    const s = n / groups;
    if (!Number.isInteger(s) || start < 0 || len < 0 || start + len > s) throw new Error(`sliceCols: cannot take [${start}, ${start + len}) of ${groups} groups of ${n} columns`);
    const y = new Float32Array(m * groups * len);
    for (let i = 0; i < m; i++) for (let g = 0; g < groups; g++) y.set(x.data.subarray(i * n + g * s + start, i * n + g * s + start + len), (i * groups + g) * len);
    return make([m, groups * len], y);
  }
  concatCols(aIn: Tensor, bIn: Tensor, groups: number): Tensor {
    const a = t(aIn, 'concatCols'), b = t(bIn, 'concatCols');
    const [m, na] = rows2(a, 'concatCols', 'a'), [m2, nb] = rows2(b, 'concatCols', 'b');
    const ga = na / groups, gb = nb / groups;
    if (m !== m2 || !Number.isInteger(ga) || !Number.isInteger(gb)) throw new Error(`concatCols: cannot concat [${m}, ${na}] and [${m2}, ${nb}] in ${groups} groups`);
    const w = na + nb;
    const y = new Float32Array(m * w);
    for (let i = 0; i < m; i++)
      for (let g = 0; g < groups; g++) {
        y.set(a.data.subarray(i * na + g * ga, i * na + (g + 1) * ga), i * w + g * (ga + gb));
        y.set(b.data.subarray(i * nb + g * gb, i * nb + (g + 1) * gb), i * w + g * (ga + gb) + ga);
      }
    return make([m, w], y);
  }
  repeatCols(xIn: Tensor, times: number): Tensor {
    const x = t(xIn, 'repeatCols');
    const [m, n] = rows2(x, 'repeatCols', 'x');
    const y = new Float32Array(m * n * times);
    for (let i = 0; i < m; i++) for (let r = 0; r < times; r++) y.set(x.data.subarray(i * n, i * n + n), (i * times + r) * n);
    return make([m, n * times], y);
  }
  gatherRows(xIn: Tensor, rows: Int32Array): Tensor {
    const x = t(xIn, 'gatherRows');
    const [m, n] = rows2(x, 'gatherRows', 'x');
    const y = new Float32Array(rows.length * n);
    rows.forEach((r, i) => {
      if (!(r >= 0 && r < m)) throw new Error(`gatherRows: row ${r} is outside [0, ${m})`);
      y.set(x.data.subarray(r * n, r * n + n), i * n);
    });
    return make([rows.length, n], y);
  }
  scatterAddRows(dstIn: Tensor, srcIn: Tensor, rows: Int32Array, weights: Float32Array): Tensor {
    const dst = t(dstIn, 'scatterAddRows'), src = t(srcIn, 'scatterAddRows');
    const [m, n] = rows2(dst, 'scatterAddRows', 'dst'), [r, n2] = rows2(src, 'scatterAddRows', 'src');
    if (n !== n2 || rows.length !== r || weights.length !== r) throw new Error(`scatterAddRows: src [${r}, ${n2}], ${rows.length} rows and ${weights.length} weights do not match dst [${m}, ${n}]`);
    const y = Float32Array.from(dst.data);
    for (let i = 0; i < r; i++) {
      const row = rows[i]!, wt = weights[i]!;
      if (!(row >= 0 && row < m)) throw new Error(`scatterAddRows: row ${row} is outside [0, ${m})`);
      for (let j = 0; j < n; j++) y[row * n + j]! += wt * src.data[i * n + j]!;
    }
    return make([m, n], y);
  }
  writeRows(dstIn: Tensor, srcIn: Tensor, rows: Int32Array): void {
    const dst = t(dstIn, 'writeRows'), src = t(srcIn, 'writeRows');
    const [c, n] = rows2(dst, 'writeRows', 'dst'), [r, n2] = rows2(src, 'writeRows', 'src');
    if (n !== n2 || rows.length !== r) throw new Error(`writeRows: src [${r}, ${n2}] with ${rows.length} rows does not fit dst [${c}, ${n}]`);
    rows.forEach((row, i) => {
      if (!(row >= 0 && row < c)) throw new Error(`writeRows: row ${row} is outside [0, ${c})`);
      dst.data.set(src.data.subarray(i * n, i * n + n), row * n);
    });
  }

  writeLatentRows(dst: Tensor, kvaIn: Tensor, w: Tensor, eps: number, cos: Tensor, sin: Tensor, rows: Int32Array): void {
    const kva = t(kvaIn, 'writeLatentRows');
    const [, n] = rows2(kva, 'writeLatentRows', 'kva');
    const c = numel(t(w, 'writeLatentRows').shape);
    if (!(c < n)) throw new Error(`writeLatentRows: norm weight of ${c} leaves no rope columns in kva [${kva.shape.join(', ')}]`);
    const latent = this.rmsnorm(this.sliceCols(kva, 1, 0, c), w, eps);
    this.writeRows(dst, this.concatCols(latent, this.rope(this.sliceCols(kva, 1, c, n - c), cos, sin, 1), 1), rows);
  }

  moeRoute(logitsIn: Tensor, gate: GateConfig, biasIn?: Tensor): { experts: Tensor; weights: Tensor } {
    const logits = t(logitsIn, 'moeRoute');
    const [m, e] = rows2(logits, 'moeRoute', 'logits');
    if (e !== gate.nRoutedExperts) throw new Error(`moeRoute: logits have ${e} columns, expected ${gate.nRoutedExperts} experts`);
    const r = routeTokens(logits.data, gate, biasIn ? t(biasIn, 'moeRoute').data : undefined);
    const k = gate.numExpertsPerTok;
    return { experts: make([m, k], Float32Array.from(r.experts)), weights: make([m, k], r.weights) };
  }

  moeExperts(dstIn: Tensor, xIn: Tensor, w: ExpertStack, expertsIn: Tensor, weightsIn: Tensor): Tensor {
    const dst = t(dstIn, 'moeExperts'), x = t(xIn, 'moeExperts'), ex = t(expertsIn, 'moeExperts'), wt = t(weightsIn, 'moeExperts');
    const gate = t(w.gate, 'moeExperts'), up = t(w.up, 'moeExperts'), down = t(w.down, 'moeExperts');
    same(dst, x, 'moeExperts');
    same(ex, wt, 'moeExperts');
    const [m, d] = rows2(x, 'moeExperts', 'x'), [mk, k] = rows2(ex, 'moeExperts', 'experts');
    if (gate.shape.length !== 3) throw new Error(`moeExperts: gate must be [E, I, D], got [${gate.shape.join(', ')}]`);
    const [ne, inter, d2] = gate.shape as [number, number, number];
    same(gate, up, 'moeExperts');
    if (mk !== m || d2 !== d || down.shape.length !== 3 || down.shape[0] !== ne || down.shape[1] !== d || down.shape[2] !== inter)
      throw new Error(`moeExperts: x [${m}, ${d}], experts [${mk}, ${k}], gate [${gate.shape.join(', ')}], down [${down.shape.join(', ')}] do not fit`);
    const y = Float32Array.from(dst.data), h = new Float64Array(inter);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < k; j++) {
        const e = ex.data[i * k + j]!;
        if (!(Number.isInteger(e) && e >= 0 && e < ne)) throw new Error(`moeExperts: expert ${e} outside [0, ${ne})`);
        for (let n = 0; n < inter; n++) {
          const g = dot(x.data, i * d, gate.data, (e * inter + n) * d, d), u = dot(x.data, i * d, up.data, (e * inter + n) * d, d);
          h[n] = Math.fround((g / (1 + Math.exp(-g))) * u);
        }
        const hf = Float32Array.from(h);
        for (let c = 0; c < d; c++) y[i * d + c]! += wt.data[i * k + j]! * dot(hf, 0, down.data, (e * d + c) * inter, inter);
      }
    return make([m, d], y);
  }

  rope(xIn: Tensor, cosIn: Tensor, sinIn: Tensor, heads: number, slice?: RopeSlice): Tensor {
    if (slice) return this.rope(this.sliceCols(xIn, heads, slice.start, slice.len), cosIn, sinIn, heads);
    const x = t(xIn, 'rope'), cos = t(cosIn, 'rope'), sin = t(sinIn, 'rope');
    const [m, n] = rows2(x, 'rope', 'x');
    const r = n / heads, half = r / 2;
    if (!Number.isInteger(half)) throw new Error(`rope: ${n} columns are not ${heads} heads of an even size`);
    same(cos, sin, 'rope');
    if (cos.shape[0] !== m || cos.shape[1] !== half) throw new Error(`rope: cos/sin must be [${m}, ${half}], got [${cos.shape.join(', ')}]`);
    const y = new Float32Array(m * n);
    for (let i = 0; i < m; i++)
      for (let h = 0; h < heads; h++)
        for (let p = 0; p < half; p++) {
          const o = i * n + h * r + 2 * p, c = cos.data[i * half + p]!, s = sin.data[i * half + p]!;
          const a = x.data[o]!, b = x.data[o + 1]!;
          y[o] = a * c - b * s;
          y[o + 1] = a * s + b * c;
        }
    return make([m, n], y);
  }

  attention(qIn: Tensor, kIn: Tensor, vIn: Tensor, spans: Spans, opts: { heads: number; kvHeads: number; scale: number }): Tensor {
    const q = t(qIn, 'attention'), k = t(kIn, 'attention'), v = t(vIn, 'attention');
    const { heads: h, kvHeads: hk, scale } = opts;
    const [m, qn] = rows2(q, 'attention', 'q'), [s, kn] = rows2(k, 'attention', 'k'), [s2, vn] = rows2(v, 'attention', 'v');
    const dk = qn / h, dv = vn / hk;
    if (s !== s2 || h % hk !== 0 || kn !== hk * dk || !Number.isInteger(dv) || !Number.isInteger(dk))
      throw new Error(`attention: q [${m}, ${qn}], k [${s}, ${kn}], v [${s2}, ${vn}] do not fit ${h} heads over ${hk} kv heads`);
    checkSpans(spans, m, s, 'attention');
    const y = new Float32Array(m * h * dv);
    const rep = h / hk;
    for (let i = 0; i < m; i++) {
      const keys = spanRows(spans, i);
      const sc = new Float64Array(keys.length);
      for (let hh = 0; hh < h; hh++) {
        const g = Math.floor(hh / rep);
        keys.forEach((tk, j) => (sc[j] = scale * dot(q.data, i * qn + hh * dk, k.data, tk * kn + g * dk, dk)));
        softmaxInPlace(sc);
        const o = i * h * dv + hh * dv;
        keys.forEach((tk, j) => {
          const p = sc[j]!;
          for (let d = 0; d < dv; d++) y[o + d]! += p * v.data[tk * vn + g * dv + d]!;
        });
      }
    }
    return make([m, h * dv], y);
  }

  mlaAttention(qLatIn: Tensor, qPeIn: Tensor, cacheIn: Tensor, spans: Spans, opts: { heads: number; latentDim: number; ropeDim: number; scale: number }): Tensor {
    const qLat = t(qLatIn, 'mlaAttention'), qPe = t(qPeIn, 'mlaAttention'), cache = t(cacheIn, 'mlaAttention');
    const { heads: h, latentDim: c, ropeDim: r, scale } = opts;
    const [m, ln] = rows2(qLat, 'mlaAttention', 'qLat'), [m2, pn] = rows2(qPe, 'mlaAttention', 'qPe'), [s, w] = rows2(cache, 'mlaAttention', 'cache');
    if (m !== m2 || ln !== h * c || pn !== h * r || w !== c + r)
      throw new Error(`mlaAttention: qLat [${m}, ${ln}], qPe [${m2}, ${pn}], cache [${s}, ${w}] do not fit ${h} heads, latent ${c}, rope ${r}`);
    checkSpans(spans, m, s, 'mlaAttention');
    const y = new Float32Array(m * h * c);
    for (let i = 0; i < m; i++) {
      const keys = spanRows(spans, i);
      const sc = new Float64Array(keys.length);
      for (let hh = 0; hh < h; hh++) {
        keys.forEach((tk, j) => (sc[j] = scale * (dot(qLat.data, i * ln + hh * c, cache.data, tk * w, c) + dot(qPe.data, i * pn + hh * r, cache.data, tk * w + c, r))));
        softmaxInPlace(sc);
        const o = i * ln + hh * c;
        keys.forEach((tk, j) => {
          const p = sc[j]!;
          for (let d = 0; d < c; d++) y[o + d]! += p * cache.data[tk * w + d]!;
        });
      }
    }
    return make([m, h * c], y);
  }
}

function spanRows(spans: Spans, i: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < 2; a++) {
    const s = spans[4 * i + 2 * a]!, n = spans[4 * i + 2 * a + 1]!;
    for (let j = 0; j < n; j++) out.push(s + j);
  }
  return out;
}

function softmaxInPlace(x: Float64Array): void {
  let mx = -Infinity;
  for (const v of x) mx = Math.max(mx, v);
  let sum = 0;
  for (let j = 0; j < x.length; j++) sum += (x[j] = Math.exp(x[j]! - mx));
  for (let j = 0; j < x.length; j++) x[j]! /= sum;
}

export function createCpuOps(): Ops {
  return new CpuOps();
}

// WGSL sources of every compute kernel. Browser-safe: plain strings, no Node APIs. Each kernel runs
// 64 invocations per workgroup over a 2-D grid of workgroups (the dispatcher splits large counts across
// x and y to stay under maxComputeWorkgroupsPerDimension); `gid()` linearises it. Kernels avoid barriers
// and workgroup memory: on CPU drivers (lavapipe) those cost more than they save, and on GPUs these ops are small.

export const WG = 64;

const GID = `
fn gid(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 { return (wid.y * nwg.x + wid.x) * ${WG}u + lid.x; }
`;
const ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = gid(wid, nwg, lid);`;

/** Uniform struct of n u32 words named like the fields given (f32 fields are prefixed with 'f:'). */
function params(fields: readonly string[]): string {
  const body = fields.map((f) => (f.startsWith('f:') ? `  ${f.slice(2)}: f32,` : `  ${f}: u32,`)).join('\n');
  return `struct P {\n${body}\n}\n@group(0) @binding(0) var<uniform> p: P;\n`;
}

/**
 * A kernel over a flat invocation index `i`: the uniform block of `fields`, storage bindings 1.. in order
 * ('rw ' marks the read_write ones), helper functions, then `body` (which guards `i` itself).
 */
function kernel(fields: readonly string[], bindings: string[], body: string, helpers = ''): string {
  const binds = bindings
    .map((b, j) => `@group(0) @binding(${j + 1}) var<storage, ${b.startsWith('rw ') ? 'read_write' : 'read'}> ${b.replace(/^rw /, '')};`)
    .join('\n');
  return `${params(fields)}${binds}\n${GID}${helpers}\n${ENTRY}${body}\n}\n`;
}

/** Field order of every kernel's uniform block (the host writes values in this order). */
export const FIELDS = {
  matmul: ['M', 'N', 'K4', 'xStride4', 'xHead4', 'wHead4', 'yStride', 'yHead', 'tilesN', 'E', 'xDiv', 'lstride'],
  latentRows: ['R', 'C', 'D2', 'N', 'f:eps'],
  moeRoute: ['M', 'E', 'K', 'nGroup', 'topkGroup', 'method', 'sigmoid', 'norm', 'useBias', 'f:scaling'],
  moeLists: ['E', 'MK', 'lstride'],
  moeCombine: ['n', 'D', 'K', 'E'],
  rmsnorm: ['M', 'D', 'f:eps'],
  binary: ['n'],
  f16ToF32: ['n'],
  scale: ['n', 'f:s'],
  softmax: ['M', 'N'],
  embedding: ['n', 'D', 'V'],
  sliceCols: ['n', 'G', 'S', 'start', 'len'],
  concatCols: ['n', 'G', 'A', 'B'],
  repeatCols: ['n', 'S', 'times'],
  gatherRows: ['n', 'N'],
  scatterAdd: ['n', 'N', 'R'],
  writeRows: ['n', 'N'],
  rope: ['n', 'H', 'R2', 'S', 'start'],
  attnScores: ['n', 'H', 'L', 'A', 'B', 'qAStride', 'qBStride', 'kAStride', 'kAOff', 'kAHead', 'kBStride', 'kBOff', 'kBHead', 'group', 'f:scale', 'm0'],
  attnSoftmax: ['n', 'H', 'L', 'm0'],
  attnValues: ['n', 'H', 'L', 'Dv', 'vStride', 'vOff', 'vHead', 'group', 'm0'],
} as const satisfies Record<string, readonly string[]>;
export type KernelName = keyof typeof FIELDS;

/**
 * y[z][m, n] = Σ_k x[z][m, k] · w[z][n, k]. Each invocation computes a TM x TN block of outputs, loading
 * vec4s of K (or scalars when vw = 1) straight from storage into registers; the block loops are unrolled
 * here in the source so the accumulators stay in registers. z (workgroup_id.z) selects a head for headMatmul.
 * With `packedF16`, w holds f16 pairs packed in u32 (8 weights per vec4<u32>, K % 8 == 0), unpacked with
 * unpack2x16float: half the bytes of f32 and, on CPU drivers, a quarter of the gathered loads per weight;
 * it needs no shader-f16 feature. Then K4 counts vec4s of x and w rows are K4/2 vec4<u32> long.
 * With `dual`, a second weight w2 of the same shape is applied to the same x in the same pass (the gate and up
 * projections of a SiLU MLP) and the kernel also writes h = silu(y) · y2, the siluMul that follows them.
 */
export function matmulSource(tm: number, tn: number, vw: 1 | 4, packedF16 = false, dual = false, routed = false, residual = false): string {
  if (residual && (dual || routed)) throw new Error('internal: a residual matmul is neither dual nor routed');
  const vt = vw === 4 ? 'vec4<f32>' : 'f32';
  const kw = packedF16 ? '(p.K4 / 2u)' : 'p.K4';
  // dual: a second weight w2 against the same x (gate and up of a SiLU MLP), writing y, y2 and h = silu(y) * y2.
  // [binding, accumulator prefix, row-offset prefix, loaded-value prefix]
  const sets = dual ? [['w', 'acc', 'wr', 'wv'], ['w2', 'bcc', 'vr', 'uv']] : [['w', 'acc', 'wr', 'wv']];
  const decl: string[] = [];
  const body: string[] = [];
  const rows: string[] = [];
  if (packedF16) for (let a = 0; a < tm; a++) body.push(`let x${a}a = x[xr${a} + 2u * k];`, `let x${a}b = x[xr${a} + 2u * k + 1u];`);
  else for (let a = 0; a < tm; a++) body.push(`let x${a} = x[xr${a} + k];`);
  // routed: z is an expert; tile row a is entry m0+a of that expert's list of assignment rows (moeListsSource),
  // x row = assignment / xDiv (a token's row for gate/up, the assignment's own row for down), y row = assignment.
  if (routed)
    for (let a = 0; a < tm; a++)
      rows.push(`let r${a} = u32(lists[p.E + z * p.lstride + min(m0 + ${a}u, cnt - 1u)]);`, `let xr${a} = (r${a} / p.xDiv) * p.xStride4;`);
  else for (let a = 0; a < tm; a++) rows.push(`let xr${a} = p.xHead4 * z + min(m0 + ${a}u, p.M - 1u) * p.xStride4;`);
  for (const [w, acc, wr, v] of sets) {
    for (let a = 0; a < tm; a++) for (let b = 0; b < tn; b++) decl.push(`var ${acc}${a}_${b} = 0.0;`);
    for (let b = 0; b < tn; b++) rows.push(`let ${wr}${b} = p.wHead4 * z + min(n0 + ${b}u, p.N - 1u) * ${kw};`);
    for (let b = 0; b < tn; b++) {
      if (packedF16) {
        body.push(`let q${v}${b} = ${w}[${wr}${b} + k];`);
        body.push(`let ${v}${b}a = vec4<f32>(unpack2x16float(q${v}${b}.x), unpack2x16float(q${v}${b}.y));`);
        body.push(`let ${v}${b}b = vec4<f32>(unpack2x16float(q${v}${b}.z), unpack2x16float(q${v}${b}.w));`);
      } else body.push(`let ${v}${b} = ${w}[${wr}${b} + k];`);
    }
    for (let a = 0; a < tm; a++)
      for (let b = 0; b < tn; b++) {
        if (packedF16) body.push(`${acc}${a}_${b} += dot(x${a}a, ${v}${b}a) + dot(x${a}b, ${v}${b}b);`);
        else body.push(vw === 4 ? `${acc}${a}_${b} += dot(x${a}, ${v}${b});` : `${acc}${a}_${b} += x${a} * ${v}${b};`);
      }
  }
  const stores: string[] = [];
  for (let a = 0; a < tm; a++)
    for (let b = 0; b < tn; b++) {
      const at = routed ? `r${a} * p.yStride + n0 + ${b}u` : `p.yHead * z + (m0 + ${a}u) * p.yStride + n0 + ${b}u`;
      const silu = `let g = acc${a}_${b}; let u = bcc${a}_${b};`;
      const st = dual
        ? routed
          ? `${silu} h[${at}] = g / (1.0 + exp(-g)) * u;`
          : `let o = ${at}; ${silu} y[o] = g; y2[o] = u; h[o] = g / (1.0 + exp(-g)) * u;`
        : residual
          ? `let o = ${at}; y[o] = r[o] + acc${a}_${b};`
          : `y[${at}] = acc${a}_${b};`;
      stores.push(`if (m0 + ${a}u < ${routed ? 'cnt' : 'p.M'} && n0 + ${b}u < p.N) { ${st} }`);
    }
  const wt = packedF16 ? 'vec4<u32>' : vt;
  const ins = dual ? [`x: array<${vt}>`, `w: array<${wt}>`, `w2: array<${wt}>`] : [`x: array<${vt}>`, `w: array<${wt}>`];
  const outs = dual ? (routed ? ['rw h: array<f32>'] : ['rw y: array<f32>', 'rw y2: array<f32>', 'rw h: array<f32>']) : ['rw y: array<f32>'];
  const bindings = [...ins, ...(routed ? ['lists: array<i32>'] : []), ...(residual ? ['r: array<f32>'] : []), ...outs];
  return kernel(FIELDS.matmul, bindings, `
  let z = wid.z;
  let tile = i;
  let tm = tile / p.tilesN;
  let m0 = tm * ${tm}u;
  if (m0 >= p.M) { return; }${routed ? '\n  let cnt = u32(lists[z]);\n  if (m0 >= cnt) { return; }' : ''}
  let n0 = (tile % p.tilesN) * ${tn}u;
  ${rows.join('\n  ')}
  ${decl.join('\n  ')}
  for (var k = 0u; k < ${kw}; k++) {
    ${body.join('\n    ')}
  }
  ${stores.join('\n  ')}`);
}

export function rmsnormSource(): string {
  return kernel(FIELDS.rmsnorm, ['x: array<f32>', 'w: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.M) { return; }
  let base = i * p.D;
  var ss = 0.0;
  for (var d = 0u; d < p.D; d++) { let v = x[base + d]; ss += v * v; }
  let r = inverseSqrt(ss / f32(p.D) + p.eps);
  for (var d = 0u; d < p.D; d++) { y[base + d] = x[base + d] * r * w[d]; }`);
}

/** Elementwise a ∘ b for op = add | mul | siluMul. */
export function binarySource(op: 'add' | 'mul' | 'siluMul'): string {
  const expr = op === 'add' ? 'a[i] + b[i]' : op === 'mul' ? 'a[i] * b[i]' : 'a[i] / (1.0 + exp(-a[i])) * b[i]';
  return kernel(FIELDS.binary, ['a: array<f32>', 'b: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  y[i] = ${expr};`);
}

export function scaleSource(): string {
  return kernel(FIELDS.scale, ['x: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  y[i] = x[i] * p.s;`);
}

export function softmaxSource(): string {
  return kernel(FIELDS.softmax, ['x: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.M) { return; }
  let base = i * p.N;
  var mx = x[base];
  for (var j = 1u; j < p.N; j++) { mx = max(mx, x[base + j]); }
  var s = 0.0;
  for (var j = 0u; j < p.N; j++) { let e = exp(x[base + j] - mx); y[base + j] = e; s += e; }
  let inv = 1.0 / s;
  for (var j = 0u; j < p.N; j++) { y[base + j] = y[base + j] * inv; }`);
}

export function embeddingSource(f16Table = false): string {
  const at = f16Table ? 'return unpack2x16float(table[j / 2u])[j % 2u];' : 'return table[j];';
  return kernel(FIELDS.embedding, [`table: array<${f16Table ? 'u32' : 'f32'}>`, 'ids: array<i32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  let r = i / p.D;
  let id = u32(clamp(ids[r], 0, i32(p.V) - 1));
  y[i] = at(id * p.D + i % p.D);`, `\nfn at(j: u32) -> f32 { ${at} }`);
}

export function sliceColsSource(): string {
  return kernel(FIELDS.sliceCols, ['x: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  let rowOut = p.G * p.len;
  let m = i / rowOut;
  let c = i % rowOut;
  let g = c / p.len;
  y[i] = x[m * p.G * p.S + g * p.S + p.start + c % p.len];`);
}

export function concatColsSource(): string {
  return kernel(FIELDS.concatCols, ['a: array<f32>', 'b: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  let w = p.A + p.B;
  let rowOut = p.G * w;
  let m = i / rowOut;
  let c = i % rowOut;
  let g = c / w;
  let j = c % w;
  if (j < p.A) { y[i] = a[m * p.G * p.A + g * p.A + j]; } else { y[i] = b[m * p.G * p.B + g * p.B + j - p.A]; }`);
}

export function repeatColsSource(): string {
  return kernel(FIELDS.repeatCols, ['x: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  let rowOut = p.S * p.times;
  y[i] = x[(i / rowOut) * p.S + (i % rowOut) % p.S];`);
}

export function gatherRowsSource(): string {
  return kernel(FIELDS.gatherRows, ['x: array<f32>', 'rows: array<i32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  y[i] = x[u32(rows[i / p.N]) * p.N + i % p.N];`);
}

/** y = dst + Σ_r weights[r] · src[r] at row rows[r], one invocation per output element, rows in order (as the reference adds). */
export function scatterAddSource(): string {
  return kernel(FIELDS.scatterAdd, ['dst: array<f32>', 'src: array<f32>', 'rows: array<i32>', 'wts: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  let m = i32(i / p.N);
  let c = i % p.N;
  var acc = dst[i];
  for (var r = 0u; r < p.R; r++) {
    if (rows[r] == m) { acc += wts[r] * src[r * p.N + c]; }
  }
  y[i] = acc;`);
}

export function writeRowsSource(): string {
  return kernel(FIELDS.writeRows, ['src: array<f32>', 'rows: array<i32>', 'rw dst: array<f32>'], `
  if (i >= p.n) { return; }
  dst[u32(rows[i / p.N]) * p.N + i % p.N] = src[i];`);
}

/**
 * The MLA cache append, one invocation per row: kva row i = [latent (C) | k_pe (2·D2)] -> cache row rows[i] =
 * [latent · rsqrt(mean(latent²) + eps) · w | interleaved RoPE of k_pe with cos/sin row i]. N = C + 2·D2 (both strides).
 */
export function latentRowsSource(): string {
  return kernel(FIELDS.latentRows, ['kva: array<f32>', 'w: array<f32>', 'cs: array<f32>', 'sn: array<f32>', 'rows: array<i32>', 'rw dst: array<f32>'], `
  if (i >= p.R) { return; }
  let src = i * p.N;
  let d = u32(rows[i]) * p.N;
  var ss = 0.0;
  for (var c = 0u; c < p.C; c++) { let v = kva[src + c]; ss += v * v; }
  let r = inverseSqrt(ss / f32(p.C) + p.eps);
  for (var c = 0u; c < p.C; c++) { dst[d + c] = kva[src + c] * r * w[c]; }
  for (var j = 0u; j < p.D2; j++) {
    let co = cs[i * p.D2 + j];
    let si = sn[i * p.D2 + j];
    let a = kva[src + p.C + 2u * j];
    let b = kva[src + p.C + 2u * j + 1u];
    dst[d + p.C + 2u * j] = a * co - b * si;
    dst[d + p.C + 2u * j + 1u] = a * si + b * co;
  }`);
}

/** Interleaved-pair RoPE; one invocation per (row, head, pair). Head h of row m reads x from column h*S + start (S = 2·R2, start = 0 unless sliced). */
export function ropeSource(): string {
  return kernel(FIELDS.rope, ['x: array<f32>', 'cs: array<f32>', 'sn: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  let pair = i % p.R2;
  let m = i / (p.H * p.R2);
  let h = (i / p.R2) % p.H;
  let c = cs[m * p.R2 + pair];
  let s = sn[m * p.R2 + pair];
  let src = (m * p.H + h) * p.S + p.start + 2u * pair;
  let a = x[src];
  let b = x[src + 1u];
  y[2u * i] = a * c - b * s;
  y[2u * i + 1u] = a * s + b * c;`);
}

// Attention runs in three passes over a scratch [rows*H, L] score matrix (L = the longest span total) for a chunk
// of query rows starting at m0 (the host splits long prefills so the matrix stays within a storage binding):
// scores, a masked row softmax, then the probability-weighted sum of value rows. The key of query row m's
// j-th position is row s0+j for j < n0, else s1+(j-n0). Scores have two parts (A from qA·kA, B from qB·kB)
// so absorbed MLA (latent + rope key, both read from the cache) and plain attention share the kernels.
const SPAN_KEY = `
fn keyRow(m: u32, j: u32) -> u32 {
  let s0 = u32(spans[4u * m]); let n0 = u32(spans[4u * m + 1u]); let s1 = u32(spans[4u * m + 2u]);
  if (j < n0) { return s0 + j; }
  return s1 + j - n0;
}
fn spanLen(m: u32) -> u32 { return u32(spans[4u * m + 1u]) + u32(spans[4u * m + 3u]); }
`;

/** With vec4, q and k are read as vec4s (every width, stride and offset a multiple of 4, passed in vec4 units). */
export function attnScoresSource(vec4 = false): string {
  const t = vec4 ? 'vec4<f32>' : 'f32';
  const mac = (q: string, k: string) => (vec4 ? `s += dot(${q}, ${k});` : `s += ${q} * ${k};`);
  return kernel(FIELDS.attnScores, [`qA: array<${t}>`, `qB: array<${t}>`, `kA: array<${t}>`, `kB: array<${t}>`, 'spans: array<i32>', 'rw sc: array<f32>'], `
  if (i >= p.n) { return; }
  let j = i % p.L;
  let row = i / p.L;
  let m = p.m0 + row / p.H;
  let h = row % p.H;
  if (j >= spanLen(m)) { sc[i] = 0.0; return; }
  let t = keyRow(m, j);
  let kvh = h / p.group;
  var s = 0.0;
  let qa = m * p.qAStride + h * p.A;
  let ka = t * p.kAStride + p.kAOff + kvh * p.kAHead;
  for (var d = 0u; d < p.A; d++) { ${mac('qA[qa + d]', 'kA[ka + d]')} }
  let qb = m * p.qBStride + h * p.B;
  let kb = t * p.kBStride + p.kBOff + kvh * p.kBHead;
  for (var d = 0u; d < p.B; d++) { ${mac('qB[qb + d]', 'kB[kb + d]')} }
  sc[i] = s * p.scale;`, SPAN_KEY);
}

export function attnSoftmaxSource(): string {
  return kernel(FIELDS.attnSoftmax, ['spans: array<i32>', 'rw sc: array<f32>'], `
  if (i >= p.n) { return; }
  let len = spanLen(p.m0 + i / p.H);
  let base = i * p.L;
  var mx = sc[base];
  for (var j = 1u; j < len; j++) { mx = max(mx, sc[base + j]); }
  var s = 0.0;
  for (var j = 0u; j < len; j++) { let e = exp(sc[base + j] - mx); sc[base + j] = e; s += e; }
  let inv = 1.0 / s;
  for (var j = 0u; j < len; j++) { sc[base + j] = sc[base + j] * inv; }`, SPAN_KEY);
}

/**
 * With vec4 (Dv, vStride, vOff, vHead all multiples of 4) each invocation sums 4 adjacent value columns with vec4
 * loads: a quarter of the invocations and loads; the host then passes n, Dv, strides and offsets in vec4 units.
 */
export function attnValuesSource(vec4 = false): string {
  const t = vec4 ? 'vec4<f32>' : 'f32';
  return kernel(FIELDS.attnValues, ['pr: array<f32>', `v: array<${t}>`, 'spans: array<i32>', `rw y: array<${t}>`], `
  if (i >= p.n) { return; }
  let c = i % p.Dv;
  let row = i / p.Dv;
  let m = p.m0 + row / p.H;
  let h = row % p.H;
  let len = spanLen(m);
  let off = p.vOff + (h / p.group) * p.vHead + c;
  var acc = ${t}(0.0);
  for (var j = 0u; j < len; j++) { acc += pr[row * p.L + j] * v[keyRow(m, j) * p.vStride + off]; }
  y[p.m0 * p.H * p.Dv + i] = acc;`, SPAN_KEY);
}

/** f32 copy of an f16 tensor (an f16 weight used by an op without an f16 kernel). */
export function f16ToF32Source(): string {
  return kernel(FIELDS.f16ToF32, ['x: array<u32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  y[i] = unpack2x16float(x[i / 2u])[i % 2u];`);
}

/** Most routed experts (and groups) moeRouteSource handles: its per-token scratch arrays are this long (DeepSeek-V3 has 256). */
export const MAX_EXPERTS = 256;

/**
 * DeepSeekMoE routing, one invocation per token, the rule of moe-gate.ts in f32: scores (sigmoid or softmax), choice
 * scores (+ bias when useBias), group-limited choice (method 1: a group's max, 2: the sum of its top two; 0: none),
 * top-K with ties to the lower index, weights = unbiased scores of the chosen (normalised when norm) × scaling.
 * Writes experts [M, K] as f32 integers and weights [M, K]. Slots left when fewer than K experts are allowed get expert 0, weight 0.
 */
export function moeRouteSource(): string {
  return kernel(FIELDS.moeRoute, ['lg: array<f32>', 'bias: array<f32>', 'rw ex: array<f32>', 'rw wt: array<f32>'], `
  if (i >= p.M) { return; }
  var s: array<f32, ${MAX_EXPERTS}>;
  var sel: array<f32, ${MAX_EXPERTS}>;
  var ok: array<u32, ${MAX_EXPERTS}>;
  var chosen: array<u32, ${MAX_EXPERTS}>;
  let base = i * p.E;
  if (p.sigmoid == 1u) {
    for (var e = 0u; e < p.E; e++) { s[e] = 1.0 / (1.0 + exp(-lg[base + e])); }
  } else {
    var mx = lg[base];
    for (var e = 1u; e < p.E; e++) { mx = max(mx, lg[base + e]); }
    var sum = 0.0;
    for (var e = 0u; e < p.E; e++) { s[e] = exp(lg[base + e] - mx); sum += s[e]; }
    for (var e = 0u; e < p.E; e++) { s[e] = s[e] / sum; }
  }
  for (var e = 0u; e < p.E; e++) {
    sel[e] = s[e];
    if (p.useBias == 1u) { sel[e] = s[e] + bias[e]; }
    ok[e] = 1u;
  }
  if (p.method != 0u) {
    let gs = p.E / p.nGroup;
    var gsc: array<f32, ${MAX_EXPERTS}>;
    var gok: array<u32, ${MAX_EXPERTS}>;
    for (var g = 0u; g < p.nGroup; g++) {
      var b1 = sel[g * gs];
      var b2 = 0.0;
      var has2 = false;
      for (var j = 1u; j < gs; j++) {
        let v = sel[g * gs + j];
        if (v > b1) { b2 = b1; b1 = v; has2 = true; } else if (!has2 || v > b2) { b2 = v; has2 = true; }
      }
      gsc[g] = b1;
      if (p.method == 2u && has2) { gsc[g] = b1 + b2; }
      gok[g] = 0u;
    }
    for (var t = 0u; t < p.topkGroup && t < p.nGroup; t++) {
      var best = p.nGroup;
      for (var g = 0u; g < p.nGroup; g++) {
        if (gok[g] == 0u && (best == p.nGroup || gsc[g] > gsc[best])) { best = g; }
      }
      gok[best] = 1u;
    }
    for (var e = 0u; e < p.E; e++) { ok[e] = gok[e / gs]; }
  }
  var n = 0u;
  var total = 0.0;
  for (var j = 0u; j < p.K; j++) {
    var best = p.E;
    for (var e = 0u; e < p.E; e++) {
      if (ok[e] == 1u && (best == p.E || sel[e] > sel[best])) { best = e; }
    }
    if (best == p.E) { break; }
    ok[best] = 0u;
    chosen[j] = best;
    total += s[best];
    n = j + 1u;
  }
  let o = i * p.K;
  for (var j = 0u; j < p.K; j++) {
    if (j < n) {
      var w = s[chosen[j]];
      if (p.norm == 1u) { w = w / (total + 1e-20); }
      ex[o + j] = f32(chosen[j]);
      wt[o + j] = w * p.scaling;
    } else {
      ex[o + j] = 0.0;
      wt[o + j] = 0.0;
    }
  }`);
}

/**
 * Per-expert lists of assignment rows (assignment a = token m's k-th choice, a = m*K + k), one invocation per expert:
 * lists[e] = count, lists[E + e*lstride + c] = the c-th assignment routed to e, ascending. lstride = M*K, so any
 * experts tensor fits (an expert repeated within a token included). Out-of-range expert ids match no list.
 */
export function moeListsSource(): string {
  return kernel(FIELDS.moeLists, ['ex: array<f32>', 'rw lists: array<i32>'], `
  if (i >= p.E) { return; }
  var c = 0u;
  for (var a = 0u; a < p.MK; a++) {
    if (ex[a] == f32(i)) { lists[p.E + i * p.lstride + c] = i32(a); c++; }
  }
  lists[i] = i32(c);`);
}

/**
 * y[m, :] = dst[m, :] + Σ_k wt[m*K+k] · o[m*K+k, :] in k order (the routed experts' outputs, combined). An assignment
 * whose expert id is not an integer in [0, E) was in no list, so its o row was never written: it adds nothing.
 */
export function moeCombineSource(): string {
  return kernel(FIELDS.moeCombine, ['dst: array<f32>', 'o: array<f32>', 'ex: array<f32>', 'wt: array<f32>', 'rw y: array<f32>'], `
  if (i >= p.n) { return; }
  let m = i / p.D;
  let c = i % p.D;
  var acc = dst[i];
  for (var k = 0u; k < p.K; k++) {
    let a = m * p.K + k;
    let e = ex[a];
    if (e >= 0.0 && e < f32(p.E) && e == floor(e)) { acc += wt[a] * o[a * p.D + c]; }
  }
  y[i] = acc;`);
}

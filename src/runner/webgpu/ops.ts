/// <reference types="@webgpu/types" />
// The WebGPU implementation of `Ops` over any GPUDevice (Dawn in Node, navigator.gpu in a browser).
// Every op records a compute dispatch into the current command encoder and returns at once; the encoder is
// submitted only when a result is read (or an arena fills up), so a decode step costs one submit per readback.
// Tensor storage comes from a size-keyed pool: a freed buffer is handed to later ops, which is safe because
// every write to it (dispatches, copies, clears, staged uploads) is recorded in queue order after earlier reads.
import { f16ToF32, f32ToF16 } from '../dtype.js';
import { numel, type ExpertStack, type GateConfig, type Ops, type OpsInfo, type RopeSlice, type Spans, type Tensor } from '../ops.js';
import * as K from './kernels.js';
import { KernelProfiler, type KernelTime } from './profiler.js';

// GPUBufferUsage / GPUMapMode values from the WebGPU spec (the globals are absent in Node unless installed).
const MAP_READ = 1;
const MAP_WRITE = 2;
const COPY_SRC = 4;
const COPY_DST = 8;
const UNIFORM = 64;
const STORAGE = 128;
const TENSOR_USAGE = STORAGE | COPY_SRC | COPY_DST;

const SLOT = 256; // bytes per dispatch in the uniform arena (the usual minUniformBufferOffsetAlignment)
const SLOTS = 1024;
const HOST_BYTES = 1 << 22; // per-submit arena for small host inputs (ids, rows, spans, RoPE tables)

type Binding = GPUBuffer | GPUBufferBinding;
export type WeightStorage = 'f32' | 'f16' | 'auto';
const ceil16 = (n: number): number => Math.max(16, Math.ceil(n / 16) * 16);

class GpuTensor implements Tensor {
  freed = false;
  /** f32 copy of an f16 weight, made the first time an op other than matmul/embedding needs one. */
  f32Copy: GpuTensor | null = null;
  constructor(
    readonly shape: readonly number[],
    readonly buffer: GPUBuffer,
    readonly owner: WebGpuOps,
    readonly dtype: 'f32' | 'f16' = 'f32',
  ) {}
}

export interface WebGpuOpsOptions {
  /** Human-readable adapter description for info(). */
  description?: string;
  /**
   * Storage of 2-D/3-D 'weight' uploads. 'f16' (packed in u32, no shader-f16 needed) halves the bytes every matmul
   * reads; 'auto' (default) stores a weight as f16 only when every value survives the round trip (up to f16's
   * subnormal rounding, ≤ 3e-8): BF16 and F16 checkpoints, so results match the f32 path's; 'f32' never converts.
   */
  weightDtype?: WeightStorage;
  /** Most bytes of attention scores held at once; longer prefills run in chunks of query rows. Default 32 MiB. */
  attentionScoreBytes?: number;
  /** Time every dispatch with timestamp queries (needs the device feature 'timestamp-query'); see profile(). */
  profile?: boolean;
  /** Called by dispose() after the device is destroyed (Node: release the Dawn instance reference). */
  onDispose?: () => void;
}

export class WebGpuOps implements Ops {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  // Bind groups by (pipeline, uniform slot, every bound buffer and range): a decode step repeats the same
  // sequence of ops over the same pooled buffers, so after the first step nearly every dispatch hits.
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly params: GPUBuffer;
  private readonly paramWords = new ArrayBuffer(SLOT * SLOTS);
  private readonly paramU32 = new Uint32Array(this.paramWords);
  private readonly paramF32 = new Float32Array(this.paramWords);
  private slotsUsed = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private staging: GPUBuffer[] = [];
  // Host inputs of the ops recorded since the last submit, written with one writeBuffer just before it.
  private readonly host: GPUBuffer;
  private readonly hostBytes = new Uint8Array(HOST_BYTES);
  private hostUsed = 0;
  private readonly hostAlign: number;
  private readonly maxWg: number;
  private readonly maxBinding: number;
  private readonly weightStorage: WeightStorage;
  private f16Weights = 0;
  private deviceError: string | undefined;
  private readonly profiler: KernelProfiler | null;
  // The last one or two matmuls, not yet encoded: two over the same x followed by siluMul of their results (a SiLU
  // MLP's gate, up and product) become one dual-weight dispatch. Every other entry point encodes them first, in order.
  private pendingMm: { x: GpuTensor; w: GpuTensor; y: GpuTensor; M: number; N: number; Kd: number }[] = [];
  /** Live device bytes held by tensors and the pool (for the memory report). */
  bytesAllocated = 0;

  constructor(
    readonly device: GPUDevice,
    private readonly opts: WebGpuOpsOptions = {},
  ) {
    this.params = device.createBuffer({ size: SLOT * SLOTS, usage: UNIFORM | COPY_DST });
    this.maxWg = device.limits.maxComputeWorkgroupsPerDimension;
    this.host = device.createBuffer({ size: HOST_BYTES, usage: STORAGE | COPY_SRC | COPY_DST });
    this.maxBinding = device.limits.maxStorageBufferBindingSize;
    // Validation errors surface asynchronously; keep the first one and report it from the next read().
    device.addEventListener('uncapturederror', (ev) => {
      this.deviceError ??= (ev as GPUUncapturedErrorEvent).error.message;
    });
    this.hostAlign = Math.max(16, device.limits.minStorageBufferOffsetAlignment);
    this.weightStorage = opts.weightDtype ?? 'auto';
    if (opts.profile && !device.features.has('timestamp-query')) throw new Error('WebGPU: profiling needs the timestamp-query feature, which this device lacks');
    this.profiler = opts.profile ? new KernelProfiler(device, SLOTS) : null;
  }

  /** GPU time per kernel since the last call (only with the `profile` option). */
  async profile(): Promise<KernelTime[]> {
    if (!this.profiler) throw new Error('WebGPU: profile() needs the profile option');
    this.flush();
    const r = await this.profiler.report();
    this.profiler.reset();
    return r;
  }

  /** weightDtype is 'f16' once any weight is stored as f16 (with 'auto' that loses nothing). */
  info(): OpsInfo {
    const f16 = this.weightStorage === 'f16' || this.f16Weights > 0;
    return { backend: 'webgpu', device: this.opts.description ?? 'webgpu device', weightDtype: f16 ? 'f16' : 'f32' };
  }

  /**
   * f16 bits of `data`, or null in 'auto' mode when some value would change by more than f16's subnormal rounding
   * (2^-25): BF16 and F16 weights convert exactly except magnitudes below 2^-14, which land on f16's subnormal
   * grid; any f32 value with more than 11 significant bits, or beyond ±65504, keeps the tensor in f32.
   */
  private toF16(data: Float32Array): Uint16Array | null {
    const h = new Uint16Array(data.length);
    const strict = this.weightStorage === 'auto';
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      const b = f32ToF16(v);
      if (strict && !(Math.abs(f16ToF32(b) - v) <= 2 ** -25) && !Number.isNaN(v)) return null;
      h[i] = b;
    }
    return h;
  }

  // ------------------------------------------------------------------ memory

  private allocBuffer(bytes: number): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const free = this.pool.get(size);
    const b = free?.pop();
    if (b) return b;
    this.bytesAllocated += size;
    return this.device.createBuffer({ size, usage: TENSOR_USAGE });
  }

  private tensor(shape: readonly number[]): GpuTensor {
    return new GpuTensor([...shape], this.allocBuffer(numel(shape) * 4), this);
  }

  /** The tensor as stored (f32 or f16): only matmul, headMatmul and embedding read f16 directly. */
  private stored(t: Tensor, op: string, name: string): GpuTensor {
    if (!(t instanceof GpuTensor) || t.owner !== this) throw new Error(`${op}: ${name} is not a tensor of this WebGPU backend`);
    if (t.freed) throw new Error(`${op}: ${name} was freed`);
    return t;
  }

  /** The tensor as f32 (an f16 weight gets a cached f32 copy). */
  private check(t: Tensor, op: string, name: string): GpuTensor {
    const g = this.stored(t, op, name);
    if (g.dtype === 'f32') return g;
    if (!g.f32Copy) {
      const c = this.tensor(g.shape);
      const n = numel(g.shape);
      this.simple('f16ToF32', K.f16ToF32Source, [n], [g.buffer, c.buffer], n);
      g.f32Copy = c;
    }
    return g.f32Copy;
  }

  /** Make room for `bytes` of host inputs and `dispatches` uniform slots in the current submit (flushing if needed). */
  private reserve(bytes: number, dispatches: number): void {
    if (this.slotsUsed + dispatches > SLOTS || this.hostUsed + bytes > HOST_BYTES) this.flush();
  }

  private hostSpace(data: ArrayBufferView): number {
    return Math.ceil(ceil16(data.byteLength) / this.hostAlign) * this.hostAlign;
  }

  /** Place host bytes in the arena (space must have been reserved); returns the binding of that slice. */
  private hostSlice(data: ArrayBufferView): GPUBufferBinding {
    const offset = this.hostUsed;
    this.hostBytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    this.hostUsed += this.hostSpace(data);
    return { buffer: this.host, offset, size: ceil16(data.byteLength) };
  }

  /** Small host inputs of one op with `dispatches` dispatches, bound straight from the arena. */
  private hostArgs(dispatches: number, ...arrays: (Int32Array | Float32Array)[]): Binding[] {
    const total = arrays.reduce((a, d) => a + this.hostSpace(d), 0);
    if (total > HOST_BYTES) {
      return arrays.map((d) => {
        const t = this.tensor([Math.max(1, d.length)]);
        this.stage(t.buffer, d);
        this.pendingFree.push(t);
        return t.buffer;
      });
    }
    this.reserve(total, dispatches);
    return arrays.map((d) => this.hostSlice(d));
  }
  private pendingFree: GpuTensor[] = [];

  /** Copy host bytes into `dst` in encoder order: through the arena when small, else a mapped staging buffer. */
  private stage(dst: GPUBuffer, data: ArrayBufferView): void {
    const bytes = Math.ceil(data.byteLength / 4) * 4;
    if (bytes === 0) return;
    if (this.hostSpace(data) <= HOST_BYTES / 4) {
      this.reserve(this.hostSpace(data), 0);
      const slice = this.hostSlice(data);
      this.endPass().copyBufferToBuffer(this.host, slice.offset ?? 0, dst, 0, bytes);
      return;
    }
    const s = this.device.createBuffer({ size: bytes, usage: MAP_WRITE | COPY_SRC, mappedAtCreation: true });
    new Uint8Array(s.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    s.unmap();
    this.endPass().copyBufferToBuffer(s, 0, dst, 0, bytes);
    this.staging.push(s);
  }

  upload(data: Float32Array, shape: readonly number[], kind: 'weight' | 'activation' = 'activation'): Tensor {
    if (data.length !== numel(shape)) throw new Error(`upload: data has ${data.length} values, shape [${shape.join(', ')}] needs ${numel(shape)}`);
    const half = kind === 'weight' && this.weightStorage !== 'f32' && shape.length >= 2 ? this.toF16(data) : null;
    if (half) {
      const size = Math.max(16, Math.ceil((data.length * 2) / 16) * 16);
      const buffer = this.device.createBuffer({ size, usage: TENSOR_USAGE, mappedAtCreation: true });
      new Uint16Array(buffer.getMappedRange(), 0, data.length).set(half);
      buffer.unmap();
      this.bytesAllocated += size;
      this.f16Weights++;
      return new GpuTensor([...shape], buffer, this, 'f16');
    }
    if (kind === 'weight') {
      // Weights get their own buffer filled at creation: no staging copy, never pooled while in use.
      const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
      const buffer = this.device.createBuffer({ size, usage: TENSOR_USAGE, mappedAtCreation: true });
      new Float32Array(buffer.getMappedRange(), 0, data.length).set(data);
      buffer.unmap();
      this.bytesAllocated += size;
      return new GpuTensor([...shape], buffer, this);
    }
    this.settle(); // a pooled buffer may be reused below: held matmuls must be encoded first
    const t = this.tensor(shape);
    this.stage(t.buffer, data);
    return t;
  }

  zeros(shape: readonly number[]): Tensor {
    this.settle();
    const t = this.tensor(shape);
    this.endPass().clearBuffer(t.buffer);
    return t;
  }

  async read(t: Tensor): Promise<Float32Array> {
    this.settle();
    const g = this.check(t, 'read', 'tensor');
    const n = numel(g.shape);
    const bytes = Math.max(16, Math.ceil((n * 4) / 16) * 16);
    const s = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    this.endPass().copyBufferToBuffer(g.buffer, 0, s, 0, bytes);
    this.flush();
    await s.mapAsync(1);
    const out = new Float32Array(n);
    out.set(new Float32Array(s.getMappedRange(), 0, n));
    s.unmap();
    s.destroy();
    if (this.deviceError) throw new Error(`WebGPU device error: ${this.deviceError}`);
    return out;
  }

  free(t: Tensor): void {
    this.settle();
    if (!(t instanceof GpuTensor) || t.owner !== this) throw new Error('free: not a tensor of this WebGPU backend');
    if (t.freed) return;
    const g = t;
    g.freed = true;
    if (g.f32Copy) this.free(g.f32Copy);
    const list = this.pool.get(g.buffer.size) ?? [];
    list.push(g.buffer);
    this.pool.set(g.buffer.size, list);
  }

  /** Submit everything recorded so far. */
  flush(): void {
    this.settle();
    if (!this.encoder) return;
    this.endPass();
    const enc = this.encoder;
    this.encoder = null;
    if (this.slotsUsed > 0) this.device.queue.writeBuffer(this.params, 0, this.paramWords, 0, this.slotsUsed * SLOT);
    if (this.hostUsed > 0) this.device.queue.writeBuffer(this.host, 0, this.hostBytes, 0, this.hostUsed);
    this.slotsUsed = 0;
    this.hostUsed = 0;
    const profiled = this.profiler?.resolve(enc);
    this.device.queue.submit([enc.finish()]);
    profiled?.();
    for (const s of this.staging) s.destroy();
    this.staging = [];
    const done = this.pendingFree;
    this.pendingFree = [];
    for (const t of done) this.free(t);
  }

  /** Wait until the device has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Drop pooled buffers (tensors still alive are untouched). Recorded work that may use them is submitted first. */
  trim(): void {
    this.flush();
    this.bindGroups.clear();
    for (const list of this.pool.values()) for (const b of list) { this.bytesAllocated -= b.size; b.destroy(); }
    this.pool.clear();
  }

  dispose(): void {
    this.flush();
    this.trim();
    this.device.destroy();
    this.opts.onDispose?.();
  }

  // ------------------------------------------------------------------ dispatch machinery

  private enc(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private endPass(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    return this.enc();
  }

  private pipeline(key: string, source: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: source(), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Record one dispatch of `threads` invocations (times `z` heads). */
  private dispatch(
    name: K.KernelName,
    key: string,
    source: () => string,
    values: number[],
    buffers: Binding[],
    threads: number,
    z = 1,
  ): void {
    if (threads === 0 || z === 0) return;
    if (this.slotsUsed === SLOTS) this.flush();
    const fields = K.FIELDS[name];
    if (values.length !== fields.length) throw new Error(`internal: ${name} takes ${fields.length} params, got ${values.length}`);
    const base = (this.slotsUsed * SLOT) / 4;
    fields.forEach((f, j) => {
      if (f.startsWith('f:')) this.paramF32[base + j] = values[j] ?? 0;
      else this.paramU32[base + j] = values[j] ?? 0;
    });
    const offset = this.slotsUsed * SLOT;
    this.slotsUsed++;
    const pipe = this.pipeline(key, source);
    const bind = this.bindGroup(key, pipe, offset, buffers);
    if (this.profiler) this.pass = this.endPass().beginComputePass(this.profiler.pass(key));
    this.pass ??= this.enc().beginComputePass();
    this.pass.setPipeline(pipe);
    this.pass.setBindGroup(0, bind);
    const groups = Math.ceil(threads / K.WG);
    const gx = Math.min(groups, this.maxWg);
    const gy = Math.ceil(groups / gx);
    if (gy > this.maxWg) throw new Error(`${name}: ${threads} invocations exceed the dispatch limit`);
    this.pass.dispatchWorkgroups(gx, gy, z);
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(b, id);
    }
    return id;
  }

  private bindGroup(key: string, pipe: GPUComputePipeline, offset: number, buffers: Binding[]): GPUBindGroup {
    const bindings: GPUBufferBinding[] = buffers.map((b) => ('buffer' in b && !('mapState' in b) ? b : { buffer: b as GPUBuffer }));
    let cacheKey = `${key}@${offset}`;
    for (const b of bindings) cacheKey += `:${this.bufferId(b.buffer)}+${b.offset ?? 0}+${b.size ?? -1}`;
    let bind = this.bindGroups.get(cacheKey);
    if (!bind) {
      for (const b of bindings)
        if ((b.size ?? b.buffer.size) > this.maxBinding)
          throw new Error(`${key}: a ${b.buffer.size}-byte tensor exceeds this device's maxStorageBufferBindingSize (${this.maxBinding} bytes)`);
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.params, offset, size: SLOT } }];
      bindings.forEach((resource, j) => entries.push({ binding: j + 1, resource }));
      bind = this.device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries });
      if (this.bindGroups.size >= 8192) this.bindGroups.clear();
      this.bindGroups.set(cacheKey, bind);
    }
    return bind;
  }

  private simple(name: K.KernelName, source: () => string, values: number[], buffers: Binding[], threads: number): void {
    this.dispatch(name, name, source, values, buffers, threads);
  }

  // ------------------------------------------------------------------ linear algebra

  /** An f16 weight is read packed by the matmul kernel when rows hold whole vec4<u32>s (K % 8 == 0); else its f32 copy. */
  private weightOperand(t: Tensor, op: string): GpuTensor {
    const g = this.stored(t, op, 'w');
    const Kd = g.shape[g.shape.length - 1] ?? 0;
    return g.dtype === 'f16' && Kd % 8 === 0 ? g : this.check(t, op, 'w');
  }

  /** Shared by matmul and headMatmul: z heads, x rows of xStride numbers, head z at column z*K. */
  private gemm(
    x: GpuTensor,
    w: GpuTensor,
    y: GpuTensor,
    M: number,
    N: number,
    Kd: number,
    heads: number,
    xStride: number,
    yStride: number,
    dual?: { w2: GpuTensor; y2: GpuTensor; h: GpuTensor },
    residual?: GpuTensor,
    xHead = Kd,
  ): void {
    let f16 = w.dtype === 'f16';
    const vw = Kd % 4 === 0 && xStride % 4 === 0 && xHead % 4 === 0 ? 4 : 1;
    if (f16 && (Kd % 8 !== 0 || vw !== 4)) {
      w = this.check(w, 'matmul', 'w'); // x columns not in whole vec4s: the packed kernel cannot read them
      f16 = false;
    }
    // 4 rows x 8 columns per invocation measured fastest on lavapipe (bench/webgpu.ts; 2/16 columns and 2/8 rows were slower).
    // A few-row GEMV narrows the column block until there are >= 4 workgroups (heads included), so it can spread
    // over several threads or GPU cores: CPU time per weight measured the same for 1, 2, 4 and 8 columns.
    // The dual kernel holds two accumulator blocks, so it takes half the columns.
    const tm = M >= 4 ? 4 : M;
    let tn = dual ? 4 : 8;
    while (tn > 1 && Math.ceil((Math.ceil(M / tm) * Math.ceil(N / tn)) / K.WG) * heads < 4) tn /= 2;
    const tilesN = Math.ceil(N / tn);
    const tiles = Math.ceil(M / tm) * tilesN;
    const key = `matmul${dual ? '2' : residual ? '+' : ''}:${tm}:${tn}:${vw}:${f16}`;
    this.dispatch(
      'matmul',
      key,
      () => K.matmulSource(tm, tn, vw as 1 | 4, f16, !!dual, false, !!residual),
      [M, N, Kd / vw, xStride / vw, xHead / vw, f16 ? (N * Kd) / 8 : (N * Kd) / vw, yStride, N, tilesN, 0, 1, 0],
      dual ? [x.buffer, w.buffer, dual.w2.buffer, y.buffer, dual.y2.buffer, dual.h.buffer] : residual ? [x.buffer, w.buffer, residual.buffer, y.buffer] : [x.buffer, w.buffer, y.buffer],
      tiles,
      heads,
    );
  }

  matmul(xt: Tensor, wt: Tensor): Tensor {
    const x = this.check(xt, 'matmul', 'x');
    const w = this.weightOperand(wt, 'matmul');
    if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1])
      throw new Error(`matmul: x [${x.shape.join(', ')}] and w [${w.shape.join(', ')}] need x [M, K] and w [N, K]`);
    const [M, Kd] = x.shape as [number, number];
    const N = w.shape[0] as number;
    const y = this.tensor([M, N]);
    const first = this.pendingMm[0];
    const pairs = this.pendingMm.length === 1 && first!.x === x && first!.N === N && first!.w.dtype === w.dtype;
    if (!pairs) this.settle();
    this.pendingMm.push({ x, w, y, M, N, Kd });
    return y;
  }

  matmulAdd(xt: Tensor, wt: Tensor, rt: Tensor): Tensor {
    this.settle();
    const x = this.check(xt, 'matmulAdd', 'x');
    const w = this.weightOperand(wt, 'matmulAdd');
    const r = this.check(rt, 'matmulAdd', 'r');
    if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1] || r.shape.length !== 2 || r.shape[0] !== x.shape[0] || r.shape[1] !== w.shape[0])
      throw new Error(`matmulAdd: x [${x.shape.join(', ')}], w [${w.shape.join(', ')}] and r [${r.shape.join(', ')}] need x [M, K], w [N, K], r [M, N]`);
    const [M, Kd] = x.shape as [number, number];
    const N = w.shape[0] as number;
    const y = this.tensor([M, N]);
    this.gemm(x, w, y, M, N, Kd, 1, Kd, N, undefined, r);
    return y;
  }

  /** Encode the matmuls held back for fusion, in order. */
  private settle(): void {
    if (this.pendingMm.length === 0) return;
    const held = this.pendingMm;
    this.pendingMm = [];
    for (const m of held) this.gemm(m.x, m.w, m.y, m.M, m.N, m.Kd, 1, m.Kd, m.N);
  }

  headMatmul(xt: Tensor, wt: Tensor): Tensor {
    this.settle();
    const x = this.check(xt, 'headMatmul', 'x');
    const w = this.weightOperand(wt, 'headMatmul');
    if (x.shape.length !== 2 || w.shape.length !== 3) throw new Error(`headMatmul: x [${x.shape.join(', ')}] must be [M, H*K] and w [${w.shape.join(', ')}] [H, N, K]`);
    const [H, N, Kd] = w.shape as [number, number, number];
    const [M, cols] = x.shape as [number, number];
    const S = cols / H;
    if (!(Number.isInteger(S) && S >= Kd)) throw new Error(`headMatmul: x has ${cols} columns, w [${H}, ${N}, ${Kd}] needs H*S with S >= ${Kd}`);
    const y = this.tensor([M, H * N]);
    this.gemm(x, w, y, M, N, Kd, H, cols, H * N, undefined, undefined, S);
    return y;
  }

  // ------------------------------------------------------------------ elementwise / norms

  rmsnorm(xt: Tensor, wt: Tensor, eps: number): Tensor {
    this.settle();
    const x = this.check(xt, 'rmsnorm', 'x');
    const w = this.check(wt, 'rmsnorm', 'w');
    const D = x.shape[x.shape.length - 1] ?? 0;
    if (numel(w.shape) !== D) throw new Error(`rmsnorm: w has ${numel(w.shape)} values, rows of x have ${D}`);
    const M = numel(x.shape) / Math.max(D, 1);
    const y = this.tensor(x.shape);
    this.simple('rmsnorm', K.rmsnormSource, [M, D, eps], [x.buffer, w.buffer, y.buffer], M);
    return y;
  }

  private binary(op: 'add' | 'mul' | 'siluMul', at: Tensor, bt: Tensor): Tensor {
    this.settle();
    const a = this.check(at, op, 'a');
    const b = this.check(bt, op, 'b');
    if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
      throw new Error(`${op}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
    const y = this.tensor(a.shape);
    const n = numel(a.shape);
    this.dispatch('binary', `binary:${op}`, () => K.binarySource(op), [n], [a.buffer, b.buffer, y.buffer], n);
    return y;
  }

  add(a: Tensor, b: Tensor): Tensor {
    return this.binary('add', a, b);
  }
  mul(a: Tensor, b: Tensor): Tensor {
    return this.binary('mul', a, b);
  }
  siluMul(gate: Tensor, up: Tensor): Tensor {
    const [a, b] = this.pendingMm;
    if (this.pendingMm.length === 2 && gate === a!.y && up === b!.y && !a!.y.freed && !b!.y.freed) {
      this.pendingMm = [];
      const h = this.tensor(a!.y.shape);
      this.gemm(a!.x, a!.w, a!.y, a!.M, a!.N, a!.Kd, 1, a!.Kd, a!.N, { w2: b!.w, y2: b!.y, h });
      return h;
    }
    return this.binary('siluMul', gate, up);
  }

  scale(xt: Tensor, s: number): Tensor {
    this.settle();
    const x = this.check(xt, 'scale', 'x');
    const y = this.tensor(x.shape);
    const n = numel(x.shape);
    this.simple('scale', K.scaleSource, [n, s], [x.buffer, y.buffer], n);
    return y;
  }

  softmax(xt: Tensor): Tensor {
    this.settle();
    const x = this.check(xt, 'softmax', 'x');
    const N = x.shape[x.shape.length - 1] ?? 0;
    const M = N === 0 ? 0 : numel(x.shape) / N;
    const y = this.tensor(x.shape);
    this.simple('softmax', K.softmaxSource, [M, N], [x.buffer, y.buffer], M);
    return y;
  }

  // ------------------------------------------------------------------ shape / indexing

  private rows2(t: GpuTensor, op: string, name: string): [number, number] {
    if (t.shape.length !== 2) throw new Error(`${op}: ${name} must be 2-D, got [${t.shape.join(', ')}]`);
    return t.shape as unknown as [number, number];
  }

  embedding(tt: Tensor, ids: Int32Array): Tensor {
    this.settle();
    const table = this.stored(tt, 'embedding', 'table');
    const [V, D] = this.rows2(table, 'embedding', 'table');
    for (const id of ids) if (!(id >= 0 && id < V)) throw new Error(`embedding: id ${id} outside [0, ${V})`);
    const y = this.tensor([ids.length, D]);
    const [idb] = this.hostArgs(1, ids);
    const n = ids.length * D;
    const f16 = table.dtype === 'f16';
    this.dispatch('embedding', `embedding:${f16}`, () => K.embeddingSource(f16), [n, D, V], [table.buffer, idb!, y.buffer], n);
    return y;
  }

  sliceCols(xt: Tensor, groups: number, start: number, len: number): Tensor {
    this.settle();
    const x = this.check(xt, 'sliceCols', 'x');
    const [M, cols] = this.rows2(x, 'sliceCols', 'x');
    const S = cols / groups;
    if (!Number.isInteger(S) || start < 0 || len < 0 || start + len > S)
      throw new Error(`sliceCols: cannot take [${start}, ${start + len}) of ${groups} groups of x [${M}, ${cols}]`);
    const y = this.tensor([M, groups * len]);
    const n = M * groups * len;
    this.simple('sliceCols', K.sliceColsSource, [n, groups, S, start, len], [x.buffer, y.buffer], n);
    return y;
  }

  concatCols(at: Tensor, bt: Tensor, groups: number): Tensor {
    this.settle();
    const a = this.check(at, 'concatCols', 'a');
    const b = this.check(bt, 'concatCols', 'b');
    const [M, ca] = this.rows2(a, 'concatCols', 'a');
    const [Mb, cb] = this.rows2(b, 'concatCols', 'b');
    if (M !== Mb || ca % groups !== 0 || cb % groups !== 0)
      throw new Error(`concatCols: a [${M}, ${ca}] and b [${Mb}, ${cb}] do not split into ${groups} groups of equal rows`);
    const y = this.tensor([M, ca + cb]);
    const n = M * (ca + cb);
    this.simple('concatCols', K.concatColsSource, [n, groups, ca / groups, cb / groups], [a.buffer, b.buffer, y.buffer], n);
    return y;
  }

  repeatCols(xt: Tensor, times: number): Tensor {
    this.settle();
    const x = this.check(xt, 'repeatCols', 'x');
    const [M, S] = this.rows2(x, 'repeatCols', 'x');
    if (!Number.isInteger(times) || times < 1) throw new Error(`repeatCols: times must be a positive integer, got ${times}`);
    const y = this.tensor([M, S * times]);
    const n = M * S * times;
    this.simple('repeatCols', K.repeatColsSource, [n, S, times], [x.buffer, y.buffer], n);
    return y;
  }

  private checkRows(rows: Int32Array, M: number, op: string): void {
    for (const r of rows) if (!(r >= 0 && r < M)) throw new Error(`${op}: row ${r} outside [0, ${M})`);
  }

  gatherRows(xt: Tensor, rows: Int32Array): Tensor {
    this.settle();
    const x = this.check(xt, 'gatherRows', 'x');
    const [M, N] = this.rows2(x, 'gatherRows', 'x');
    this.checkRows(rows, M, 'gatherRows');
    const y = this.tensor([rows.length, N]);
    const [rb] = this.hostArgs(1, rows);
    const n = rows.length * N;
    this.simple('gatherRows', K.gatherRowsSource, [n, N], [x.buffer, rb!, y.buffer], n);
    return y;
  }

  scatterAddRows(dt: Tensor, st: Tensor, rows: Int32Array, weights: Float32Array): Tensor {
    this.settle();
    const dst = this.check(dt, 'scatterAddRows', 'dst');
    const src = this.check(st, 'scatterAddRows', 'src');
    const [M, N] = this.rows2(dst, 'scatterAddRows', 'dst');
    const [R, Ns] = this.rows2(src, 'scatterAddRows', 'src');
    if (Ns !== N || rows.length !== R || weights.length !== R)
      throw new Error(`scatterAddRows: src [${R}, ${Ns}], ${rows.length} rows and ${weights.length} weights do not match dst [${M}, ${N}]`);
    this.checkRows(rows, M, 'scatterAddRows');
    const y = this.tensor([M, N]);
    const [rb, wb] = this.hostArgs(1, rows, weights);
    this.simple('scatterAdd', K.scatterAddSource, [M * N, N, R], [dst.buffer, src.buffer, rb!, wb!, y.buffer], M * N);
    return y;
  }

  writeRows(dt: Tensor, st: Tensor, rows: Int32Array): void {
    this.settle();
    const dst = this.check(dt, 'writeRows', 'dst');
    const src = this.check(st, 'writeRows', 'src');
    const [C, N] = this.rows2(dst, 'writeRows', 'dst');
    const [R, Ns] = this.rows2(src, 'writeRows', 'src');
    if (Ns !== N || rows.length !== R) throw new Error(`writeRows: src [${R}, ${Ns}] with ${rows.length} rows does not fit dst [${C}, ${N}]`);
    this.checkRows(rows, C, 'writeRows');
    const [rb] = this.hostArgs(1, rows);
    const n = R * N;
    this.simple('writeRows', K.writeRowsSource, [n, N], [src.buffer, rb!, dst.buffer], n);
  }

  writeLatentRows(dt: Tensor, kt: Tensor, wt: Tensor, eps: number, ct: Tensor, stt: Tensor, rows: Int32Array): void {
    this.settle();
    const dst = this.check(dt, 'writeLatentRows', 'dst');
    const kva = this.check(kt, 'writeLatentRows', 'kva');
    const w = this.check(wt, 'writeLatentRows', 'w');
    const cos = this.check(ct, 'writeLatentRows', 'cos');
    const sin = this.check(stt, 'writeLatentRows', 'sin');
    const [S, N] = this.rows2(dst, 'writeLatentRows', 'dst');
    const [R, Nk] = this.rows2(kva, 'writeLatentRows', 'kva');
    const C = numel(w.shape);
    const D2 = (N - C) / 2;
    const table = (t: GpuTensor) => t.shape.length === 2 && t.shape[0] === R && t.shape[1] === D2;
    if (Nk !== N || rows.length !== R || !(Number.isInteger(D2) && D2 > 0) || !table(cos) || !table(sin))
      throw new Error(`writeLatentRows: kva [${R}, ${Nk}], ${rows.length} rows, w [${C}], cos [${cos.shape.join(', ')}], sin [${sin.shape.join(', ')}] do not fit dst [${S}, ${N}]`);
    this.checkRows(rows, S, 'writeLatentRows');
    const [rb] = this.hostArgs(1, rows);
    this.simple('latentRows', K.latentRowsSource, [R, C, D2, N, eps], [kva.buffer, w.buffer, cos.buffer, sin.buffer, rb!, dst.buffer], R);
  }

  // ------------------------------------------------------------------ mixture of experts

  moeRoute(lt: Tensor, gate: GateConfig, bt?: Tensor): { experts: Tensor; weights: Tensor } {
    this.settle();
    const logits = this.check(lt, 'moeRoute', 'logits');
    const [M, E] = this.rows2(logits, 'moeRoute', 'logits');
    const k = gate.numExpertsPerTok;
    if (E !== gate.nRoutedExperts) throw new Error(`moeRoute: logits have ${E} columns, expected ${gate.nRoutedExperts} experts`);
    if (E > K.MAX_EXPERTS) throw new Error(`moeRoute: ${E} routed experts exceed this backend's limit of ${K.MAX_EXPERTS}`);
    if (!(k >= 1 && k <= E) || !(gate.nGroup >= 1 && E % gate.nGroup === 0))
      throw new Error(`moeRoute: ${k} experts per token and ${gate.nGroup} groups do not fit ${E} experts`);
    const bias = bt ? this.check(bt, 'moeRoute', 'bias') : undefined;
    if (bias && numel(bias.shape) !== E) throw new Error(`moeRoute: bias has ${numel(bias.shape)} values, expected ${E}`);
    const experts = this.tensor([M, k]);
    const weights = this.tensor([M, k]);
    const grouped = gate.nGroup > 1 && gate.topkMethod !== 'greedy';
    const method = grouped ? (gate.topkMethod === 'noaux_tc' ? 2 : 1) : 0;
    const useBias = bias && gate.topkMethod === 'noaux_tc' ? 1 : 0;
    const values = [M, E, k, gate.nGroup, gate.topkGroup, method, gate.scoringFunc === 'sigmoid' ? 1 : 0, gate.normTopkProb ? 1 : 0, useBias, gate.routedScalingFactor];
    this.simple('moeRoute', K.moeRouteSource, values, [logits.buffer, (bias ?? logits).buffer, experts.buffer, weights.buffer], M);
    return { experts, weights };
  }

  moeExperts(dt: Tensor, xt: Tensor, w: ExpertStack, et: Tensor, wt: Tensor): Tensor {
    this.settle();
    const dst = this.check(dt, 'moeExperts', 'dst');
    const x = this.check(xt, 'moeExperts', 'x');
    const ex = this.check(et, 'moeExperts', 'experts');
    const wts = this.check(wt, 'moeExperts', 'weights');
    let gate = this.weightOperand(w.gate, 'moeExperts');
    let up = this.weightOperand(w.up, 'moeExperts');
    const down = this.weightOperand(w.down, 'moeExperts');
    const [M, D] = this.rows2(x, 'moeExperts', 'x');
    const [Me, k] = this.rows2(ex, 'moeExperts', 'experts');
    const [E, I, Dg] = gate.shape as [number, number, number];
    const fits =
      dst.shape.length === 2 && dst.shape[0] === M && dst.shape[1] === D && Me === M && wts.shape.length === 2 && wts.shape[0] === M && wts.shape[1] === k &&
      gate.shape.length === 3 && Dg === D && up.shape.length === 3 && up.shape.every((v, j) => v === gate.shape[j]) &&
      down.shape.length === 3 && down.shape[0] === E && down.shape[1] === D && down.shape[2] === I;
    if (!fits)
      throw new Error(`moeExperts: dst [${dst.shape.join(', ')}], x [${M}, ${D}], experts [${Me}, ${k}], weights [${wts.shape.join(', ')}], gate [${gate.shape.join(', ')}], up [${up.shape.join(', ')}], down [${down.shape.join(', ')}] do not fit`);
    if (gate.dtype !== up.dtype) [gate, up] = [this.check(w.gate, 'moeExperts', 'gate'), this.check(w.up, 'moeExperts', 'up')];
    const MK = M * k;
    const lists = this.tensor([E + E * MK]);
    this.simple('moeLists', K.moeListsSource, [E, MK, MK], [ex.buffer, lists.buffer], E);
    const h = this.tensor([MK, I]);
    this.routedGemm(x, gate, h, M, MK, I, D, lists, k, up);
    const o = this.tensor([MK, D]);
    this.routedGemm(h, down, o, M, MK, D, I, lists, 1);
    const y = this.tensor([M, D]);
    this.simple('moeCombine', K.moeCombineSource, [M * D, D, k, E], [dst.buffer, o.buffer, ex.buffer, wts.buffer, y.buffer], M * D);
    for (const t of [lists, h, o]) this.free(t);
    return y;
  }

  /**
   * y[a, :] = x[a / xDiv, :] · w[e]ᵀ for every assignment a on expert e's list (z = expert), or with w2, h[a, :] =
   * silu(x·w[e]ᵀ) ⊙ (x·w2[e]ᵀ). Row tiles cover MK rows per expert (any list length); empty tiles return at once.
   */
  private routedGemm(x: GpuTensor, w: GpuTensor, y: GpuTensor, M: number, MK: number, N: number, Kd: number, lists: GpuTensor, xDiv: number, w2?: GpuTensor): void {
    const E = w.shape[0] as number;
    const f16 = w.dtype === 'f16';
    const vw = f16 || Kd % 4 === 0 ? 4 : 1;
    const tm = Math.min(4, M);
    const tn = w2 ? 4 : 8;
    const tilesN = Math.ceil(N / tn);
    const key = `matmul${w2 ? '2' : ''}r:${tm}:${tn}:${vw}:${f16}`;
    const out = w2 ? [x.buffer, w.buffer, w2.buffer, lists.buffer, y.buffer] : [x.buffer, w.buffer, lists.buffer, y.buffer];
    this.dispatch(
      'matmul',
      key,
      () => K.matmulSource(tm, tn, vw as 1 | 4, f16, !!w2, true),
      [MK, N, Kd / vw, Kd / vw, 0, f16 ? (N * Kd) / 8 : (N * Kd) / vw, N, 0, tilesN, E, xDiv, MK],
      out,
      Math.ceil(MK / tm) * tilesN,
      E,
    );
  }

  // ------------------------------------------------------------------ positional / attention

  rope(xt: Tensor, ct: Tensor, stt: Tensor, heads: number, slice?: RopeSlice): Tensor {
    this.settle();
    const x = this.check(xt, 'rope', 'x');
    const cos = this.check(ct, 'rope', 'cos');
    const sin = this.check(stt, 'rope', 'sin');
    const [M, xcols] = this.rows2(x, 'rope', 'x');
    const S = xcols / heads;
    const start = slice?.start ?? 0;
    const R = slice?.len ?? S;
    if (!Number.isInteger(S) || start < 0 || start + R > S || R % 2 !== 0 || R === 0)
      throw new Error(`rope: x [${M}, ${xcols}] has no even-width columns [${start}, ${start + R}) in each of ${heads} heads`);
    const cols = heads * R;
    for (const [t, nm] of [[cos, 'cos'], [sin, 'sin']] as const)
      if (t.shape.length !== 2 || t.shape[0] !== M || t.shape[1] !== R / 2) throw new Error(`rope: ${nm} is [${t.shape.join(', ')}], expected [${M}, ${R / 2}]`);
    const y = this.tensor([M, cols]);
    const n = (M * cols) / 2;
    this.simple('rope', K.ropeSource, [n, heads, R / 2, S, start], [x.buffer, cos.buffer, sin.buffer, y.buffer], n);
    return y;
  }

  private spanInfo(spans: Spans, M: number, keyRows: number, op: string): number {
    if (spans.length !== 4 * M) throw new Error(`${op}: spans has ${spans.length} values, expected 4 per query row (${4 * M})`);
    let L = 1;
    for (let m = 0; m < M; m++) {
      const [s0, n0, s1, n1] = [spans[4 * m]!, spans[4 * m + 1]!, spans[4 * m + 2]!, spans[4 * m + 3]!];
      if (n0 < 0 || n1 < 0 || n0 + n1 < 1 || s0 < 0 || s1 < 0 || (n0 > 0 && s0 + n0 > keyRows) || (n1 > 0 && s1 + n1 > keyRows))
        throw new Error(`${op}: spans of row ${m} (${s0}, ${n0}, ${s1}, ${n1}) are empty or outside the ${keyRows} key rows`);
      L = Math.max(L, n0 + n1);
    }
    return L;
  }

  /** Scores, masked softmax and weighted values; see kernels.ts. */
  private attend(
    M: number,
    H: number,
    spans: Spans,
    L: number,
    score: { qA: GpuTensor; qB: GpuTensor; A: number; B: number; kA: GpuTensor; kAStride: number; kAOff: number; kAHead: number; kB: GpuTensor; kBStride: number; kBOff: number; kBHead: number; group: number; scale: number },
    value: { v: GpuTensor; Dv: number; vStride: number; vOff: number; vHead: number },
  ): Tensor {
    const budget = Math.min(this.opts.attentionScoreBytes ?? 32 << 20, this.maxBinding);
    const rowsPer = Math.max(1, Math.floor(budget / (H * L * 4)));
    const chunks = Math.ceil(M / rowsPer);
    // One chunk binds the spans from the arena; several get a tensor, which outlives any flush between them.
    let spanTensor: GpuTensor | null = null;
    let sp: Binding;
    if (chunks === 1) sp = this.hostArgs(3, spans)[0]!;
    else {
      spanTensor = this.tensor([spans.length]);
      this.stage(spanTensor.buffer, spans);
      sp = spanTensor.buffer;
    }
    const s = score;
    const y = this.tensor([M, H * value.Dv]);
    for (let m0 = 0; m0 < M; m0 += rowsPer) {
      const rows = Math.min(rowsPer, M - m0);
      const sc = this.tensor([rows * H, L]);
      // vec4 q and k reads when every width, stride and offset is a multiple of 4 (MLA: latent 128, rope 16, row 144).
      const qw = [s.A, s.B, s.kAStride, s.kAOff, s.kAHead, s.kBStride, s.kBOff, s.kBHead].every((d) => d % 4 === 0) ? 4 : 1;
      this.dispatch(
        'attnScores',
        `attnScores:${qw}`,
        () => K.attnScoresSource(qw === 4),
        [rows * H * L, H, L, s.A / qw, s.B / qw, (H * s.A) / qw, (H * s.B) / qw, s.kAStride / qw, s.kAOff / qw, s.kAHead / qw, s.kBStride / qw, s.kBOff / qw, s.kBHead / qw, s.group, s.scale, m0],
        [s.qA.buffer, s.qB.buffer, s.kA.buffer, s.kB.buffer, sp, sc.buffer],
        rows * H * L,
      );
      this.simple('attnSoftmax', K.attnSoftmaxSource, [rows * H, H, L, m0], [sp, sc.buffer], rows * H);
      // vec4 value rows when every column offset is a multiple of 4 (the MLA latent cache: C and C+R are).
      const vw = [value.Dv, value.vStride, value.vOff, value.vHead].every((d) => d % 4 === 0) ? 4 : 1;
      const n = (rows * H * value.Dv) / vw;
      this.dispatch(
        'attnValues',
        `attnValues:${vw}`,
        () => K.attnValuesSource(vw === 4),
        [n, H, L, value.Dv / vw, value.vStride / vw, value.vOff / vw, value.vHead / vw, s.group, m0],
        [sc.buffer, value.v.buffer, sp, y.buffer],
        n,
      );
      this.free(sc);
    }
    if (spanTensor) this.free(spanTensor);
    return y;
  }

  attention(qt: Tensor, kt: Tensor, vt: Tensor, spans: Spans, opts: { heads: number; kvHeads: number; scale: number }): Tensor {
    this.settle();
    const q = this.check(qt, 'attention', 'q');
    const k = this.check(kt, 'attention', 'k');
    const v = this.check(vt, 'attention', 'v');
    const { heads: H, kvHeads: Hk, scale } = opts;
    const [M, qc] = this.rows2(q, 'attention', 'q');
    const [S, kc] = this.rows2(k, 'attention', 'k');
    const [Sv, vc] = this.rows2(v, 'attention', 'v');
    const Dk = qc / H;
    const Dv = vc / Hk;
    if (H % Hk !== 0 || !Number.isInteger(Dk) || kc !== Hk * Dk || Sv !== S || !Number.isInteger(Dv))
      throw new Error(`attention: q [${M}, ${qc}], k [${S}, ${kc}], v [${Sv}, ${vc}] do not fit ${H} heads over ${Hk} kv heads`);
    const L = this.spanInfo(spans, M, S, 'attention');
    return this.attend(
      M, H, spans, L,
      { qA: q, qB: q, A: Dk, B: 0, kA: k, kAStride: kc, kAOff: 0, kAHead: Dk, kB: k, kBStride: kc, kBOff: 0, kBHead: 0, group: H / Hk, scale },
      { v, Dv, vStride: vc, vOff: 0, vHead: Dv },
    );
  }

  mlaAttention(qLt: Tensor, qPt: Tensor, ct: Tensor, spans: Spans, opts: { heads: number; latentDim: number; ropeDim: number; scale: number }): Tensor {
    this.settle();
    const qLat = this.check(qLt, 'mlaAttention', 'qLat');
    const qPe = this.check(qPt, 'mlaAttention', 'qPe');
    const cache = this.check(ct, 'mlaAttention', 'cache');
    const { heads: H, latentDim: C, ropeDim: R, scale } = opts;
    const [M, lc] = this.rows2(qLat, 'mlaAttention', 'qLat');
    const [Mp, pc] = this.rows2(qPe, 'mlaAttention', 'qPe');
    const [S, cc] = this.rows2(cache, 'mlaAttention', 'cache');
    if (lc !== H * C || Mp !== M || pc !== H * R || cc !== C + R)
      throw new Error(`mlaAttention: qLat [${M}, ${lc}], qPe [${Mp}, ${pc}], cache [${S}, ${cc}] do not fit ${H} heads, latent ${C}, rope ${R}`);
    const L = this.spanInfo(spans, M, S, 'mlaAttention');
    return this.attend(
      M, H, spans, L,
      { qA: qLat, qB: qPe, A: C, B: R, kA: cache, kAStride: C + R, kAOff: 0, kAHead: 0, kB: cache, kBStride: C + R, kBOff: C, kBHead: 0, group: H, scale },
      { v: cache, Dv: C, vStride: C + R, vOff: 0, vHead: 0 },
    );
  }
}

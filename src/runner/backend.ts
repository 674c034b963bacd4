// Backend selection: the CPU reference, or WebGPU loaded lazily (the `webgpu` package and its
// driver are only touched when asked for).
import { createCpuOps } from './cpu/ops.js';
import { runnerPackageError } from './optional-packages.js';
import type { Ops } from './ops.js';

export type BackendName = 'cpu' | 'webgpu';

export interface Backend {
  ops: Ops;
  dispose(): void;
}

interface WebGpuModule {
  createWebGpuOps(opts?: { weightDtype?: string }): Promise<Ops & { dispose?(): void }>;
}

export interface BackendOptions {
  /** Storage of weight matrices on WebGPU: auto (the backend's default: f16 where the f32 round trip is exact),
   *  f16 (needs the adapter's shader-f16) or f32. The CPU reference stores f32. */
  weights?: string;
}

export async function createBackend(name: string, opts: BackendOptions = {}): Promise<Backend> {
  const weights = opts.weights;
  if (weights !== undefined && !['auto', 'f32', 'f16'].includes(weights)) throw new Error(`--weights must be auto, f32 or f16, got ${JSON.stringify(weights)}`);
  if (name === 'cpu') {
    if (weights === 'f16') throw new Error('--weights f16 needs --backend webgpu (the CPU reference stores f32)');
    return { ops: createCpuOps(), dispose: () => {} };
  }
  if (name !== 'webgpu') throw new Error(`--backend must be cpu or webgpu, got ${JSON.stringify(name)}`);
  const path = './webgpu/index.js'; // a variable: loaded only when asked for
  let mod: Partial<WebGpuModule>;
  try {
    mod = (await import(path)) as Partial<WebGpuModule>;
  } catch (e) {
    throw runnerPackageError('--backend webgpu', e) ?? new Error(`the WebGPU backend could not be loaded (src/runner/webgpu/index.ts): ${(e as Error).message}`);
  }
  if (typeof mod.createWebGpuOps !== 'function') throw new Error('the WebGPU backend does not export createWebGpuOps()');
  const ops = await mod.createWebGpuOps(weights !== undefined ? { weightDtype: weights } : {});
  return { ops, dispose: () => ops.dispose?.() };
}

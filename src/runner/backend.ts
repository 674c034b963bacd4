// Backend selection: the CPU reference, or WebGPU loaded lazily (the `webgpu` package and its
// driver are only touched when asked for).
import { createCpuOps } from './cpu/ops.js';
import type { Ops } from './ops.js';

export type BackendName = 'cpu' | 'webgpu';

export interface Backend {
  ops: Ops;
  dispose(): void;
}

interface WebGpuModule {
  createWebGpuOps(opts?: Record<string, unknown>): Promise<Ops & { dispose?(): void }>;
}

export async function createBackend(name: string): Promise<Backend> {
  if (name === 'cpu') return { ops: createCpuOps(), dispose: () => {} };
  if (name !== 'webgpu') throw new Error(`--backend must be cpu or webgpu, got ${JSON.stringify(name)}`);
  const path = './webgpu/index.js'; // a variable: loaded only when asked for
  let mod: Partial<WebGpuModule>;
  try {
    mod = (await import(path)) as Partial<WebGpuModule>;
  } catch (e) {
    throw new Error(`the WebGPU backend could not be loaded (src/runner/webgpu/index.ts): ${(e as Error).message}`);
  }
  if (typeof mod.createWebGpuOps !== 'function') throw new Error('the WebGPU backend does not export createWebGpuOps()');
  const ops = await mod.createWebGpuOps();
  return { ops, dispose: () => ops.dispose?.() };
}

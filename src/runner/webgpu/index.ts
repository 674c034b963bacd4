// Entry point of the WebGPU backend in Node: `createWebGpuOps()` acquires a Dawn device (finding the driver the
// set-up unpacked) and wraps it in WebGpuOps. Browsers construct `new WebGpuOps(device)` themselves.
import type { Ops } from '../ops.js';
import { acquireDevice, type AcquireOptions } from './device.js';
import { WebGpuOps } from './ops.js';

export { WebGpuOps } from './ops.js';
export { acquireDevice } from './device.js';

export interface CreateWebGpuOptions extends AcquireOptions {
  /** Storage of matrix weights; default f32, or R1_WEBGPU_WEIGHTS=f16. */
  weightDtype?: 'f32' | 'f16';
}

export async function createWebGpuOps(opts: CreateWebGpuOptions = {}): Promise<Ops & WebGpuOps> {
  const acquired = await acquireDevice(opts);
  // The closure keeps `acquired.gpu` (Dawn's instance) reachable for as long as the ops object is.
  const ops = new WebGpuOps(acquired.device, {
    description: acquired.description,
    weightDtype: opts.weightDtype ?? (process.env.R1_WEBGPU_WEIGHTS === 'f16' ? 'f16' : 'f32'),
    onDispose: () => void acquired.gpu,
  });
  return ops;
}

// Entry point of the WebGPU backend in Node: `createWebGpuOps()` acquires a Dawn device (finding the driver the
// set-up unpacked) and wraps it in WebGpuOps. Browsers construct `new WebGpuOps(device)` themselves.
import type { Ops } from '../ops.js';
import { acquireDevice, type AcquireOptions } from './device.js';
import { WebGpuOps, type WebGpuOpsOptions, type WeightStorage } from './ops.js';

export { WebGpuOps } from './ops.js';
export { acquireDevice } from './device.js';

export interface CreateWebGpuOptions extends AcquireOptions, Pick<WebGpuOpsOptions, 'attentionScoreBytes' | 'profile'> {
  /** Storage of matrix weights (see WebGpuOpsOptions); default R1_WEBGPU_WEIGHTS or 'auto' (f16 where lossless). */
  weightDtype?: WeightStorage;
}

function weightStorageFromEnv(): WeightStorage {
  const v = process.env.R1_WEBGPU_WEIGHTS ?? 'auto';
  if (v !== 'auto' && v !== 'f16' && v !== 'f32') throw new Error(`R1_WEBGPU_WEIGHTS must be auto, f16 or f32, got ${JSON.stringify(v)}`);
  return v;
}

export async function createWebGpuOps(opts: CreateWebGpuOptions = {}): Promise<Ops & WebGpuOps> {
  const acquired = await acquireDevice(opts);
  // The closure keeps `acquired.gpu` (Dawn's instance) reachable for as long as the ops object is.
  const ops = new WebGpuOps(acquired.device, {
    description: acquired.description,
    weightDtype: opts.weightDtype ?? weightStorageFromEnv(),
    attentionScoreBytes: opts.attentionScoreBytes,
    profile: opts.profile,
    onDispose: () => void acquired.gpu,
  });
  return ops;
}

// Node only: acquires a WebGPU device through Dawn (the `webgpu` npm package). In a browser, pass
// `navigator.gpu`'s device to `new WebGpuOps(...)` directly; nothing below is needed there.
import { create } from 'webgpu';
import { driverFilePath, setupVulkanDriver, type DriverSetup } from './driver.js';

export interface AcquiredDevice {
  /** The object returned by create(): Dawn's instance lives only as long as this is referenced. */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  /** e.g. "mesa/llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) [vulkan, fallback]". */
  readonly description: string;
  readonly driver: DriverSetup;
  readonly f16: boolean;
  /** The device has the `subgroups` feature (reported; the kernels do not need it). */
  readonly subgroups: boolean;
}

export interface AcquireOptions {
  /** 'vulkan' (default) runs kernels; 'null' validates WGSL and pipelines without running them. */
  backend?: 'vulkan' | 'null';
  /** Request shader-f16 when the adapter has it (default true). */
  f16?: boolean;
  /** Request subgroups when the adapter has them (default true). */
  subgroups?: boolean;
}

// Every GPU object ever created stays referenced here for the life of the process: if one is garbage-collected
// while its device is alive, Dawn's event loop calls into a freed instance and crashes intermittently.
const keepAlive: GPU[] = [];

export function describeAdapter(adapter: GPUAdapter, backend: string): string {
  const i = adapter.info;
  const who = [i.vendor, i.architecture].filter(Boolean).join('/') || 'unknown';
  const what = i.description || i.device || 'unknown device';
  const fallback = (i as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ? ', fallback' : '';
  return `${who}: ${what} [${backend}${fallback}]`;
}

export async function acquireDevice(opts: AcquireOptions = {}): Promise<AcquiredDevice> {
  const backend = opts.backend ?? 'vulkan';
  const driver: DriverSetup = backend === 'null' ? { icd: null, source: 'system' } : setupVulkanDriver();
  const gpu = create([`backend=${backend}`]);
  keepAlive.push(gpu);
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    const where =
      driver.source === 'system'
        ? `no cached driver at ${driverFilePath()} and VK_ICD_FILENAMES is unset; run \`bash scripts/setup.sh\` (or scripts/webgpu-driver.sh)`
        : `VK_ICD_FILENAMES=${driver.icd} (from ${driver.source}) gave no adapter; Dawn needs Vulkan with dynamic indexing (Mesa >= 25 lavapipe, SwiftShader, or a GPU)`;
    throw new Error(`WebGPU: no ${backend} adapter found: ${where}`);
  }
  const f16 = (opts.f16 ?? true) && adapter.features.has('shader-f16');
  const subgroups = (opts.subgroups ?? true) && adapter.features.has('subgroups');
  const l = adapter.limits;
  const features: GPUFeatureName[] = [];
  if (f16) features.push('shader-f16');
  if (subgroups) features.push('subgroups' as GPUFeatureName);
  if (adapter.features.has('timestamp-query')) features.push('timestamp-query'); // for WebGpuOps' profile option
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  return { gpu, adapter, device, description: describeAdapter(adapter, backend), driver, f16, subgroups };
}

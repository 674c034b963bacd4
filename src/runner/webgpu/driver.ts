// Node only: makes the Vulkan driver that scripts/webgpu-driver.sh unpacked into .cache/vk/ visible to
// Dawn before the first `create()`. The set-up writes .cache/vk/driver.json ({driver, version, icd, preload[]}).
// VK_ICD_FILENAMES is read by the Vulkan loader at instance creation, so setting it from JS works.
// Libraries the machine lacks (the Vulkan loader libvulkan.so.1 on a bare machine) cannot be found through
// LD_LIBRARY_PATH once the process runs, so they are dlopen()ed by absolute path with RTLD_GLOBAL|RTLD_NODELETE:
// Dawn's later dlopen("libvulkan.so.1") then matches the already loaded soname. Node rejects them as
// addons ("did not self-register") but NODELETE keeps them mapped, which is all that is needed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DriverSetup {
  /** ICD file in effect (VK_ICD_FILENAMES / VK_DRIVER_FILES), or null when the system default is used. */
  icd: string | null;
  /** Where it came from: the environment, the project cache, or nothing. */
  source: 'env' | 'cache' | 'system';
  /** Which cached driver (lavapipe or swiftshader) and its package version, when it came from the cache. */
  driver?: string;
  version?: string;
}

interface DriverFile {
  driver?: string;
  version?: string;
  icd: string;
  preload: string[];
}

// glibc's RTLD_NODELETE; Node's os.constants.dlopen does not list it.
const RTLD_NODELETE = 0x1000;
let applied: DriverSetup | undefined;

/** The project root: the nearest ancestor of this module holding package.json (works from src/ and dist/). */
export function projectRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
}

/** Path of the driver description the set-up writes. R1_WEBGPU_DRIVER overrides it. */
export function driverFilePath(): string {
  return process.env.R1_WEBGPU_DRIVER ?? path.join(projectRoot(), '.cache', 'vk', 'driver.json');
}

function readDriverFile(file: string): DriverFile | null {
  if (!fs.existsSync(file)) return null;
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DriverFile>;
  if (typeof raw.icd !== 'string' || !Array.isArray(raw.preload)) throw new Error(`${file}: expected {"icd": string, "preload": string[]}`);
  return { icd: raw.icd, preload: raw.preload.map(String), driver: raw.driver, version: raw.version };
}

/** dlopen each library globally and permanently; retried until no progress, so dependency order does not matter. */
function preload(libs: string[]): void {
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  let pending = libs.filter((l) => fs.existsSync(l));
  while (pending.length > 0) {
    const failed: string[] = [];
    const errors: string[] = [];
    for (const lib of pending) {
      try {
        process.dlopen({ exports: {} }, lib, flags);
      } catch (e) {
        const msg = (e as Error).message;
        if (!msg.includes('did not self-register')) {
          failed.push(lib);
          errors.push(msg);
        }
      }
    }
    if (failed.length === pending.length) throw new Error(`cannot load the cached Vulkan libraries: ${errors.join('; ')}`);
    pending = failed;
  }
}

/**
 * Point Dawn at a working Vulkan driver: an ICD already named in the environment wins; otherwise the one the set-up
 * cached. Idempotent; call it before the first `create()`.
 */
export function setupVulkanDriver(): DriverSetup {
  if (applied) return applied;
  const fromEnv = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  const cached = readDriverFile(driverFilePath());
  if (cached) preload(cached.preload); // the loader may be missing even when the ICD comes from the environment
  if (fromEnv) {
    applied = { icd: fromEnv, source: 'env' };
  } else if (cached) {
    // Both names: newer loaders prefer VK_DRIVER_FILES, even when it is set but empty.
    process.env.VK_ICD_FILENAMES = cached.icd;
    process.env.VK_DRIVER_FILES = cached.icd;
    applied = { icd: cached.icd, source: 'cache', driver: cached.driver, version: cached.version };
  } else {
    applied = { icd: null, source: 'system' };
  }
  return applied;
}

// The driver the set-up fetched (scripts/webgpu-driver.sh -> .cache/vk/driver.json) and the runtime's handling
// of a missing adapter. These run in CI after scripts/setup.sh: a missing driver file fails here, loudly.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driverFilePath, projectRoot } from '../../../../src/runner/webgpu/driver.js';

const root = projectRoot();

function runChild(code: string, env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('WebGPU driver set-up', () => {
  it('finds the project root from the module', () => {
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(existsSync(join(root, 'scripts', 'webgpu-driver.sh'))).toBe(true);
  });

  it('has the cached lavapipe driver (run `bash scripts/setup.sh` if this fails)', () => {
    const file = driverFilePath();
    expect(existsSync(file), `${file} is missing: scripts/webgpu-driver.sh did not run or failed`).toBe(true);
    const d = JSON.parse(readFileSync(file, 'utf8')) as { driver: string; version: string; icd: string; preload: string[] };
    // lavapipe is what the set-up fetches; SwiftShader only if bookworm-backports had no Mesa >= 25.
    expect(d.driver).toBe(process.env.WEBGPU_DRIVER === 'swiftshader' ? 'swiftshader' : 'lavapipe');
    if (d.driver === 'lavapipe') expect(d.version).toMatch(/^(2[5-9]|[3-9]\d)\./);
    const icd = JSON.parse(readFileSync(d.icd, 'utf8')) as { ICD: { library_path: string } };
    expect(icd.ICD.library_path.startsWith('/')).toBe(true);
    expect(existsSync(icd.ICD.library_path)).toBe(true);
    for (const lib of d.preload) expect(existsSync(lib)).toBe(true);
  });

  it('names the adapter it uses, in a fresh process with no Vulkan variables set', () => {
    const r = runChild(
      "import { createWebGpuOps } from './src/runner/webgpu/index.ts'; const o = await createWebGpuOps(); console.log('DEVICE ' + o.info().device); o.dispose();",
      { VK_ICD_FILENAMES: '', VK_DRIVER_FILES: '' },
    );
    const kind = (JSON.parse(readFileSync(driverFilePath(), 'utf8')) as { driver: string }).driver;
    expect(r.out).toMatch(kind === 'swiftshader' ? /DEVICE .*SwiftShader.*\[vulkan/ : /DEVICE .*llvmpipe.*\[vulkan/);
    expect(r.status).toBe(0);
  }, 60_000);

  it('fails with a clear error when the driver gives no adapter', () => {
    const r = runChild(
      "import { createWebGpuOps } from './src/runner/webgpu/index.ts'; try { await createWebGpuOps(); console.log('UNEXPECTED'); } catch (e) { console.log('ERR ' + e.message); }",
      { VK_ICD_FILENAMES: '/nonexistent/icd.json' },
    );
    expect(r.out).not.toMatch(/UNEXPECTED/);
    expect(r.out).toMatch(/ERR WebGPU: no vulkan adapter found: VK_ICD_FILENAMES=\/nonexistent\/icd.json/);
  }, 60_000);
});

import { defineConfig } from 'vitest/config';

// Two layers, run together by `npm test`:
// - fast: pure unit tests of the core, in-process, seconds (`npm run test:fast`);
// - system: real sandboxes, the built binary and CLI, real servers on sockets, Python clients, WebGPU
//   (`npm run test:system`). Its global setup rebuilds dist/ when it is older than src/, so a test never
//   runs a stale build.
const SYSTEM = ['tests/code/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/unit/runner/webgpu/**/*.test.ts', 'tests/unit/runner/cli*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['tests/helpers/uid-range.ts'],
    projects: [
      { extends: true, test: { name: 'fast', include: ['tests/**/*.test.ts'], exclude: SYSTEM } },
      { extends: true, test: { name: 'system', include: SYSTEM, globalSetup: ['tests/helpers/fresh-build.ts'] } },
    ],
  },
});

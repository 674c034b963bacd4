// C++: compiled once per rollout in the rollout's own sandbox (g++ -O2 -std=c++17), then the sealed
// binary is exec'd per test.
import { GXX } from '../cpp.js';
import { PYTHON } from '../python-env.js';
import { testLimits } from '../warm.js';
import type { LanguageRunner } from './types.js';

const ENV = { PATH: '/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' };

export const cpp: LanguageRunner = {
  tags: ['cpp', 'c++', 'cc', 'cxx', 'c'],
  ioOnly: true,
  warm: (code, limits, compileTimeMs) => ({
    mode: 'exec',
    python: PYTHON, // the runner itself
    files: { 'main.cpp': code },
    compile: {
      argv: [GXX, '-O2', '-std=c++17', '-pipe', '-o', '/tmp/build/main', '/tmp/build/main.cpp'],
      output: '/tmp/build/main',
      limits: { wallMs: compileTimeMs, cpuS: compileTimeMs / 1000 + 1, memoryMb: 2048, nproc: 64, fileMb: 256, stackMb: 16, outputBytes: 1 << 20 },
    },
    runArgv: ['/box/main'],
    env: ENV,
    limits: testLimits(limits, { nproc: 16, stackMb: Math.min(256, Math.floor(limits.memoryMb / 2)) }),
  }),
};

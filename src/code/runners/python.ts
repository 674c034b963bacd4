// Python: no compile step; each test is a fork of the runner's interpreter (python3 -I -S: standard
// library only) running the program as __main__.
import { PYTHON } from '../python-env.js';
import { testLimits } from '../warm.js';
import type { LanguageRunner } from './types.js';

export const python: LanguageRunner = {
  tags: ['python', 'py', 'python3', 'py3'],
  ioOnly: false,
  warm: (code, limits) => ({
    mode: 'python',
    python: PYTHON,
    program: code,
    limits: testLimits(limits, { nproc: 32, stackMb: 64 }),
  }),
};

// A language runner: what the verifier needs to know to run one language's programs, so that adding a
// language is one file here (plus its packaging) and the verifier has no per-language branches for it.
import type { ExecLimits } from '../io-run.js';
import type { WarmJob } from '../warm.js';

/** The parts of a warm job that depend on the language (the verifier adds tests, uid and signal). */
export type WarmSpec = Omit<WarmJob, 'stdins' | 'earlyStop' | 'uid' | 'signal' | 'boxes' | 'secret'>;

export interface LanguageRunner {
  /** fence tags that name the language (```py, ```c++ …) */
  tags: readonly string[];
  /** takes stdin/stdout tests only (no call-based or assertion tests) */
  ioOnly: boolean;
  /** the sandbox job running `code` against stdin/stdout tests in one sandbox (compile step, run step,
   * limits, environment); null for a language that runs elsewhere (JS/TS: isolated-vm) */
  warm: ((code: string, limits: ExecLimits, compileTimeMs: number) => WarmSpec) | null;
}

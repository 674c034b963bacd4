// Shared by the code verifier's tests: an engine with only the code verifier on its own uid range,
// and a look at /proc for processes that outlived their run.
import { readdirSync, readFileSync } from 'node:fs';
import { RewardEngine } from '../../src/core/engine.js';
import { CodeVerifier } from '../../src/code/verifier.js';
import { VerifierRegistry } from '../../src/verifiers/registry.js';
import type { ScoredRollout } from '../../src/contract/types.js';

export function codeEngine(baseUid: number, concurrency = 2): { engine: RewardEngine; verifier: CodeVerifier } {
  const verifier = new CodeVerifier({ concurrency, baseUid });
  const engine = new RewardEngine({ registry: new VerifierRegistry().register(verifier) });
  return { engine, verifier };
}

export const fence = (lang: string, code: string): string => `<think>hmm</think>\nHere:\n\`\`\`${lang}\n${code}\n\`\`\`\n`;

export async function scoreOne(engine: RewardEngine, completion: string, task: Record<string, unknown>, config: unknown = {}): Promise<ScoredRollout> {
  const res = await engine.score([{ completion, task: { type: 'code', ...task } }], engine.config(config));
  return res.results[0]!;
}

export interface TestDetail {
  verdict: string;
  message?: string;
}
export const verdictsOf = (r: ScoredRollout): string[] =>
  (((r.details['accuracy'] as Record<string, unknown> | undefined)?.['tests'] as TestDetail[] | undefined) ?? []).map((t) => t.verdict);

/** pids whose real uid is in [base, base + n): sandbox processes of that engine, but for the bubblewrap
 * and runner of `idle`'s slot sandboxes, which live on between rollouts by design. */
export function sandboxPids(base: number, n: number, idle?: CodeVerifier): number[] {
  const skip = new Set(idle ? idle.sandboxes.pids().flatMap((p) => [p.bwrap, p.runner]) : []);
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= base && uid < base + n && !skip.has(Number(d))) pids.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** sandboxPids, once what is left has had up to `waitMs` to finish dying (a pid namespace is torn down
 * after its pid 1, and a slot sandbox ended by another run's sweep is reaped a moment later). The
 * hostile programs' daemons live 10 s: one that survived a sweep is still there after the wait. */
export async function leftoverPids(base: number, n: number, idle?: CodeVerifier, waitMs = 1000): Promise<number[]> {
  const end = performance.now() + waitMs;
  for (;;) {
    const pids = sandboxPids(base, n, idle);
    if (!pids.length || performance.now() > end) return pids;
    await new Promise((r) => setTimeout(r, 50));
  }
}

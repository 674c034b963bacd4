// request -> validate -> score (parallel, bounded) -> combine -> advantages -> response.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { computeAdvantages } from '../advantages/compute.js';
import type { Config } from './config.js';
import type { FieldError, ScoreResponse, ScoredRollout } from '../contract/types.js';
import type { VerifierRegistry } from '../verifiers/registry.js';
import type { ScoreContext } from './context.js';
import { groupKey } from './groups.js';
import { failed, invalidRollout, scoreRollout } from './score-rollout.js';
import { StatsAccumulator } from './summary.js';

export interface BatchOptions {
  /** the caller went away (closed socket, cancelled RPC) */
  signal?: AbortSignal;
  /** rollouts a transport found malformed before the core saw them (a gRPC task_json that is not JSON):
   * marked invalid_rollout naming these fields, not scored; the rest of the batch is scored as usual */
  invalid?: ReadonlyMap<number, readonly FieldError[]>;
}

/** A context whose signal fires at the config's deadline or when the caller's signal does. */
export function requestContext(
  config: Config,
  registry: VerifierRegistry,
  outer?: AbortSignal,
  promptLanguages: Map<string, string | null> = new Map(),
): ScoreContext & { dispose(): void } {
  const controller = new AbortController();
  // every rollout in flight listens for the abort: as many listeners as the concurrency bound
  setMaxListeners(0, controller.signal);
  let why: 'deadline_exceeded' | 'cancelled' = 'cancelled';
  const timer = setTimeout(() => {
    why = 'deadline_exceeded';
    controller.abort(new Error('deadline exceeded'));
  }, config.limits.deadline_ms);
  timer.unref();
  const onOuter = (): void => controller.abort(new Error('cancelled'));
  if (outer?.aborted) onOuter();
  outer?.addEventListener('abort', onOuter, { once: true });
  return {
    config,
    registry,
    signal: controller.signal,
    abortStatus: () => why,
    promptLanguages,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Runs `fn` on every index with at most `limit` in flight, yielding to the event loop between items. */
export async function forEachBounded(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let lastYield = performance.now();
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await fn(i);
      // Cheap rewards run synchronously: every few ms, let the server breathe (health checks, other requests).
      if (performance.now() - lastYield > 2) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

/** Scores one rollout, cut short (not left hanging) when the request's signal fires. */
export function scoreWithAbort(raw: unknown, index: number, ctx: ScoreContext): Promise<ScoredRollout> {
  if (ctx.signal.aborted) return Promise.resolve(failed(raw, ctx.abortStatus?.() ?? 'cancelled', 'request ended before this rollout was scored'));
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(failed(raw, ctx.abortStatus?.() ?? 'cancelled', 'request ended before this rollout was scored'));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    scoreRollout(raw, index, ctx).then(
      (r) => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (err: unknown) => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(failed(raw, 'internal_error', (err as Error).message));
      },
    );
  });
}

export async function scoreBatch(
  rollouts: readonly unknown[],
  config: Config,
  registry: VerifierRegistry,
  opts: BatchOptions = {},
): Promise<ScoreResponse> {
  const t0 = performance.now();
  const ctx = requestContext(config, registry, opts.signal);
  const results = new Array<ScoredRollout>(rollouts.length);
  try {
    await forEachBounded(rollouts.length, config.limits.concurrency, async (i) => {
      const bad = opts.invalid?.get(i);
      const r = bad ? invalidRollout(rollouts[i], i, bad) : await scoreWithAbort(rollouts[i], i, ctx);
      results[i] = r;
    });
  } finally {
    ctx.dispose();
  }
  return finishBatch(results, config, performance.now() - t0);
}

/** Advantages and statistics over scored rollouts (in place). */
export function finishBatch(results: ScoredRollout[], config: Config, durationMs?: number): ScoreResponse {
  // scoring named most rollouts' groups already; the rest (cut short, invalid) get theirs by the same rule
  const keys = results.map((r, i) => (typeof r.details['group'] === 'string' ? r.details['group'] : groupKey(r, i)));
  const { advantages, groups } = computeAdvantages(
    results.map((r) => r.reward),
    keys,
    config.advantage,
    results.map((r) => (typeof r.completion_tokens === 'number' ? r.completion_tokens : null)),
  );
  const acc = new StatsAccumulator();
  results.forEach((r, i) => {
    r.advantage = advantages[i]!;
    // every result names its group (rollouts cut short by a deadline too), so no transport recomputes it
    r.details['group'] = keys[i]!;
    acc.add(r);
  });
  return { results, groups, stats: acc.finish(groups, durationMs) };
}

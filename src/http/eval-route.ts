// POST /v1/eval: the `r1-reward eval` computation over a request's rollouts (raw rollouts, scored here with
// the request's config): {rollouts, config?, k?} -> the report (overall, per source, per group).
import type { FastifyInstance } from 'fastify';
import { checkScoreRequest } from '../contract/request.js';
import type { Config } from '../core/config.js';
import type { FieldError } from '../contract/types.js';
import { ConfigError } from '../core/engine.js';
import { DEFAULT_KS, evalConfig, evaluateScored } from '../eval/evaluate.js';
import { admitted, badRequest, clientGone } from './replies.js';

function ksOf(v: unknown, errors: FieldError[]): number[] {
  if (v === undefined) return [...DEFAULT_KS];
  if (!Array.isArray(v) || v.length === 0 || v.length > 64) {
    errors.push({ path: 'k', message: 'must be a non-empty array of at most 64 positive integers' });
    return [];
  }
  v.forEach((k, i) => {
    if (!Number.isInteger(k) || (k as number) < 1 || (k as number) > 1_000_000) errors.push({ path: `k[${i}]`, message: 'must be an integer from 1 to 1000000' });
  });
  return v as number[];
}

export async function evalRoute(app: FastifyInstance): Promise<void> {
  app.post(
    '/v1/eval',
    { schema: { description: 'pass@1 with a 95% interval, pass@k, maj@k and rates over the rollouts, per group, per source and overall.' } },
    async (request, reply) => {
      const ctx = app.r1;
      const body = request.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return badRequest(reply, [{ path: '(root)', message: 'must be a JSON object with `rollouts`' }]);
      const { k, ...rest } = body as Record<string, unknown>;
      const errors = checkScoreRequest(rest, ctx.options.maxRollouts);
      const ks = ksOf(k, errors);
      let config: Config | undefined;
      try {
        config = evalConfig(ctx.engine.config(rest['config']));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        errors.push(...e.fields);
      }
      if (errors.length || !config) return badRequest(reply, errors);
      const cfg = config;
      const rollouts = rest['rollouts'] as unknown[];
      return admitted(ctx, reply, rollouts.length, async () => {
        const signal = clientGone(request, reply);
        const res = await ctx.engine.score(rollouts, cfg, { signal });
        ctx.metrics.observeBatch(res);
        return evaluateScored(res.results, { config: cfg, verifier: (t) => ctx.engine.verifier(t), signal }, { ks });
      });
    },
  );
}

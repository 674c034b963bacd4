// What every trainer adapter does after mapping its protocol onto rollouts: score them with the server's
// config, under the shared admission bound, aborting when the client goes away.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../core/config.js';
import type { ScoreResponse } from '../../contract/types.js';
import type { ServiceContext } from '../../service/context.js';
import { admitted, clientGone } from '../replies.js';

/**
 * `adjust` lets an adapter mark results its protocol knows more about (e.g. OpenRLHF's empty label) before
 * they are counted in the metrics and logged, so the counts and the log say what the trainer got.
 */
export async function scoreForAdapter(
  ctx: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  rollouts: unknown[],
  adjust?: (res: ScoreResponse, config: Config) => void,
): Promise<ScoreResponse | FastifyReply> {
  const config = ctx.engine.config();
  return admitted(ctx, reply, rollouts.length, async () => {
    const res = await ctx.engine.score(rollouts, config, { signal: clientGone(request, reply) });
    adjust?.(res, config);
    ctx.metrics.observeBatch(res);
    for (const r of res.results) {
      if (r.reward === null) request.log.warn({ route: request.url, id: r['id'], status: r.status, error: r.error }, 'rollout could not be scored');
    }
    return res;
  });
}

/** Marks result `i` as not scorable (reward null, status `unscored`), keeping the batch's counts true. */
export function markUnscored(res: ScoreResponse, i: number, error: string): void {
  const r = res.results[i]!;
  const counts = res.stats.status_counts;
  counts[r.status] = (counts[r.status] ?? 1) - 1;
  if (counts[r.status] === 0) delete counts[r.status];
  counts.unscored = (counts.unscored ?? 0) + 1;
  if (r.reward !== null) res.stats.scored--;
  if (r.status === 'ok') res.stats.errors++;
  r.reward = null;
  r.advantage = 0;
  r.status = 'unscored';
  r.error = error;
}

export function isScoreResponse(v: ScoreResponse | FastifyReply): v is ScoreResponse {
  return (v as ScoreResponse).results !== undefined && (v as ScoreResponse).stats !== undefined;
}

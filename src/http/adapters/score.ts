// What every trainer adapter does after mapping its protocol onto rollouts: score them with the server's
// config, under the shared admission bound, aborting when the client goes away.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ScoreResponse } from '../../contract/types.js';
import type { ServiceContext } from '../../service/context.js';
import { admitted, clientGone } from '../replies.js';

export async function scoreForAdapter(
  ctx: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  rollouts: unknown[],
): Promise<ScoreResponse | FastifyReply> {
  const config = ctx.engine.config();
  return admitted(ctx, reply, rollouts.length, async () => {
    const res = await ctx.engine.score(rollouts, config, { signal: clientGone(request, reply) });
    ctx.metrics.observeBatch(res);
    for (const r of res.results) {
      if (r.reward === null) request.log.warn({ id: r['id'], status: r.status, error: r.error }, 'rollout could not be scored');
    }
    return res;
  });
}

export function isScoreResponse(v: ScoreResponse | FastifyReply): v is ScoreResponse {
  return (v as ScoreResponse).results !== undefined && (v as ScoreResponse).stats !== undefined;
}

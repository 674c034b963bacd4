// Unary RPCs: Score and ComputeAdvantages. Thin over the engine, exactly as the HTTP routes are.
import { performance } from 'node:perf_hooks';
import { status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { checkAdvantagesRequest, checkScoreRequest } from '../contract/request.js';
import type { FieldError } from '../contract/types.js';
import { withAdmission } from '../service/admission.js';
import { callCancelled, resolveConfig, withCallDeadline, type GrpcContext } from './context.js';
import { responseToMsg, rolloutFromMsg } from './convert.js';
import { deadlineExceeded, internal, saturated, unavailable, type GrpcError } from './errors.js';
import type { AdvantagesRequestMsg, ScoreRequestMsg } from './messages.js';
import { observeCall } from './observe.js';
import { ScoreStreamSession } from './stream.js';

function replier<T>(ctx: GrpcContext, method: string, cb: sendUnaryData<T>): (err: GrpcError | null, value?: T) => void {
  const t0 = performance.now();
  return (err, value) => {
    observeCall(ctx, method, err ? err.code : status.OK, t0);
    if (err) cb(err);
    else cb(null, value);
  };
}

async function score(ctx: GrpcContext, call: ServerUnaryCall<ScoreRequestMsg, unknown>, done: (err: GrpcError | null, value?: unknown) => void): Promise<void> {
  if (!ctx.accepting()) return done(unavailable('server is shutting down; retry on another replica'));
  const msgs = call.request.rollouts ?? [];
  // One rollout's bad task_json marks that rollout (invalid_rollout), as over HTTP and ScoreStream.
  const invalid = new Map<number, FieldError[]>();
  const rollouts = msgs.map((m, i) => {
    const r = rolloutFromMsg(m, `rollouts[${i}]`);
    if (r.invalid) invalid.set(i, [r.invalid]);
    return r.rollout;
  });
  const errors = checkScoreRequest({ rollouts: msgs }, ctx.options.maxRollouts);
  const resolved = resolveConfig(ctx, call.request.config_json, 'config_json', errors);
  if ('error' in resolved) return done(resolved.error);
  const config = withCallDeadline(resolved.config, call.getDeadline());
  const signal = callCancelled(call);
  const r = await withAdmission(ctx.admission, ctx.metrics, rollouts.length, () => ctx.engine.score(rollouts, config, { signal, invalid }));
  if (!r.admitted) return done(saturated(ctx.admission.current));
  // Counted even when the caller has gone: its rollouts were scored (or cut short) all the same.
  ctx.metrics.observeBatch(r.value);
  if (signal.aborted) return done(deadlineExceeded()); // nobody is listening; grpc-js has already sent the status
  done(null, responseToMsg(r.value, (i) => r.value.results[i]!.details['group'] as string));
}

function advantages(ctx: GrpcContext, req: AdvantagesRequestMsg, done: (err: GrpcError | null, value?: unknown) => void): void {
  // NaN is the proto's null: an unscored reward.
  const body = { rewards: (req.rewards ?? []).map((v) => (Number.isNaN(v) ? null : v)), groups: req.groups ?? [] };
  const resolved = resolveConfig(ctx, req.config_json, 'config_json', checkAdvantagesRequest(body, ctx.options.maxRollouts));
  if ('error' in resolved) return done(resolved.error);
  done(null, ctx.engine.advantages(body.rewards, body.groups, resolved.config));
}

export function rewardServiceImpl(ctx: GrpcContext): UntypedServiceImplementation {
  return {
    Score(call: ServerUnaryCall<ScoreRequestMsg, unknown>, cb: sendUnaryData<unknown>) {
      const done = replier(ctx, 'Score', cb);
      score(ctx, call, done).catch((e: unknown) => done(internal(e)));
    },
    ComputeAdvantages(call: ServerUnaryCall<AdvantagesRequestMsg, unknown>, cb: sendUnaryData<unknown>) {
      const done = replier(ctx, 'ComputeAdvantages', cb);
      try {
        advantages(ctx, call.request, done);
      } catch (e) {
        done(internal(e));
      }
    },
    ScoreStream: (call: ConstructorParameters<typeof ScoreStreamSession>[1]) => {
      new ScoreStreamSession(ctx, call).start();
    },
  };
}


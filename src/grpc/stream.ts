// ScoreStream: gRPC framing over the engine's streaming session (core/session.ts). Messages become
// session pushes, group ends and the end of input; scored rollouts and completed groups become messages.
// The protocol is documented on StreamRequest in reward.proto.
import { performance } from 'node:perf_hooks';
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { SessionError, type ScoreSession } from '../core/session.js';
import { admit, release } from '../service/admission.js';
import { resolveConfig, type GrpcContext } from './context.js';
import { rolloutFromMsg, scoredToMsg } from './convert.js';
import { internal, invalidArgument, saturated, unavailable, type GrpcError } from './errors.js';
import type { RolloutMsg, StreamRequestMsg, StreamResponseMsg } from './messages.js';
import { observeCall } from './observe.js';

type Call = ServerDuplexStream<StreamRequestMsg, StreamResponseMsg>;

export class ScoreStreamSession {
  private session: ScoreSession | undefined;
  private readonly t0 = performance.now();
  private closed = false;

  constructor(
    private readonly ctx: GrpcContext,
    private readonly call: Call,
  ) {}

  start(): void {
    if (!this.ctx.accepting()) return this.fail(unavailable('server is shutting down; retry on another replica'));
    this.call.on('data', (m: StreamRequestMsg) => {
      try {
        this.onMessage(m);
      } catch (e) {
        this.fail(e instanceof SessionError ? invalidArgument(e.fields) : internal(e));
      }
    });
    this.call.on('end', () => {
      if (this.closed) return;
      const s = this.session ?? this.open(undefined);
      if (!s) return;
      s.end().then(
        () => this.finish(),
        (e: unknown) => this.fail(internal(e)),
      );
    });
    this.call.on('cancelled', () => this.stop(status.CANCELLED));
  }

  private onMessage(m: StreamRequestMsg): void {
    if (this.closed) return;
    if (m.kind === 'config') {
      if (this.session) return this.fail(invalidArgument([{ path: 'config', message: 'is only allowed as the first message of the stream' }]));
      this.open(m.config?.config_json);
      return;
    }
    if (m.kind === 'rollout') return this.onRollout(m.rollout?.rollout ?? {}, m.rollout?.group_size ?? 0);
    if (m.kind === 'group_end') {
      const s = this.session ?? this.open(undefined);
      s?.endGroup(m.group_end?.group ?? '');
      return;
    }
    this.fail(invalidArgument([{ path: 'kind', message: 'each message must set one of config, rollout, group_end' }]));
  }

  /** The session for the stream's config (the defaults when the first message is not a config). */
  private open(json: string | undefined): ScoreSession | undefined {
    const r = resolveConfig(this.ctx, json, 'config.config_json');
    if ('error' in r) {
      this.fail(r.error);
      return undefined;
    }
    try {
      this.session = this.ctx.engine.session(r.config, {
        mode: 'groups',
        path: 'rollouts',
        ...(this.ctx.streamCompletedGroups !== undefined && { completedGroups: this.ctx.streamCompletedGroups }),
        onScored: (scored, index, group) => {
          if (!this.closed) this.call.write({ scored: scoredToMsg(scored, index, group) });
        },
        onGroup: (g) => {
          if (!this.closed) this.call.write({ group: g });
        },
        onDrain: () => this.call.resume(),
      });
    } catch (e) {
      if (!(e instanceof SessionError)) throw e;
      this.fail(invalidArgument(e.fields));
      return undefined;
    }
    return this.session;
  }

  private onRollout(msg: RolloutMsg, groupSize: number): void {
    const s = this.session ?? this.open(undefined);
    if (!s) return;
    // Without a parsable task the rollout is still answered (invalid_rollout), so it keeps its id and group.
    const { rollout, invalid } = rolloutFromMsg(msg, `rollouts[${s.count}]`);
    if (!admit(this.ctx.admission, this.ctx.metrics, 1)) return this.fail(saturated(this.ctx.admission.current));
    let pushed;
    try {
      pushed = s.push(rollout, { groupSize, ...(invalid && { invalid: [invalid] }) });
    } catch (e) {
      release(this.ctx.admission, this.ctx.metrics, 1);
      throw e;
    }
    void pushed.result.then((r) => {
      release(this.ctx.admission, this.ctx.metrics, 1);
      this.ctx.metrics.rollouts.inc({ status: r.status });
    });
    // a full round is waiting: stop reading the call until the session drains
    if (pushed.saturated) this.call.pause();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    observeCall(this.ctx, 'ScoreStream', status.OK, this.t0);
    this.call.end();
  }

  /** The client went away or the deadline passed: abort in-flight scoring (its sandbox work included). */
  private stop(code: status): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.cancel();
    observeCall(this.ctx, 'ScoreStream', code, this.t0);
  }

  private fail(err: GrpcError): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.cancel();
    observeCall(this.ctx, 'ScoreStream', err.code, this.t0);
    this.call.emit('error', err);
  }
}

// ScoreStream: rollouts arrive as generation finishes them; each is scored the moment it arrives (within
// the config's concurrency) and sent back as soon as it is ready; a group's advantages are sent as soon
// as the group is complete. The protocol is documented on StreamRequest in reward.proto.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { Config } from '../contract/config.js';
import type { FieldError, ScoredRollout } from '../contract/types.js';
import { requestContext, scoreWithAbort } from '../pipeline/batch.js';
import { explicitGroupKey, groupKey } from '../pipeline/groups.js';
import { invalidRollout } from '../pipeline/score-rollout.js';
import { resolveConfig, type GrpcContext } from './context.js';
import { rolloutFromMsg, scoredToMsg } from './convert.js';
import { internal, invalidArgument, saturated, unavailable, type GrpcError } from './errors.js';
import type { RolloutMsg, StreamRequestMsg, StreamResponseMsg } from './messages.js';
import { observeCall } from './observe.js';
import { RecentKeys } from './recent-keys.js';

type Call = ServerDuplexStream<StreamRequestMsg, StreamResponseMsg>;

interface Member {
  index: number;
  id: string;
  reward: number | null;
}

interface OpenGroup {
  members: Member[];
  /** a rollout with neither group nor prompt: its key `#index` can never recur, so it is not remembered */
  own: boolean;
  scored: number;
  /** declared with group_size */
  size?: number;
  /** group_end received */
  ended: boolean;
}

interface Pending {
  raw: Record<string, unknown>;
  index: number;
  key: string;
  member: Member;
  /** a rollout the transport already knows is invalid (unparsable task_json) */
  invalid?: FieldError;
}

/**
 * How many completed group keys a stream remembers, newest first. A rollout for a remembered completed
 * group is INVALID_ARGUMENT; a key completed longer ago than that is forgotten, and a rollout reusing it
 * starts a new group. Ungrouped rollouts (no group, no prompt) are never remembered: their keys cannot recur.
 */
export const STREAM_COMPLETED_GROUPS = 10_000;

/** Advantage settings that need the whole batch cannot be computed group by group. */
function streamConfigErrors(config: Config): FieldError[] {
  const out: FieldError[] = [];
  const why = 'needs the whole batch; use Score, or ComputeAdvantages over the streamed rewards';
  if (config.advantage.estimator === 'reinforce_baseline') out.push({ path: 'config.advantage.estimator', message: `'reinforce_baseline' ${why}` });
  if (config.advantage.scale === 'batch') out.push({ path: 'config.advantage.scale', message: `'batch' ${why}` });
  return out;
}

export class ScoreStreamSession {
  private config: Config | undefined;
  private next = 0;
  private inflight = 0;
  private readonly queue: Pending[] = [];
  private readonly groups = new Map<string, OpenGroup>();
  /** keys of completed groups, to refuse a late rollout for one; bounded (see STREAM_COMPLETED_GROUPS) */
  private readonly completed: RecentKeys;
  private readonly abort = new AbortController();
  private readonly languages = new Map<string, string | null>();
  private readonly t0 = performance.now();
  private inputEnded = false;
  private closed = false;
  private paused = false;

  constructor(
    private readonly ctx: GrpcContext,
    private readonly call: Call,
  ) {
    // Every in-flight rollout listens on this signal (through its own request context).
    setMaxListeners(0, this.abort.signal);
    this.completed = new RecentKeys(ctx.streamCompletedGroups ?? STREAM_COMPLETED_GROUPS);
  }

  start(): void {
    if (!this.ctx.accepting()) return this.fail(unavailable('server is shutting down; retry on another replica'));
    this.call.on('data', (m: StreamRequestMsg) => {
      try {
        this.onMessage(m);
      } catch (e) {
        this.fail(internal(e));
      }
    });
    this.call.on('end', () => {
      this.inputEnded = true;
      this.settle();
    });
    this.call.on('cancelled', () => this.stop(status.CANCELLED));
  }

  private onMessage(m: StreamRequestMsg): void {
    if (this.closed) return;
    if (m.kind === 'config') return this.onConfig(m.config?.config_json);
    if (m.kind === 'rollout') return this.onRollout(m.rollout?.rollout ?? {}, m.rollout?.group_size ?? 0);
    if (m.kind === 'group_end') return this.onGroupEnd(m.group_end?.group ?? '');
    this.fail(invalidArgument([{ path: 'kind', message: 'each message must set one of config, rollout, group_end' }]));
  }

  private configure(json: string | undefined): boolean {
    const r = resolveConfig(this.ctx, json, 'config.config_json');
    if ('error' in r) {
      this.fail(r.error);
      return false;
    }
    const bad = streamConfigErrors(r.config);
    if (bad.length) {
      this.fail(invalidArgument(bad));
      return false;
    }
    this.config = r.config;
    return true;
  }

  private onConfig(json: string | undefined): void {
    if (this.config) return this.fail(invalidArgument([{ path: 'config', message: 'is only allowed as the first message of the stream' }]));
    this.configure(json);
  }

  private onRollout(msg: RolloutMsg, groupSize: number): void {
    if (!this.config && !this.configure(undefined)) return;
    const index = this.next++;
    const path = `rollouts[${index}]`;
    // Without a parsable task the rollout is still answered (invalid_rollout), so it keeps its id and group.
    const { rollout: raw, invalid } = rolloutFromMsg(msg, path);
    const key = groupKey(raw, index);
    if (this.completed.has(key)) {
      return this.fail(invalidArgument([{ path, message: `group '${key}' is already complete (its group_size was reached or group_end was sent)` }]));
    }
    let g = this.groups.get(key);
    if (!g) {
      // A rollout with neither group nor prompt is a group of its own: complete once scored.
      const own = typeof raw['group'] !== 'string' && typeof raw['prompt'] !== 'string';
      g = { members: [], scored: 0, ended: false, own, ...(own && { size: 1 }) };
      this.groups.set(key, g);
    }
    if (groupSize > 0) {
      if (g.size !== undefined && g.size !== groupSize) {
        return this.fail(invalidArgument([{ path: `${path}.group_size`, message: `is ${groupSize} but group '${key}' was declared with ${g.size}` }]));
      }
      g.size = groupSize;
    }
    if (g.ended || (g.size !== undefined && g.members.length >= g.size)) {
      return this.fail(invalidArgument([{ path, message: `group '${key}' already has all its rollouts (${g.members.length})` }]));
    }
    if (!this.ctx.admission.tryAcquire(1)) {
      this.ctx.metrics.rejected.inc({ reason: 'saturated' });
      return this.fail(saturated(this.ctx.admission.current));
    }
    this.ctx.metrics.inflightRollouts.inc();
    const member: Member = { index, id: typeof raw['id'] === 'string' ? raw['id'] : '', reward: null };
    g.members.push(member);
    this.queue.push({ raw, index, key, member, ...(invalid && { invalid }) });
    this.pump();
  }

  private onGroupEnd(name: string): void {
    if (!name) return this.fail(invalidArgument([{ path: 'group_end.group', message: 'is required' }]));
    // the rollouts' explicit group went through the same escaping (`#1` is keyed `group:#1`)
    const key = explicitGroupKey(name);
    if (this.completed.has(key)) return; // already complete by its group_size: nothing to do
    const g = this.groups.get(key);
    if (!g) return this.fail(invalidArgument([{ path: 'group_end.group', message: `no rollout of group '${key}' was sent` }]));
    g.ended = true;
    this.maybeComplete(key, g);
  }

  /** Starts queued rollouts up to the concurrency; stops reading the call while a full round waits. */
  private pump(): void {
    const limit = this.config!.limits.concurrency;
    while (this.inflight < limit && this.queue.length) {
      this.inflight++;
      void this.run(this.queue.shift()!);
    }
    if (!this.paused && this.queue.length >= limit) {
      this.paused = true;
      this.call.pause();
    } else if (this.paused && this.queue.length < limit) {
      this.paused = false;
      this.call.resume();
    }
  }

  private async run(p: Pending): Promise<void> {
    let r: ScoredRollout;
    if (p.invalid) {
      r = invalidRollout(p.raw, p.index, [p.invalid]);
    } else {
      // Each rollout gets the config's deadline from its arrival; the call's cancellation aborts them all.
      const sctx = requestContext(this.config!, this.ctx.engine.registry, this.abort.signal);
      sctx.promptLanguages = this.languages;
      r = await scoreWithAbort(p.raw, p.index, sctx);
      sctx.dispose();
    }
    this.inflight--;
    this.ctx.admission.release(1);
    this.ctx.metrics.inflightRollouts.dec();
    this.ctx.metrics.rollouts.inc({ status: r.status });
    if (this.closed) return;
    p.member.reward = r.reward;
    this.call.write({ scored: scoredToMsg(r, p.index, p.key) });
    const g = this.groups.get(p.key);
    if (g) {
      g.scored++;
      this.maybeComplete(p.key, g);
    }
    this.pump();
    this.settle();
  }

  private maybeComplete(key: string, g: OpenGroup): void {
    if (this.closed || g.scored < g.members.length) return;
    if (!(g.ended || this.inputEnded || (g.size !== undefined && g.members.length === g.size))) return;
    this.groups.delete(key);
    if (!g.own) this.completed.add(key);
    const res = this.ctx.engine.advantages(
      g.members.map((m) => m.reward),
      g.members.map(() => key),
      this.config!,
    );
    this.call.write({
      group: { group: key, indices: g.members.map((m) => m.index), ids: g.members.map((m) => m.id), advantages: res.advantages, stats: res.groups[0]! },
    });
  }

  /** After half-close and the last rollout: complete every open group, then end the call with OK. */
  private settle(): void {
    if (this.closed || !this.inputEnded || this.inflight > 0 || this.queue.length > 0) return;
    for (const [key, g] of [...this.groups]) this.maybeComplete(key, g);
    this.closed = true;
    observeCall(this.ctx, 'ScoreStream', status.OK, this.t0);
    this.call.end();
  }

  private release(): void {
    this.abort.abort();
    for (let i = 0; i < this.queue.length; i++) {
      this.ctx.admission.release(1);
      this.ctx.metrics.inflightRollouts.dec();
      // admitted but never started: counted like the in-flight ones the abort cuts short
      this.ctx.metrics.rollouts.inc({ status: 'cancelled' });
    }
    this.queue.length = 0;
  }

  /** The client went away or the deadline passed: abort in-flight scoring (its sandbox work included). */
  private stop(code: status): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    observeCall(this.ctx, 'ScoreStream', code, this.t0);
  }

  private fail(err: GrpcError): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    observeCall(this.ctx, 'ScoreStream', err.code, this.t0);
    this.call.emit('error', err);
  }
}

// A streaming scoring session, the same for every transport (gRPC ScoreStream, the CLI's file scoring, any
// future one): rollouts are pushed as they arrive, each is scored the moment a slot is free (within
// limits.concurrency, with limits.deadline_ms of its own from its arrival), and advantages come either
// group by group as groups complete (`groups` mode), once over everything at the end (`batch` mode, for
// estimators and scalings that need the whole batch), or not at all (`score` mode: eval and filter). Memory stays flat in the number of rollouts: a
// completed group is forgotten (only its key is remembered, boundedly), and batch mode keeps a reward and a
// group number per rollout in typed columns.
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { computeAdvantages, computeAdvantagesIndexed } from '../advantages/compute.js';
import type { BatchStats, FieldError, GroupStats, ScoredRollout } from '../contract/types.js';
import type { VerifierRegistry } from '../verifiers/registry.js';
import { Column } from '../util/column.js';
import { requestContext, scoreWithAbort } from './batch.js';
import type { Config } from './config.js';
import { explicitGroupKey, groupKey } from './groups.js';
import { RecentKeys } from './recent-keys.js';
import { invalidRollout } from './score-rollout.js';
import { StatsAccumulator } from './summary.js';

/**
 * How many completed group keys a groups-mode session remembers, newest first. A rollout for a remembered
 * completed group is refused; a key completed longer ago than that is forgotten, and a rollout reusing it
 * starts a new group. Ungrouped rollouts (no group, no prompt) are never remembered: their keys cannot recur.
 */
export const SESSION_COMPLETED_GROUPS = 10_000;

/** A push or endGroup that breaks the session's protocol (the transport maps it to its own error). */
export class SessionError extends Error {
  constructor(readonly fields: FieldError[]) {
    super(fields.map((f) => `${f.path}: ${f.message}`).join('; '));
  }
}

export interface CompletedGroup {
  group: string;
  /** push indices of the group's rollouts, in push order */
  indices: number[];
  ids: string[];
  advantages: number[];
  stats: GroupStats;
}

export interface SessionOptions {
  /**
   * `groups`: advantages per group as each completes; `batch`: once over every rollout at `end()`; `score`: none
   * (the caller only reads scored rollouts: nothing is kept per rollout)
   */
  mode: 'groups' | 'batch' | 'score';
  /** the caller went away: in-flight and queued rollouts end as `cancelled` */
  signal?: AbortSignal;
  /** each scored rollout, as soon as it is scored (before its group completes, if it is the last) */
  onScored?: (r: ScoredRollout, index: number, group: string) => void;
  /** groups mode: each completed group, with its advantages */
  onGroup?: (g: CompletedGroup) => void;
  /** called when the backlog falls below the concurrency again (after `push` returned `saturated`) */
  onDrain?: () => void;
  /** groups mode: completed keys remembered (default SESSION_COMPLETED_GROUPS) */
  completedGroups?: number;
  /** the path rollouts are named by in errors (default `rollouts`) */
  path?: string;
}

export interface PushOptions {
  /** groups mode: how many rollouts the group has; it completes when that many are scored */
  groupSize?: number;
  /** the transport already found the rollout malformed (e.g. a task_json that is not JSON): not scored */
  invalid?: readonly FieldError[];
}

export interface Pushed {
  index: number;
  group: string;
  /** settles once with the scored rollout (never rejects; a cancelled session gives status `cancelled`) */
  result: Promise<ScoredRollout>;
  /** the backlog reached the concurrency: stop pushing until `onDrain` */
  saturated: boolean;
}

export interface SessionSummary {
  stats: BatchStats;
  groups: GroupStats[];
  /** batch mode: the advantage of every rollout by push index (groups mode: empty) */
  advantages: Float64Array;
}

interface OpenGroup {
  indices: number[];
  ids: string[];
  rewards: (number | null)[];
  tokens: (number | null)[];
  /** a rollout with neither group nor prompt: its key `#index` can never recur, so it is not remembered */
  own: boolean;
  scored: number;
  size?: number;
  ended: boolean;
}

interface Queued {
  raw: unknown;
  index: number;
  /** its group's key, and (groups mode) its place among the group's members */
  key: string;
  slot: number;
  invalid?: readonly FieldError[];
  resolve(r: ScoredRollout): void;
}

/** Advantage settings that need the whole batch cannot be computed group by group. */
export function groupModeConfigErrors(config: Config, prefix = 'config'): FieldError[] {
  const why = 'needs the whole batch; score in batch mode, or compute advantages over the streamed rewards';
  const out: FieldError[] = [];
  if (config.advantage.estimator === 'reinforce_baseline') out.push({ path: `${prefix}.advantage.estimator`, message: `'reinforce_baseline' ${why}` });
  if (config.advantage.scale === 'batch') out.push({ path: `${prefix}.advantage.scale`, message: `'batch' ${why}` });
  return out;
}

export class ScoreSession {
  private next = 0;
  private inflight = 0;
  private readonly queue: Queued[] = [];
  private readonly open = new Map<string, OpenGroup>();
  private readonly completed: RecentKeys;
  private readonly abort = new AbortController();
  private readonly promptLanguages = new Map<string, string | null>();
  private readonly stats = new StatsAccumulator();
  private readonly t0 = performance.now();
  // batch mode: per rollout, its reward (NaN = unscored) and its group's number
  private readonly rewards = new Column((n) => new Float64Array(n));
  private readonly groupOf = new Column((n) => new Int32Array(n));
  // completion lengths (NaN when absent): reinforce_baseline whitens over tokens when every rollout has one
  private readonly tokens = new Column((n) => new Float64Array(n));
  private readonly groupIds = new Map<string, number>();
  private readonly groupNames: string[] = [];
  private inputEnded = false;
  private saturated = false;
  private idle: (() => void) | undefined;

  constructor(
    private readonly registry: VerifierRegistry,
    readonly config: Config,
    private readonly opts: SessionOptions,
  ) {
    const bad = opts.mode === 'groups' ? groupModeConfigErrors(config) : [];
    if (bad.length) throw new SessionError(bad);
    // every in-flight rollout listens on this signal (through its own request context)
    setMaxListeners(0, this.abort.signal);
    this.completed = new RecentKeys(opts.completedGroups ?? SESSION_COMPLETED_GROUPS);
    if (opts.signal?.aborted) this.abort.abort();
    else opts.signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  /** Rollouts pushed so far (the next push's index). */
  get count(): number {
    return this.next;
  }

  /** Rollouts pushed and not yet scored. */
  get pending(): number {
    return this.inflight + this.queue.length;
  }

  /** Adds a rollout; throws SessionError when it breaks the group protocol (the rollout is then not taken). */
  push(raw: unknown, opts: PushOptions = {}): Pushed {
    if (this.inputEnded) throw new SessionError([{ path: this.path(this.next), message: 'the session has ended' }]);
    const index = this.next;
    const group = groupKey(raw, index);
    let slot = 0;
    if (this.opts.mode === 'groups') slot = this.admitToGroup(raw, index, group, opts.groupSize ?? 0);
    else if (this.opts.mode === 'batch') this.recordGroup(raw, group);
    this.next++;
    const result = new Promise<ScoredRollout>((resolve) => {
      this.queue.push({ raw, index, key: group, slot, ...(opts.invalid && { invalid: opts.invalid }), resolve });
    });
    this.pump();
    const saturated = this.queue.length >= this.config.limits.concurrency;
    if (saturated) this.saturated = true;
    return { index, group, result, saturated };
  }

  /** groups mode: the group has all its rollouts; it completes once they are scored. */
  endGroup(key: string, path = 'group_end.group'): void {
    if (this.opts.mode !== 'groups') throw new SessionError([{ path, message: 'groups are only ended in groups mode' }]);
    if (!key) throw new SessionError([{ path, message: 'is required' }]);
    // the key the core gives the name (an explicit group named like a default key is escaped): one rule
    const k = explicitGroupKey(key);
    if (this.completed.has(k)) return; // already complete by its group size: nothing to do
    const g = this.open.get(k);
    if (!g) throw new SessionError([{ path, message: `no rollout of group '${key}' was sent` }]);
    g.ended = true;
    this.maybeComplete(k, g);
  }

  /**
   * No more rollouts: resolves once every pushed rollout is scored. Groups mode completes every open group
   * (onGroup); batch mode computes every rollout's advantage over the whole session.
   */
  async end(): Promise<SessionSummary> {
    this.inputEnded = true;
    if (this.pending > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    if (this.opts.mode !== 'batch') {
      for (const [key, g] of [...this.open]) this.maybeComplete(key, g);
      return { stats: this.stats.finish([], performance.now() - this.t0), groups: [], advantages: new Float64Array(0) };
    }
    const { advantages, groups } = computeAdvantagesIndexed(
      this.rewards.view(),
      this.groupOf.view(),
      this.groupNames,
      this.config.advantage,
      this.tokens.view(),
    );
    return { stats: this.stats.finish(groups, performance.now() - this.t0), groups, advantages };
  }

  /** Stops everything: queued and in-flight rollouts settle as `cancelled`, no more groups complete. */
  cancel(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.pump(); // queued rollouts settle at once (their context is already aborted)
  }

  private path(index: number): string {
    return `${this.opts.path ?? 'rollouts'}[${index}]`;
  }

  /** Adds the rollout to its group (checked in full first); returns its place among the group's members. */
  private admitToGroup(raw: unknown, index: number, key: string, groupSize: number): number {
    const path = this.path(index);
    if (this.completed.has(key)) {
      throw new SessionError([{ path, message: `group '${key}' is already complete (its group_size was reached or group_end was sent)` }]);
    }
    let g = this.open.get(key);
    const fresh = !g;
    if (!g) {
      const r = (raw ?? {}) as { group?: unknown; prompt?: unknown };
      // A rollout with neither group nor prompt is a group of its own: complete once scored.
      const own = typeof r.group !== 'string' && typeof r.prompt !== 'string';
      g = { indices: [], ids: [], rewards: [], tokens: [], scored: 0, ended: false, own, ...(own && { size: 1 }) };
    }
    if (groupSize > 0 && g.size !== undefined && g.size !== groupSize) {
      throw new SessionError([{ path: `${path}.group_size`, message: `is ${groupSize} but group '${key}' was declared with ${g.size}` }]);
    }
    const size = groupSize > 0 ? groupSize : g.size;
    if (g.ended || (size !== undefined && g.indices.length >= size)) {
      throw new SessionError([{ path, message: `group '${key}' already has all its rollouts (${g.indices.length})` }]);
    }
    // checked in full before anything changes: a refused push leaves the session as it was
    if (size !== undefined) g.size = size;
    if (fresh) this.open.set(key, g);
    const id = (raw as { id?: unknown } | null)?.id;
    g.indices.push(index);
    g.ids.push(typeof id === 'string' ? id : '');
    g.rewards.push(null);
    const t = (raw as { completion_tokens?: unknown } | null)?.completion_tokens;
    g.tokens.push(typeof t === 'number' ? t : null);
    return g.indices.length - 1;
  }

  private recordGroup(raw: unknown, key: string): void {
    let id = this.groupIds.get(key);
    if (id === undefined) {
      id = this.groupNames.push(key) - 1;
      this.groupIds.set(key, id);
    }
    this.groupOf.push(id);
    this.rewards.push(Number.NaN);
    const t = (raw as { completion_tokens?: unknown } | null)?.completion_tokens;
    this.tokens.push(typeof t === 'number' ? t : Number.NaN);
  }

  private pump(): void {
    const limit = this.config.limits.concurrency;
    while ((this.inflight < limit || this.abort.signal.aborted) && this.queue.length) {
      this.inflight++;
      void this.run(this.queue.shift()!);
    }
    if (this.saturated && this.queue.length < limit) {
      this.saturated = false;
      this.opts.onDrain?.();
    }
  }

  private async run(q: Queued): Promise<void> {
    let r: ScoredRollout;
    if (q.invalid) {
      r = invalidRollout(q.raw, q.index, [...q.invalid]);
    } else {
      // Each rollout gets the config's deadline from its start; the session's cancellation aborts them all.
      const ctx = requestContext(this.config, this.registry, this.abort.signal, this.promptLanguages);
      r = await scoreWithAbort(q.raw, q.index, ctx);
      ctx.dispose();
    }
    this.inflight--;
    this.stats.add(r);
    const key = q.key;
    if (this.opts.mode === 'batch') {
      this.rewards.view()[q.index] = r.reward ?? Number.NaN;
    } else if (this.opts.mode === 'groups') {
      const g = this.open.get(key);
      if (g) {
        g.rewards[q.slot] = r.reward;
        g.scored++;
      }
    }
    this.opts.onScored?.(r, q.index, key);
    q.resolve(r);
    if (this.opts.mode === 'groups') {
      const g = this.open.get(key);
      if (g) this.maybeComplete(key, g);
    }
    this.pump();
    if (this.inputEnded && this.pending === 0) this.idle?.();
  }

  private maybeComplete(key: string, g: OpenGroup): void {
    if (this.abort.signal.aborted || g.scored < g.indices.length) return;
    if (!(g.ended || this.inputEnded || (g.size !== undefined && g.indices.length === g.size))) return;
    this.open.delete(key);
    if (!g.own) this.completed.add(key);
    const res = computeAdvantages(g.rewards, g.indices.map(() => key), this.config.advantage, g.tokens);
    this.opts.onGroup?.({ group: key, indices: g.indices, ids: g.ids, advantages: res.advantages, stats: res.groups[0]! });
  }
}

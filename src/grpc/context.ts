import type { Config } from '../core/config.js';
import type { FieldError } from '../contract/types.js';
import { ConfigError } from '../core/engine.js';
import type { ServiceContext } from '../service/context.js';
import { parseJsonField } from './convert.js';
import { invalidArgument, type GrpcError } from './errors.js';

/** The service context (engine, options, metrics, one admission bound) plus gRPC's own settings. */
export interface GrpcContext extends ServiceContext {
  /** completed group keys a ScoreStream remembers (default SESSION_COMPLETED_GROUPS) */
  streamCompletedGroups?: number;
}

/** A request's config_json resolved by the engine, or INVALID_ARGUMENT naming every bad key. */
export function resolveConfig(ctx: GrpcContext, json: string | undefined, path: string, extra: FieldError[] = []): { config: Config } | { error: GrpcError } {
  const parsed = parseJsonField(json, path);
  if ('error' in parsed) return { error: invalidArgument([...extra, parsed.error]) };
  if (extra.length) return { error: invalidArgument(extra) };
  try {
    return { config: ctx.engine.config(parsed.value) };
  } catch (e) {
    if (e instanceof ConfigError) return { error: invalidArgument(e.fields) };
    throw e;
  }
}

/** The config with limits.deadline_ms cut to what is left of the call's deadline, if that is sooner. */
export function withCallDeadline(config: Config, deadline: Date | number): Config {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return config;
  const left = Math.max(1, Math.floor(at - Date.now()));
  return left < config.limits.deadline_ms ? { ...config, limits: { ...config.limits, deadline_ms: left } } : config;
}

/** An AbortSignal that fires when the call is cancelled (client gone, or its deadline passed). */
export function callCancelled(call: { on(event: 'cancelled', fn: () => void): unknown; cancelled?: boolean }): AbortSignal {
  const c = new AbortController();
  if (call.cancelled) c.abort();
  else call.on('cancelled', () => c.abort());
  return c.signal;
}

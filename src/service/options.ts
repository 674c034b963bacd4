export interface ServerOptions {
  host: string;
  port: number;
  /** gRPC port (RewardService, health, reflection) */
  grpcPort: number;
  /** largest request body accepted, bytes (413 past it) */
  bodyLimit: number;
  /** most rollouts one request may carry (400 past it) */
  maxRollouts: number;
  /** most rollouts in flight across requests before new ones get 503 + Retry-After, for the whole service:
   * with `workers` > 1 each worker admits ⌊maxInflight / workers⌋ */
  maxInflight: number;
  /** server processes (node:cluster workers) sharing maxInflight; set by `serve --workers` */
  workers: number;
  /** seconds suggested in Retry-After */
  retryAfterS: number;
  /** pino level, or false for no logs */
  logLevel: string | false;
  /** task type a trainer's plain-string label becomes (OpenRLHF /get_reward, slime): see docs/integrations.md */
  labelTaskType: string;
  /** on SIGTERM: how long in-flight work may take before the process exits anyway */
  shutdownTimeoutMs: number;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  host: '0.0.0.0',
  port: 8000,
  grpcPort: 50051,
  bodyLimit: 64 * 1024 * 1024,
  maxRollouts: 8192,
  maxInflight: 32768,
  workers: 1,
  retryAfterS: 1,
  logLevel: 'info',
  shutdownTimeoutMs: 30_000,
  labelTaskType: 'math',
};

/** Rollouts one process admits: its share of the service's bound (at least 1). */
export function inflightShare(o: Pick<ServerOptions, 'maxInflight' | 'workers'>): number {
  return Math.max(1, Math.floor(o.maxInflight / Math.max(1, o.workers)));
}

/** Environment overrides (R1_REWARD_PORT, R1_REWARD_HOST, …), documented in the README. */
export function serverOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ServerOptions> {
  const out: Partial<ServerOptions> = {};
  const num = (k: string): number | undefined => {
    const v = env[k];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${k} must be a non-negative number, got '${v}'`);
    return n;
  };
  if (env['R1_REWARD_HOST']) out.host = env['R1_REWARD_HOST'];
  if (env['R1_REWARD_LABEL_TASK_TYPE']) out.labelTaskType = env['R1_REWARD_LABEL_TASK_TYPE'];
  const map: [string, keyof ServerOptions][] = [
    ['R1_REWARD_PORT', 'port'],
    ['R1_REWARD_GRPC_PORT', 'grpcPort'],
    ['R1_REWARD_BODY_LIMIT', 'bodyLimit'],
    ['R1_REWARD_MAX_ROLLOUTS', 'maxRollouts'],
    ['R1_REWARD_MAX_INFLIGHT', 'maxInflight'],
    ['R1_REWARD_SHUTDOWN_TIMEOUT_MS', 'shutdownTimeoutMs'],
  ];
  for (const [k, key] of map) {
    const n = num(k);
    if (n !== undefined) (out as Record<string, number>)[key] = n;
  }
  if (env['R1_REWARD_LOG_LEVEL']) out.logLevel = env['R1_REWARD_LOG_LEVEL'] === 'silent' ? false : env['R1_REWARD_LOG_LEVEL'];
  return out;
}

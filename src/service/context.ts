// What every transport shares: one engine, the server options, one metrics registry, one admission bound
// and one logger. HTTP and gRPC each take this context; neither is built from the other.
import pino, { type Logger } from 'pino';
import type { RewardEngine } from '../core/engine.js';
import { Admission } from './admission.js';
import { Metrics } from './metrics.js';
import { DEFAULT_SERVER_OPTIONS, inflightShare, type ServerOptions } from './options.js';

export interface ServiceContext {
  engine: RewardEngine;
  options: ServerOptions;
  metrics: Metrics;
  admission: Admission;
  log: Logger;
  /** false once shutdown has begun: transports refuse new work (503 / UNAVAILABLE) */
  accepting(): boolean;
}

export interface ServiceDeps {
  engine: RewardEngine;
  options?: Partial<ServerOptions>;
  metrics?: Metrics;
  /** defaults to a context that always accepts (tests, embedding) */
  accepting?: () => boolean;
}

export function createServiceContext(deps: ServiceDeps): ServiceContext {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...deps.options };
  const metrics = deps.metrics ?? new Metrics();
  // one worker's share of --max-inflight: the bound holds for the whole cluster
  const admission = new Admission(inflightShare(options));
  metrics.inflightCapacity.set(admission.capacity);
  return {
    engine: deps.engine,
    options,
    metrics,
    admission,
    log: pino(options.logLevel === false ? { enabled: false } : { level: options.logLevel }),
    accepting: deps.accepting ?? (() => true),
  };
}

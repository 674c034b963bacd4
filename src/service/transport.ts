// A transport is framing over the service context: it binds, serves, drains. `serve` starts a list of them.
import type { ServiceContext } from './context.js';

export interface RunningTransport {
  /** the bound port (useful with port 0) */
  readonly port: number;
  /** Stop taking new work and resolve once in-flight work has ended. */
  drain(): Promise<void>;
  /** Cut whatever is still running (the shutdown timeout passed). */
  forceClose(): void;
}

export interface Transport {
  /** names the transport in logs and in `Running.ports` */
  readonly name: string;
  start(service: ServiceContext): Promise<RunningTransport>;
}

import type { RewardEngine } from '../core/engine.js';
import { createServiceContext } from './context.js';
import { DEFAULT_SERVER_OPTIONS, serverOptionsFromEnv, type ServerOptions } from './options.js';
import type { RunningTransport, Transport } from './transport.js';

export interface Running {
  /** the bound port of each transport, by name (useful with port 0) */
  ports: Record<string, number>;
  close(): Promise<void>;
}

/**
 * Starts the service — the given transports over one engine, metrics and admission bound — and wires
 * graceful shutdown: on SIGTERM/SIGINT every transport stops accepting (gRPC health turns NOT_SERVING,
 * new calls get UNAVAILABLE), in-flight requests finish within shutdownTimeoutMs, then the process exits 0
 * (1 when the timeout cut work short).
 */
export async function serve(engine: RewardEngine, transports: readonly Transport[], cli: Partial<ServerOptions> = {}): Promise<Running> {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...serverOptionsFromEnv(), ...cli };
  // Signals are caught from the very start: one that arrives while the servers are still binding is
  // honoured once they are up (a cluster primary may stop a worker that is still starting).
  let onStop: ((sig: string) => void) | undefined = undefined;
  let stopRequested: string | undefined;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => (onStop ? onStop(sig) : (stopRequested = sig)));
  }
  let accepting = true;
  const service = createServiceContext({ engine, options, accepting: () => accepting });
  const running: [string, RunningTransport][] = [];
  for (const t of transports) {
    try {
      running.push([t.name, await t.start(service)]);
    } catch (e) {
      await Promise.all(running.map(([, r]) => r.drain()));
      throw new Error(`cannot serve ${t.name} on ${options.host}: ${(e as Error).message}`);
    }
  }
  const ports = Object.fromEntries(running.map(([name, r]) => [name, r.port]));
  // one log line carries every bound port as `<name>_port` (scripts and tests read it)
  service.log.info(Object.fromEntries(running.map(([n, r]) => [`${n}_port`, r.port])), `listening on ${options.host}: ${running.map(([n, r]) => `${n} ${r.port}`).join(', ')}`);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      accepting = false;
      const timer = setTimeout(() => {
        service.log.warn(`shutdown timed out after ${options.shutdownTimeoutMs} ms; exiting`);
        for (const [, r] of running) r.forceClose();
        process.exit(1);
      }, options.shutdownTimeoutMs);
      timer.unref();
      await Promise.all(running.map(([, r]) => r.drain()));
      await engine.close();
      clearTimeout(timer);
    })());
  onStop = (sig) => {
    service.log.info(`${sig}: draining in-flight work`);
    void close().then(() => process.exit(0));
  };
  if (stopRequested) onStop(stopRequested);
  return { ports, close };
}

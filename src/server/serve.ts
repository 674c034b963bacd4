import type { RewardEngine } from '../engine.js';
import { buildApp } from './app.js';
import { DEFAULT_SERVER_OPTIONS, serverOptionsFromEnv, type ServerOptions } from './options.js';

export interface Running {
  close(): Promise<void>;
}

/**
 * Starts the service and wires graceful shutdown: on SIGTERM/SIGINT stop accepting, let in-flight
 * requests finish within shutdownTimeoutMs, then exit.
 */
export async function serve(engine: RewardEngine, cli: Partial<ServerOptions> = {}): Promise<Running> {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...serverOptionsFromEnv(), ...cli };
  const app = await buildApp({ engine, options });
  await app.listen({ host: options.host, port: options.port });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const timer = setTimeout(() => {
        app.log.warn(`shutdown timed out after ${options.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, options.shutdownTimeoutMs);
      timer.unref();
      await app.close();
      await engine.close();
      clearTimeout(timer);
    })());
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      app.log.info(`${sig}: draining in-flight work`);
      void close().then(() => process.exit(0));
    });
  }
  return { close };
}

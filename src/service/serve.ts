import type { RewardEngine } from '../core/engine.js';
import { startGrpcServer } from '../grpc/server.js';
import { buildApp } from '../http/app.js';
import { DEFAULT_SERVER_OPTIONS, serverOptionsFromEnv, type ServerOptions } from './options.js';

export interface Running {
  /** the bound ports (useful with port 0) */
  port: number;
  grpcPort: number;
  close(): Promise<void>;
}

/**
 * Starts the service (HTTP and gRPC over one engine, metrics and admission bound) and wires graceful
 * shutdown: on SIGTERM/SIGINT both stop accepting (gRPC health turns NOT_SERVING, new calls get
 * UNAVAILABLE), in-flight requests finish within shutdownTimeoutMs, then the process exits 0
 * (1 when the timeout cut work short).
 */
export async function serve(engine: RewardEngine, cli: Partial<ServerOptions> = {}): Promise<Running> {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...serverOptionsFromEnv(), ...cli };
  // Signals are caught from the very start: one that arrives while the servers are still binding is
  // honoured once they are up (a cluster primary may stop a worker that is still starting).
  let onStop: ((sig: string) => void) | undefined = undefined;
  let stopRequested: string | undefined;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => (onStop ? onStop(sig) : (stopRequested = sig)));
  }
  const app = await buildApp({ engine, options });
  // While draining, every response closes its connection: a keep-alive socket would otherwise hold the
  // server open until its idle timeout.
  let draining = false;
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  await app.listen({ host: options.host, port: options.port });
  let grpc;
  try {
    grpc = await startGrpcServer(app.r1, options.host, options.grpcPort);
  } catch (e) {
    await app.close();
    throw new Error(`cannot serve gRPC on ${options.host}:${options.grpcPort}: ${(e as Error).message}`);
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  app.log.info({ http_port: port, grpc_port: grpc.port }, `gRPC listening on ${options.host}:${grpc.port}`);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      draining = true;
      const timer = setTimeout(() => {
        app.log.warn(`shutdown timed out after ${options.shutdownTimeoutMs} ms; exiting`);
        grpc.forceClose();
        process.exit(1);
      }, options.shutdownTimeoutMs);
      timer.unref();
      await Promise.all([grpc.close(), app.close()]);
      await engine.close();
      clearTimeout(timer);
    })());
  onStop = (sig) => {
    app.log.info(`${sig}: draining in-flight work`);
    void close().then(() => process.exit(0));
  };
  if (stopRequested) onStop(stopRequested);
  return { port, grpcPort: grpc.port, close };
}

// The gRPC server: RewardService, standard health checking (grpc.health.v1) and server reflection,
// sharing the service context (engine, metrics, admission bound) with the other transports.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from 'grpc-health-check';
import type { ServiceContext } from '../service/context.js';
import type { GrpcContext } from './context.js';
import { LOADER_OPTIONS, PROTO_PATH, SERVICE_NAME, rewardService } from './proto.js';
import { addReflection } from './reflection.js';
import { rewardServiceImpl } from './service.js';

export interface GrpcServer {
  readonly port: number;
  /** Stop accepting (health NOT_SERVING, new calls UNAVAILABLE) and resolve when in-flight calls end. */
  close(): Promise<void>;
  /** Cancel whatever is still running. */
  forceClose(): void;
}

function address(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export interface GrpcServerOptions {
  /** completed group keys a ScoreStream remembers (default SESSION_COMPLETED_GROUPS) */
  streamCompletedGroups?: number;
}

export async function startGrpcServer(service: ServiceContext, host: string, port: number, opts: GrpcServerOptions = {}): Promise<GrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': service.options.bodyLimit,
    'grpc.max_send_message_length': -1,
  });
  let accepting = true;
  const ctx: GrpcContext = { ...service, accepting: () => accepting && service.accepting(), ...opts };
  server.addService(rewardService(), rewardServiceImpl(ctx));

  const health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING' });
  health.addToServer(server);
  // Readiness follows the engine's (sandbox pools may warm up after start), polled like /readyz would be.
  const sync = (): void => {
    const s: ServingStatus = ctx.accepting() && service.engine.ready() ? 'SERVING' : 'NOT_SERVING';
    health.setStatus('', s);
    health.setStatus(SERVICE_NAME, s);
  };
  sync();
  const poll = setInterval(sync, 1000);
  poll.unref();

  addReflection(server, [PROTO_PATH, healthProtoPath], LOADER_OPTIONS);

  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address(host, port), ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        accepting = false;
        sync();
        clearInterval(poll);
        server.tryShutdown(() => resolve());
      }),
    forceClose: () => server.forceShutdown(),
  };
}

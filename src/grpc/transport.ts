// gRPC as a service transport: RewardService, health and reflection on options.host:options.grpcPort.
import type { Transport } from '../service/transport.js';
import { startGrpcServer } from './server.js';

export const grpcTransport: Transport = {
  name: 'grpc',
  async start(service) {
    const server = await startGrpcServer(service, service.options.host, service.options.grpcPort);
    return { port: server.port, drain: () => server.close(), forceClose: () => server.forceClose() };
  },
};

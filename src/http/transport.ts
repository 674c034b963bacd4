// HTTP as a service transport: the fastify app on options.host:options.port.
import type { Transport } from '../service/transport.js';
import { buildApp } from './app.js';

export const httpTransport: Transport = {
  name: 'http',
  async start(service) {
    const app = await buildApp({ service });
    // While draining, every response closes its connection: a keep-alive socket would otherwise hold the
    // server open until its idle timeout.
    let draining = false;
    app.addHook('onSend', async (_request, reply) => {
      if (draining) reply.header('connection', 'close');
    });
    await app.listen({ host: service.options.host, port: service.options.port });
    const addr = app.server.address();
    return {
      port: typeof addr === 'object' && addr ? addr.port : service.options.port,
      drain: () => {
        draining = true;
        return app.close();
      },
      forceClose: () => app.server.closeAllConnections(),
    };
  },
};

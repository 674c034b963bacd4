import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { RewardEngine } from '../../src/core/engine.js';
import { buildApp } from '../../src/http/app.js';
import type { ServerOptions } from '../../src/service/options.js';

export interface TestServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** The real app on a real socket (127.0.0.1, a free port). */
export async function startServer(options: Partial<ServerOptions> = {}, engine = new RewardEngine()): Promise<TestServer> {
  const app = await buildApp({ engine, options: { logLevel: false, ...options } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await engine.close();
    },
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

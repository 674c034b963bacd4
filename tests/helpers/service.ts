// Starts the real service (HTTP app + gRPC server) on 127.0.0.1, port 0, with a `sleep` task type whose
// verifier records whether its abort signal fired: the probe for deadline and cancellation tests.
import { Type } from '@sinclair/typebox';
import * as grpc from '@grpc/grpc-js';
import { RewardEngine } from '../../src/core/engine.js';
import { buildApp } from '../../src/http/app.js';
import type { ServerOptions } from '../../src/service/options.js';
import { startGrpcServer, type GrpcServerOptions } from '../../src/grpc/server.js';
import { rewardService } from '../../src/grpc/proto.js';
import { createRegistry } from '../../src/verifiers/index.js';
import type { Verifier } from '../../src/verifiers/types.js';

export interface SleepProbe {
  started: number;
  aborted: number;
  finished: number;
  /** most sleeps running at once */
  maxConcurrent: number;
}

function sleepVerifier(probe: SleepProbe): Verifier {
  return {
    type: 'sleep',
    description: 'test only: waits task.ms (or until aborted), then accuracy 1',
    taskSchema: Type.Object({ type: Type.Literal('sleep'), ms: Type.Number({ minimum: 0 }) }),
    verify: ({ task, signal }) =>
      new Promise((resolve) => {
        probe.started++;
        probe.maxConcurrent = Math.max(probe.maxConcurrent, probe.started - probe.finished - probe.aborted);
        const t = setTimeout(() => {
          probe.finished++;
          resolve({ accuracy: 1, status: 'ok', details: {} });
        }, (task as unknown as { ms: number }).ms);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          probe.aborted++;
          resolve({ accuracy: null, status: 'cancelled', details: {} });
        });
      }),
  };
}

export async function startService(options: Partial<ServerOptions> = {}, grpcOptions: GrpcServerOptions = {}) {
  const probe: SleepProbe = { started: 0, aborted: 0, finished: 0, maxConcurrent: 0 };
  const registry = createRegistry();
  registry.register(sleepVerifier(probe));
  const engine = new RewardEngine({ registry });
  const app = await buildApp({ engine, options: { logLevel: false, ...options } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const grpcServer = await startGrpcServer(app.r1, '127.0.0.1', 0, grpcOptions);
  const addr = app.server.address();
  const httpPort = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    probe,
    engine,
    app,
    grpcServer,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    grpcAddress: `127.0.0.1:${grpcServer.port}`,
    async close() {
      grpcServer.forceClose();
      await app.close();
      await engine.close();
    },
  };
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
type UnaryMethod = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<unknown>) => grpc.ClientUnaryCall;

/** A Node client of RewardService built from the same proto, with promise-returning unary calls. */
export function rewardClient(address: string) {
  const Ctor = grpc.makeClientConstructor(rewardService(), 'RewardService');
  const client = new Ctor(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, UnaryMethod>;
  const unary =
    (name: string) =>
    <T = Record<string, unknown>>(req: unknown, opts: grpc.CallOptions = {}, onCall?: (c: grpc.ClientUnaryCall) => void): Promise<T> =>
      new Promise((resolve, reject) => {
        const call = client[name]!.call(client, req, new grpc.Metadata(), opts, (err, v) => (err ? reject(err) : resolve(v as T)));
        onCall?.(call);
      });
  return {
    client,
    score: unary('Score'),
    advantages: unary('ComputeAdvantages'),
    stream(opts: grpc.CallOptions = {}): grpc.ClientDuplexStream<unknown, Record<string, unknown>> {
      const method = client['ScoreStream'] as unknown as (md: grpc.Metadata, o: grpc.CallOptions) => grpc.ClientDuplexStream<unknown, Record<string, unknown>>;
      return method.call(client, new grpc.Metadata(), opts);
    },
    close: () => client.close(),
  };
}

/** The error of a call expected to fail (rejects if it succeeds). */
export function grpcError(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: grpc.ServiceError) => e,
  );
}

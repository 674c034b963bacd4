import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import type { GrpcContext } from './context.js';

/** Counts a finished call in the same metrics as HTTP, under route `grpc:<Method>`. */
export function observeCall(ctx: GrpcContext, method: string, code: status, t0: number): void {
  const route = `grpc:${method}`;
  ctx.metrics.requests.inc({ route, code: status[code] ?? String(code) });
  ctx.metrics.latency.observe({ route }, (performance.now() - t0) / 1000);
}

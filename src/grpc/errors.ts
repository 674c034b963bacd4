// How the service's refusals map onto gRPC status codes. The HTTP equivalents: 400 -> INVALID_ARGUMENT,
// 503 saturated -> RESOURCE_EXHAUSTED, draining / not ready -> UNAVAILABLE.
import { Metadata, status } from '@grpc/grpc-js';
import type { FieldError } from '../contract/types.js';

export interface GrpcError {
  code: status;
  details: string;
  metadata?: Metadata;
}

/** Every offending field in the message; the list as JSON in trailing metadata `r1-fields-bin`. */
export function invalidArgument(fields: FieldError[]): GrpcError {
  const metadata = new Metadata();
  metadata.set('r1-fields-bin', Buffer.from(JSON.stringify(fields)));
  return { code: status.INVALID_ARGUMENT, details: fields.map((f) => `${f.path}: ${f.message}`).join('; '), metadata };
}

export function saturated(inflight: number): GrpcError {
  return { code: status.RESOURCE_EXHAUSTED, details: `server is at capacity (${inflight} rollouts in flight); retry later` };
}

export function unavailable(why: string): GrpcError {
  return { code: status.UNAVAILABLE, details: why };
}

export function deadlineExceeded(): GrpcError {
  return { code: status.DEADLINE_EXCEEDED, details: 'the call deadline passed before scoring finished' };
}

export function internal(err: unknown): GrpcError {
  return { code: status.INTERNAL, details: `internal error: ${(err as Error)?.message ?? String(err)}` };
}

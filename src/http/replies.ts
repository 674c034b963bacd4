// HTTP replies every route and trainer adapter shares: field errors, admission refusals, client aborts.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toFieldErrors } from '../contract/errors.js';
import type { FieldError } from '../contract/types.js';
import { withAdmission } from '../service/admission.js';
import type { ServiceContext } from '../service/context.js';

export function badRequest(reply: FastifyReply, fields: FieldError[]): FastifyReply {
  return reply.code(400).send({
    error: 'invalid_request',
    message: fields.map((f) => `${f.path}: ${f.message}`).join('; '),
    fields,
  });
}

/** Runs `work` holding `n` admission slots; answers 503 + Retry-After when the server is saturated. */
export async function admitted<T>(ctx: ServiceContext, reply: FastifyReply, n: number, work: () => Promise<T>): Promise<T | FastifyReply> {
  const r = await withAdmission(ctx.admission, ctx.metrics, n, work);
  if (r.admitted) return r.value;
  return reply
    .code(503)
    .header('retry-after', String(ctx.options.retryAfterS))
    .send({ error: 'saturated', message: `server is at capacity (${ctx.admission.current} rollouts in flight); retry later` });
}

/** An AbortSignal that fires when the client goes away before the reply is written. */
export function clientGone(_request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const c = new AbortController();
  // The response's own 'close' (not the keep-alive socket's) fires once per request: no listener build-up.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) c.abort();
  });
  return c.signal;
}

/** A compiled body check: every field error of `body` against `schema`, named as /v1/score names them. */
export function bodyCheck(schema: TSchema): (body: unknown) => FieldError[] {
  const check = TypeCompiler.Compile(schema);
  return (body) => (check.Check(body) ? [] : toFieldErrors(check.Errors(body)));
}

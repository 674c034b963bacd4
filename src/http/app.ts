// The HTTP transport: a thin fastify layer over the engine. Validation, scoring and advantages all live
// in the core; this file maps them onto routes, status codes and metrics.
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import { AdvantagesRequestSchema, ScoreRequestSchema, checkAdvantagesRequest, checkScoreRequest } from '../contract/request.js';
import type { Config } from '../core/config.js';
import { AdvantagesResponseSchema, ScoreResponseSchema } from '../contract/response.js';
import type { FieldError } from '../contract/types.js';
import { ConfigError, type RewardEngine } from '../core/engine.js';
import { clusterMetrics, inWorker, shareMetrics } from '../service/cluster.js';
import { createServiceContext, type ServiceContext, type ServiceDeps } from '../service/context.js';
import { openrlhfAdapter } from './adapters/openrlhf.js';
import { slimeAdapter } from './adapters/slime.js';
import { floatJson, scoreResponseJson, sendJsonText } from './float-json.js';
import { admitted, badRequest, clientGone } from './replies.js';
import { evalRoute } from './eval-route.js';

export type AppDeps = ServiceDeps | { service: ServiceContext };

declare module 'fastify' {
  interface FastifyInstance {
    r1: ServiceContext;
  }
}

/** The request's resolved config; its errors (every one) are appended to `errors` instead. */
function configOrErrors(engine: RewardEngine, body: unknown, errors: FieldError[]): Config | undefined {
  const raw = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { config?: unknown }).config : undefined;
  try {
    return engine.config(raw);
  } catch (e) {
    if (e instanceof ConfigError) {
      errors.push(...e.fields);
      return undefined;
    }
    throw e;
  }
}

const ErrorSchema = Type.Object({
  error: Type.String(),
  message: Type.String(),
  fields: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
});

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const ctx = 'service' in deps ? deps.service : createServiceContext(deps);
  const { options, metrics } = ctx;
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: ctx.log,
    // Per-request logs would dominate a high-throughput scorer; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
  });
  app.decorate('r1', ctx);

  // The config's full schema (core sections plus each verifier's), for the OpenAPI document.
  const configDoc = ctx.engine.configSchema.schema;
  // Schemas document the API (OpenAPI); the core validates, so transports share one set of error messages.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(swagger, {
    openapi: {
      info: { title: 'r1-reward', version: '0.1.0', description: 'Rule-based rewards and GRPO advantages for RL of reasoning LLMs.' },
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ route, code: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const code = err.statusCode ?? 500;
    if (code === 413) {
      metrics.rejected.inc({ reason: 'body_too_large' });
      return reply.code(413).send({ error: 'payload_too_large', message: `request body exceeds ${options.bodyLimit} bytes` });
    }
    if (code >= 400 && code < 500) {
      return reply.code(code).send({ error: code === 415 ? 'unsupported_media_type' : 'invalid_request', message: err.message });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_error', message: 'internal error' });
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const ready = ctx.engine.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready' });
  });
  if (inWorker()) shareMetrics(metrics.registry);
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = inWorker() ? await clusterMetrics() : await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());

  app.post(
    '/v1/score',
    {
      schema: {
        description: 'Score a batch of rollouts and compute group-relative advantages.',
        body: Type.Object({ rollouts: ScoreRequestSchema.properties.rollouts, config: Type.Optional(configDoc) }, { additionalProperties: false }),
        response: { 200: ScoreResponseSchema, 400: ErrorSchema, 413: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as { rollouts?: unknown[]; config?: unknown } | undefined;
      const errors = checkScoreRequest(body, options.maxRollouts);
      const config = configOrErrors(ctx.engine, body, errors);
      if (errors.length || !config) return badRequest(reply, errors);
      const rollouts = body!.rollouts!;
      return admitted(ctx, reply, rollouts.length, async () => {
        const res = await ctx.engine.score(rollouts, config, { signal: clientGone(request, reply) });
        metrics.observeBatch(res);
        return sendJsonText(reply, scoreResponseJson(res));
      });
    },
  );

  app.post(
    '/v1/advantages',
    {
      schema: {
        description: 'Group-relative advantages for rewards computed elsewhere.',
        body: Type.Object(
          { rewards: AdvantagesRequestSchema.properties.rewards, groups: AdvantagesRequestSchema.properties.groups, config: Type.Optional(configDoc) },
          { additionalProperties: false },
        ),
        response: { 200: AdvantagesResponseSchema, 400: ErrorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as { rewards: (number | null)[]; groups: string[]; config?: unknown };
      const errors = checkAdvantagesRequest(body, options.maxRollouts);
      const config = configOrErrors(ctx.engine, body, errors);
      if (errors.length || !config) return badRequest(reply, errors);
      const res = ctx.engine.advantages(body.rewards, body.groups, config);
      return sendJsonText(reply, `{"advantages":${floatJson(res.advantages)},"groups":${JSON.stringify(res.groups)}}`);
    },
  );

  await app.register(evalRoute);

  // Trainer protocols (docs/integrations.md): thin plugins over the same engine and admission bound.
  await app.register(openrlhfAdapter);
  await app.register(slimeAdapter);

  return app;
}

import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Ajv } from 'ajv';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, authenticate, checkScope, tokenCredential } from './auth.js';
import type { ApiConfig } from './config.js';
import type { ApiApp, ApiContext } from './context.js';
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemFor, problemOfStatus } from './problem.js';
import { isRedisDown } from './redis-down.js';
import { registerRoutes } from './routes/index.js';
import { UPLOAD_CONTENT_TYPES } from './routes/imports.js';

/** Request ids a client may choose (X-Request-Id); anything else gets one of ours. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** A client that sends nothing for this long has its connection closed. */
const REQUEST_TIMEOUT_MS = 60_000;
/** Idle keep-alive connections are kept this long: longer than a load balancer's usual 60 s is not needed. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export const API_VERSION = '1';

/**
 * The API as a Fastify instance, not listening yet (start.ts listens; tests may too).
 * One hook authenticates, one checks list scopes, one error handler answers problems;
 * every route file under routes/ holds its schemas and thin handlers.
 */
export async function buildApi(context: ApiContext): Promise<{ app: ApiApp; routes: RouteName[] }> {
  const { config, log, metrics } = context;
  const routes: RouteName[] = [];
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per request, ours (onResponse below): with the route template, the status and the token's name.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // A hop count is documented by Fastify (proxy-addr) but missing from its types.
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestIdHeader: false,
    // Wombat clients call /wombat/api/lists/ with its slash, others without.
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // A body is JSON and taken as typed: "42" is no number there. Query strings and path
  // parameters are text by nature, so theirs are read as the schema says (limit=5 is 5).
  const bodies = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
  const texts = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : texts).compile(schema));

  const problemContext = (request: FastifyRequest) => ({ requestId: request.id, path: pathOf(request) });

  app.setErrorHandler((error, request, reply) => {
    const body = problemFor(error, {
      ...problemContext(request),
      request: { body: request.body, query: request.query, params: request.params },
      redisDown: (candidate) => isRedisDown(candidate, context.redis),
    });
    if (body.status >= 500 && body.status !== 503) request.log.error({ err: error }, 'request failed');
    void sendProblem(reply, body.status, body, error instanceof ApiProblem ? error : undefined);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, problemOfStatus(404, 'not-found', `no route ${request.method} ${pathOf(request)}`, problemContext(request))),
  );

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onRequest', authenticate([tokenCredential(context.verifier)]));
  app.addHook('preHandler', checkScope);
  app.addHook('onRoute', (route) => {
    if (!route.config?.access) throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    const seconds = reply.elapsedTime / 1000;
    metrics.recordRequest(request.method, route, reply.statusCode, seconds);
    const level = reply.statusCode >= 500 ? 'error' : accessOf(request).quiet ? 'debug' : 'info';
    // A check's line is usually below the level: not built at all then (thousands a second).
    if (!log.isLevelEnabled(level)) return;
    const fields = {
      method: request.method,
      route,
      path: pathOf(request),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 1000) / 1000,
      ip: request.ip,
      token: request.principal?.name,
    };
    request.log[level](fields, 'request answered');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'callguard API',
        version: API_VERSION,
        description: 'Number lists, checks, routes, campaigns, imports and webhooks of callguard. Errors are application/problem+json (RFC 9457).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // The upload's body is a file, not JSON, so no schema validates it; the document still says what it takes.
    transformObject: (documentObject) => ('openapiObject' in documentObject ? withUploadBody(documentObject.openapiObject) : documentObject.swaggerObject),
  });
  if (config.rateLimit.max > 0) await registerRateLimit(app, config.rateLimit);

  await registerRoutes(app, context);
  return { app, routes };
}

/** Per token, after authentication: over the limit, 429 with Retry-After. */
async function registerRateLimit(app: ApiApp, limit: ApiConfig['rateLimit']): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowMs,
    // After authentication (onRequest), so every limited request has a token; the address is only a fallback.
    hook: 'preValidation',
    keyGenerator: (request) => (request.principal ? `token:${request.principal.name}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, exceeded) =>
      new ApiProblem(429, 'rate-limited', `more than ${exceeded.max} requests in ${exceeded.after}; retry after the Retry-After seconds`),
  });
}

/** A route as registered: its method and URL template (`/v1/lists/:list`). */
export interface RouteName {
  method: string;
  url: string;
}

function sendProblem(reply: FastifyReply, status: number, body: unknown, problem?: ApiProblem): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  if (problem?.status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** The path of a request without its query string: a query may carry a token (Wombat routes). */
export function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}


function withUploadBody<T extends { paths?: object }>(document: T): T {
  const paths = document.paths as Record<string, Record<string, unknown>> | undefined;
  const upload = paths?.['/v1/lists/{list}/import']?.post as Record<string, unknown> | undefined;
  if (upload) {
    upload.requestBody = {
      required: true,
      content: Object.fromEntries(UPLOAD_CONTENT_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
    };
  }
  return document;
}

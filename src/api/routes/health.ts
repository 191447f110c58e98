import { Type } from 'typebox';
import type { ApiApp, ApiContext } from '../context.js';

/** /healthz (the process answers), /readyz (Redis is connected), /metrics (Prometheus), the OpenAPI document. */
export function registerHealth(app: ApiApp, context: ApiContext): void {
  const open = { access: { role: 'public' as const, quiet: true }, rateLimit: false };

  app.get('/healthz', { config: open, schema: { tags: ['health'], security: [], response: { 200: Type.String() } } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send('ok\n'),
  );

  app.get(
    '/readyz',
    {
      config: open,
      schema: {
        tags: ['health'],
        security: [],
        response: {
          200: Type.Object({ ready: Type.Boolean(), detail: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ ready: Type.Boolean(), detail: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const ready = context.redis.status === 'ready';
      return reply.code(ready ? 200 : 503).send({ ready, detail: { redis: context.redis.status } });
    },
  );

  app.get('/metrics', { config: open, schema: { tags: ['health'], security: [], response: { 200: Type.String() } } }, async (_request, reply) =>
    reply.type(context.metrics.registry.contentType).send(await context.metrics.registry.metrics()),
  );

  app.get(
    '/v1/openapi.json',
    { config: open, schema: { tags: ['health'], security: [], description: 'this document (OpenAPI 3.1)' } },
    async () => app.swagger(),
  );
}

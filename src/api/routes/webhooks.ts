import { Type } from 'typebox';
import { deliveryJson, webhookJson } from '../../front-door/json-shapes.js';
import { EVENT_TYPES } from '../../webhooks/events.js';
import { infoOf, nameFromUrl, WebhookStore } from '../../webhooks/store.js';
import { principalOf } from '../auth.js';
import type { ApiApp, ApiContext } from '../context.js';
import { NAME_PATTERN, NameParams, OpenObject, withProblems } from '../schemas.js';

const MAX_DELIVERIES = 1_000;
const WebhookShape = OpenObject({ name: Type.String(), url: Type.String(), events: Type.Array(Type.String()), createdAt: Type.Union([Type.String(), Type.Null()]), createdBy: Type.String() });

/** `callguard webhook add|list|rm|deliveries`, for an admin. */
export function registerWebhooks(app: ApiApp, context: ApiContext): void {
  const store = new WebhookStore(context.redis, context.namespace);
  const admin = { access: { role: 'admin' as const, scope: 'installation' as const } };

  app.get(
    '/v1/webhooks',
    { config: admin, schema: { tags: ['webhooks'], description: 'every webhook (never its secret)', response: withProblems({ 200: Type.Object({ webhooks: Type.Array(WebhookShape) }) }) } },
    async () => ({ webhooks: (await store.all()).map((hook) => webhookJson(infoOf(hook))) }),
  );

  app.post(
    '/v1/webhooks',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        description: 'add a webhook: events from now on are POSTed to its URL, signed; a secret left out is made and answered once',
        body: Type.Object(
          {
            url: Type.String({ maxLength: 2000 }),
            events: Type.Array(Type.Enum(EVENT_TYPES), { minItems: 1, maxItems: EVENT_TYPES.length }),
            secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
            name: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: WebhookShape }, 409, 422),
      },
    },
    async (request, reply) => {
      const { body } = request;
      const added = await store.add({
        name: body.name ?? nameFromUrl(body.url),
        url: body.url,
        events: body.events,
        ...(body.secret === undefined ? {} : { secret: body.secret }),
        createdBy: principalOf(request).name,
      });
      return reply.code(201).send({ ...webhookJson(infoOf(added)), ...(body.secret === undefined ? { secret: added.secret } : {}) });
    },
  );

  app.delete(
    '/v1/webhooks/:name',
    { config: admin, schema: { tags: ['webhooks'], description: 'remove a webhook with the events waiting for it', params: NameParams, response: withProblems({ 200: Type.Object({ removed: Type.String() }) }, 404) } },
    async (request) => {
      await store.remove(request.params.name);
      return { removed: request.params.name };
    },
  );

  app.get(
    '/v1/webhooks/:name/deliveries',
    {
      config: admin,
      schema: {
        tags: ['webhooks'],
        description: 'delivery attempts, newest first (delivered, failed, dropped), and how many events wait',
        params: NameParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DELIVERIES, default: 20 })) }),
        response: withProblems({ 200: OpenObject({ webhook: Type.String(), pending: Type.Integer(), deliveries: Type.Array(OpenObject({})) }) }, 404),
      },
    },
    async (request) => {
      const { pending, deliveries } = await store.deliveries(request.params.name, request.query.limit ?? 20);
      return { webhook: request.params.name, pending, deliveries: deliveries.map(deliveryJson) };
    },
  );
}

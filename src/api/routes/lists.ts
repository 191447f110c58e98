import { Type } from 'typebox';
import { isoTime } from '../../front-door/format.js';
import { listSourceJson } from '../../front-door/json-shapes.js';
import type { ListInfo } from '../../lists/types.js';
import type { ApiApp, ApiContext } from '../context.js';
import { actorOf, visibleLists } from '../input.js';
import { notFound } from '../problem.js';
import { ListName, ListParams, Reason, withProblems } from '../schemas.js';

const ListShape = Type.Object({
  name: Type.String(),
  enabled: Type.Boolean(),
  size: Type.Integer(),
  createdAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  dense: Type.Union([Type.String(), Type.Null()]),
  data: Type.Union([
    Type.Object({ file: Type.String(), dataDate: Type.Union([Type.String(), Type.Null()]), ageSeconds: Type.Integer(), from: Type.String() }),
    Type.Null(),
  ]),
});
const Changed = Type.Object({ list: Type.String(), action: Type.String() });

function listJson(list: ListInfo) {
  return {
    name: list.name,
    enabled: list.enabled,
    size: list.size,
    createdAt: isoTime(list.createdAt),
    createdBy: list.createdBy,
    dense: list.dense ?? null,
    data: listSourceJson(list.source, Date.now()),
  };
}

/** `callguard lists` and `list create|rm|enable|disable`. */
export function registerLists(app: ApiApp, context: ApiContext): void {
  const { lists: store } = context;
  const ofParam = (request: { params: unknown }) => [(request.params as { list: string }).list];

  app.get(
    '/v1/lists',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['lists'], description: 'every list the token may see: enabled or not, size, who created it and when', response: withProblems({ 200: Type.Object({ lists: Type.Array(ListShape) }) }) },
    },
    async (request) => ({ lists: visibleLists(request, (await store.lists()).map((list) => ({ list: list.name, info: list }))).map(({ info }) => listJson(info)) }),
  );

  app.get(
    '/v1/lists/:list',
    {
      config: { access: { role: 'viewer', scope: ofParam } },
      schema: { tags: ['lists'], params: ListParams, response: withProblems({ 200: ListShape }, 404) },
    },
    async (request) => {
      const found = (await store.lists()).find((list) => list.name === request.params.list);
      if (!found) throw notFound(`no such list: ${request.params.list}`);
      return listJson(found);
    },
  );

  app.post(
    '/v1/lists',
    {
      config: { access: { role: 'supervisor', scope: (request) => [(request.body as { name: string }).name] } },
      schema: {
        tags: ['lists'],
        description: 'create an empty, enabled list',
        body: Type.Object(
          {
            name: ListName,
            reason: Type.Optional(Reason),
            dense: Type.Optional(Type.Union([Type.Literal('nanp'), Type.Literal('uk')], { description: 'keep that national plan as bitmaps (a registry)' })),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: Changed }, 409, 422),
      },
    },
    async (request, reply) => {
      const { dense } = request.body;
      await store.createList(request.body.name, actorOf(request, request.body.reason), dense ? { dense } : {});
      return reply.code(201).send({ list: request.body.name, action: 'created' });
    },
  );

  app.patch(
    '/v1/lists/:list',
    {
      config: { access: { role: 'supervisor', scope: ofParam } },
      schema: {
        tags: ['lists'],
        description: 'enable or disable a list (a disabled list matches nothing)',
        params: ListParams,
        body: Type.Object({ enabled: Type.Boolean(), reason: Type.Optional(Reason) }, { additionalProperties: false }),
        response: withProblems({ 200: Changed }, 404),
      },
    },
    async (request) => {
      await store.setEnabled(request.params.list, request.body.enabled, actorOf(request, request.body.reason));
      return { list: request.params.list, action: request.body.enabled ? 'enabled' : 'disabled' };
    },
  );

  app.delete(
    '/v1/lists/:list',
    {
      config: { access: { role: 'supervisor', scope: ofParam } },
      schema: {
        tags: ['lists'],
        description: 'remove a list with all its entries and cancellations (its audit stream stays)',
        params: ListParams,
        querystring: Type.Object({ reason: Type.Optional(Reason) }),
        response: withProblems({ 200: Changed }, 404),
      },
    },
    async (request) => {
      await store.removeList(request.params.list, actorOf(request, request.query.reason));
      return { list: request.params.list, action: 'removed' };
    },
  );
}

import { Type } from 'typebox';
import { entryJson, isoTime } from '../../front-door/format.js';
import { listSourceJson } from '../../front-door/json-shapes.js';
import { entriesPage, isEntriesCursor } from '../../lists/browse.js';
import type { ListInfo } from '../../lists/types.js';
import { listUses, ListInUseError, removeList } from '../../screening/list-removal.js';
import type { ApiApp, ApiContext } from '../context.js';
import { actorOf, visibleLists } from '../input.js';
import { ApiProblem, invalid, notFound } from '../problem.js';
import { ListName, ListParams, OpenObject, Reason, withProblems } from '../schemas.js';

const MAX_PAGE = 1_000;
const DEFAULT_PAGE = 100;
const Use = Type.Object({ kind: Type.String({ description: 'route or campaign' }), name: Type.String(), as: Type.String({ description: 'block or allow' }) });

const ListShape = Type.Object({
  name: Type.String(),
  enabled: Type.Boolean(),
  size: Type.Integer(),
  lost: Type.Integer({ description: 'entries the list should hold but Redis no longer has (0 when whole)' }),
  lostBlocks: Type.Integer({ description: "blocks of a dense list's bitmaps found gone (0 when none found): checks of the numbers in them fail" }),
  createdAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  lastImportAt: Type.Union([Type.String(), Type.Null()], { description: 'when the last import or replace ran (null: none recorded)' }),
  dense: Type.Union([Type.String(), Type.Null()]),
  data: Type.Union([
    Type.Object({
      file: Type.String(),
      dataDate: Type.Union([Type.String(), Type.Null()], { description: "the date of the list's data: its oldest part's (an area code's, docs/registries.md)" }),
      ageSeconds: Type.Integer(),
      from: Type.String(),
      oldest: Type.Union([Type.Object({ part: Type.String({ description: 'an area code (415), other (numbers outside +1), or all (dated before dates per area code)' }), parts: Type.Integer() }), Type.Null()], {
        description: 'the part of the list whose data is of that date when other parts are newer, and how many parts are of that date',
      }),
    }),
    Type.Null(),
  ]),
});
const Changed = Type.Object({ list: Type.String(), action: Type.String() });
const Created = Type.Object({
  list: Type.String(),
  action: Type.String(),
  leftBehind: Type.Optional(Type.Integer({ description: 'entries a list of that name left behind when its info was lost, kept' })),
  adopted: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the generation of bitmaps left behind a dense list now reads' })),
});

function listJson(list: ListInfo) {
  return {
    name: list.name,
    enabled: list.enabled,
    size: list.size,
    lost: list.lost,
    lostBlocks: list.lostBlocks,
    createdAt: isoTime(list.createdAt),
    createdBy: list.createdBy,
    lastImportAt: isoTime(list.lastImportAt),
    dense: list.dense ?? null,
    data: listSourceJson(list.source, Date.now()),
  };
}

/** `callguard lists` and `list create|rm|enable|disable`. */
export function registerLists(app: ApiApp, context: ApiContext): void {
  const { lists: store, redis, namespace } = context;
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
      schema: {
        tags: ['lists'],
        description: 'one list, and the routes and campaigns that name it (a removal asks for force while any does)',
        params: ListParams,
        response: withProblems({ 200: Type.Object({ ...ListShape.properties, usedBy: Type.Array(Use) }) }, 404),
      },
    },
    async (request) => {
      const [found] = await store.lists([request.params.list]);
      if (!found) throw notFound(`no such list: ${request.params.list}`);
      return { ...listJson(found), usedBy: await listUses(redis, namespace, found.name) };
    },
  );

  app.get(
    '/v1/lists/:list/entries',
    {
      config: { access: { role: 'viewer', scope: ofParam } },
      schema: {
        tags: ['lists'],
        description: "a page of the list's entries (never the whole list): about `limit` entries in no particular order, and the cursor of the next page (null after the last)",
        params: ListParams,
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 30, description: 'the cursor of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE })),
        }),
        response: withProblems({ 200: Type.Object({ list: Type.String(), entries: Type.Array(OpenObject({})), cursor: Type.Union([Type.String(), Type.Null()]) }) }, 404, 422),
      },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      if (cursor !== undefined && !isEntriesCursor(cursor)) throw invalid('query/cursor', cursor, 'not a cursor this API handed out');
      const page = await entriesPage(redis, namespace, request.params.list, cursor, limit ?? DEFAULT_PAGE, Date.now());
      return { list: request.params.list, entries: page.entries.map(entryJson), cursor: page.cursor };
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
            generation: Type.Optional(
              Type.String({ minLength: 1, maxLength: 64, description: 'with dense: the generation of bitmaps to read when a list of that name lost its info and left several' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: Created }, 409, 422),
      },
    },
    async (request, reply) => {
      const { dense, generation } = request.body;
      if (generation !== undefined && dense === undefined) throw invalid('body/generation', generation, 'names bitmaps a dense list reads: give dense with it');
      const created = await store.createList(request.body.name, actorOf(request, request.body.reason), {
        ...(dense ? { dense } : {}),
        ...(generation === undefined ? {} : { generation }),
      });
      const kept = created.leftBehind === 0 ? {} : { leftBehind: created.leftBehind, adopted: created.adopted ?? null };
      return reply.code(201).send({ list: request.body.name, action: 'created', ...kept });
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
        description: 'remove a list with all its entries and cancellations (its audit stream stays); refused (409, naming them) while a route or campaign names it, unless force=true',
        params: ListParams,
        querystring: Type.Object({
          reason: Type.Optional(Reason),
          force: Type.Optional(Type.Boolean({ description: 'remove it even while routes or campaigns name it' })),
          leftBehind: Type.Optional(Type.Boolean({ description: 'remove what a list whose info Redis lost left behind (refused, 409, while the list exists)' })),
        }),
        response: withProblems({ 200: Changed }, 404, 409),
      },
    },
    async (request) => {
      const { list } = request.params;
      if (request.query.leftBehind) {
        await store.removeLeftBehind(list, actorOf(request, request.query.reason));
        return { list, action: 'removed-left-behind' };
      }
      const options = { force: Boolean(request.query.force) };
      await removeList(redis, namespace, list, actorOf(request, request.query.reason), options).catch((error: unknown) => {
        if (error instanceof ListInUseError) throw new ApiProblem(409, 'in-use', `${error.message}: change them first, or remove it with force=true`);
        throw error;
      });
      return { list, action: 'removed' };
    },
  );
}

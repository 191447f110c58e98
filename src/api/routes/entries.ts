import { Type } from 'typebox';
import { isoTime } from '../../front-door/format.js';
import type { ApiApp, ApiContext } from '../context.js';
import { actorOf, entriesOf, expiryOf, regionOf } from '../input.js';
import { ListParams, Reason, withProblems } from '../schemas.js';

/** The most numbers one add or cancel takes (the store's own limit); files go through import. */
export const MAX_NUMBERS_PER_REQUEST = 10_000;

const Numbers = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
  minItems: 1,
  maxItems: MAX_NUMBERS_PER_REQUEST,
  description: 'E.164, or national with "region"; ending in * a prefix',
});
const Region = Type.String({ maxLength: 8, description: 'region of national numbers, e.g. DE' });

/** `callguard add` and `callguard cancel --list`. */
export function registerEntries(app: ApiApp, context: ApiContext): void {
  const { lists: store, config } = context;
  const ofParam = (request: { params: unknown }) => [(request.params as { list: string }).list];

  app.post(
    '/v1/lists/:list/entries',
    {
      config: { access: { role: 'operator', scope: ofParam } },
      schema: {
        tags: ['entries'],
        description: 'add numbers or prefixes, forever or for a time; all or nothing: one invalid number writes none',
        params: ListParams,
        body: Type.Object(
          {
            numbers: Numbers,
            for: Type.Optional(Type.String({ maxLength: 16, description: 'expires after this long: 30m, 12h, 30d, 2w, 1y' })),
            until: Type.Optional(Type.String({ maxLength: 40, description: 'expires at this ISO 8601 time' })),
            reason: Type.Optional(Reason),
            region: Type.Optional(Region),
          },
          { additionalProperties: false },
        ),
        response: withProblems(
          {
            200: Type.Object({
              list: Type.String(),
              added: Type.Integer(),
              extended: Type.Integer(),
              unchanged: Type.Integer(),
              expiresAt: Type.Union([Type.String(), Type.Null()]),
              entries: Type.Array(Type.Object({ input: Type.String(), member: Type.String(), kind: Type.String() })),
            }),
          },
          404,
          422,
        ),
      },
    },
    async (request) => {
      const { body, params } = request;
      const entries = entriesOf(body.numbers, regionOf(body.region, 'body/region', config.defaultRegion), 'body/numbers');
      const expiresAt = expiryOf(body, Date.now());
      const result = await store.add(
        params.list,
        entries.map((entry) => ({ member: entry.member, ...(expiresAt === undefined ? {} : { expiresAt }) })),
        actorOf(request, body.reason),
      );
      return { list: params.list, ...result, expiresAt: isoTime(expiresAt), entries };
    },
  );

  app.post(
    '/v1/lists/:list/cancellations',
    {
      config: { access: { role: 'operator', scope: ofParam } },
      schema: {
        tags: ['entries'],
        description: 'cancel entries: they stop matching, the cancellation stays visible; numbers not listed are reported and left alone',
        params: ListParams,
        body: Type.Object({ numbers: Numbers, reason: Type.String({ minLength: 1, maxLength: 1000 }), region: Type.Optional(Region) }, { additionalProperties: false }),
        response: withProblems({ 200: Type.Object({ list: Type.String(), cancelled: Type.Array(Type.String()), notListed: Type.Array(Type.String()) }) }, 404, 422),
      },
    },
    async (request) => {
      const { body, params } = request;
      const entries = entriesOf(body.numbers, regionOf(body.region, 'body/region', config.defaultRegion), 'body/numbers');
      const result = await store.cancel(
        params.list,
        entries.map((entry) => entry.member),
        { ...actorOf(request), reason: body.reason },
      );
      return { list: params.list, ...result };
    },
  );
}

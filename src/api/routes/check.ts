import { Type } from 'typebox';
import { entryJson } from '../../front-door/format.js';
import { numberReportJson } from '../../front-door/json-shapes.js';
import { readEntry } from '../../front-door/number-input.js';
import { describeNumber, reportOnLists } from '../../lists/number-report.js';
import { checkNumber } from '../../screening/check-number.js';
import type { ApiApp, ApiContext } from '../context.js';
import { regionOf, visibleLists } from '../input.js';
import { invalid } from '../problem.js';
import { ListName, OpenObject, withProblems } from '../schemas.js';

const MAX_HISTORY = 10_000;
const DEFAULT_HISTORY = 50;

const Match = Type.Union([
  Type.Object({
    list: Type.String(),
    member: Type.String(),
    kind: Type.String(),
    expiresAt: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    by: Type.Union([Type.String(), Type.Null()]),
    addedAt: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Null(),
]);

/** `callguard check` and `callguard show`. */
export function registerCheck(app: ApiApp, context: ApiContext): void {
  const { lists: store, config } = context;

  app.post(
    '/v1/check',
    {
      config: { access: { role: 'viewer', quiet: true, scope: (request) => (request.body as { lists: string[] }).lists } },
      schema: {
        tags: ['check'],
        description: 'one number against lists, in order, as a call would be screened: verdict clear, blocked, hidden or malformed, and the first match',
        body: Type.Object(
          {
            number: Type.String({ maxLength: 256, description: 'as a caller or callee would present it' }),
            lists: Type.Array(ListName, { minItems: 1, maxItems: 100 }),
            region: Type.Optional(Type.String({ maxLength: 8 })),
          },
          { additionalProperties: false },
        ),
        response: withProblems(
          {
            200: Type.Object({
              input: Type.String(),
              verdict: Type.String(),
              number: Type.Union([Type.String(), Type.Null()]),
              lists: Type.Array(Type.String()),
              detail: Type.Union([Type.String(), Type.Null()]),
              match: Match,
            }),
          },
          404,
          409,
          422,
        ),
      },
    },
    async (request) => {
      const { number: input, lists } = request.body;
      const region = regionOf(request.body.region, 'body/region', config.defaultRegion);
      const { verdict, number, detail, match } = await checkNumber((e164, names) => store.check(e164, names), input, lists, region);
      return { input, verdict, number, lists, detail, match: match ? entryJson(match) : null };
    },
  );

  app.get(
    '/v1/numbers/:number',
    {
      config: { access: { role: 'viewer' } },
      schema: {
        tags: ['check'],
        description:
          'everything about one number or prefix (+1900*): the lists holding it, each entry with its list\'s data date (listData, the oldest part\'s) and the date of its own part (partData: its area code, or other), its cancellations, its audit history, and the lists that lost entries outside callguard and cannot tell whether they hold it (cannotTell), on the lists the token may see',
        params: Type.Object({ number: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: Type.Object({
          region: Type.Optional(Type.String({ maxLength: 8 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY, default: DEFAULT_HISTORY, description: 'history events, newest first' })),
        }),
        response: withProblems(
          { 200: OpenObject({ input: Type.String(), member: Type.String(), listed: Type.Array(OpenObject({})), cancelled: Type.Array(OpenObject({})), history: Type.Array(OpenObject({})), cannotTell: Type.Array(Type.String()) }) },
          422,
        ),
      },
    },
    async (request) => {
      const input = request.params.number;
      const reading = readEntry(input, regionOf(request.query.region, 'query/region', config.defaultRegion));
      if (!reading.ok) throw invalid('params/number', input, `not a number or prefix: ${reading.reason}`);
      const { member, kind } = reading.entry;
      const report = await describeNumber(store, member, kind, request.query.limit ?? DEFAULT_HISTORY);
      return numberReportJson(input, member, reportOnLists(report, (list) => visibleLists(request, [{ list }]).length > 0));
    },
  );
}

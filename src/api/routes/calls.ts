import { Type } from 'typebox';
import { isoTime } from '../../front-door/format.js';
import { callJson, resultJson } from '../../front-door/json-shapes.js';
import { DEFAULT_REPORT_SCAN } from '../../dialer/campaign-report.js';
import { DialRequestError, queueCall } from '../../dialer/queue-call.js';
import { MAX_ALTERNATES, MAX_ATTRS_LENGTH, REQUEST_ID_PATTERN } from '../../dialer/request-fields.js';
import { DEFAULT_REPORT_LIMIT, readCallLog } from '../../screening/call-log.js';
import { VERDICTS } from '../../screening/types.js';
import type { ApiApp, ApiContext } from '../context.js';
import { atOf, regionOf, sinceOf } from '../input.js';
import { invalid, notFound } from '../problem.js';
import { NAME_PATTERN, NameParams, OpenObject, withProblems } from '../schemas.js';

const MAX_REPORT_LIMIT = 100_000;

/** `callguard call` (queue a dial request), a request's results, and `callguard report` (the call log). */
export function registerCalls(app: ApiApp, context: ApiContext): void {
  const { campaigns, dial, config, redis, namespace } = context;

  app.post(
    '/v1/campaigns/:name/calls',
    {
      config: { access: { role: 'operator' } },
      schema: {
        tags: ['dial requests'],
        description: "queue a number for the campaign's dialer; its block lists are checked at every attempt",
        params: NameParams,
        body: Type.Object(
          {
            number: Type.String({ minLength: 1, maxLength: 128 }),
            alternates: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: MAX_ALTERNATES, description: "the same person's other numbers, tried in turn (MULTINUM)" }),
            ),
            attrs: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: MAX_ATTRS_LENGTH }), { description: 'kept with the request and every result' })),
            at: Type.Optional(Type.String({ maxLength: 40, description: 'first attempt no earlier than: 30m, 2h from now, or an ISO 8601 time' })),
            id: Type.Optional(Type.String({ pattern: REQUEST_ID_PATTERN.source, description: 'your own request id; the stream id otherwise' })),
            region: Type.Optional(Type.String({ maxLength: 8 })),
          },
          { additionalProperties: false },
        ),
        response: withProblems(
          {
            202: Type.Object({
              request: Type.String(),
              entry: Type.String(),
              campaign: Type.String(),
              number: Type.String(),
              e164: Type.String(),
              alternates: Type.Array(Type.String()),
              at: Type.Union([Type.String(), Type.Null()]),
            }),
          },
          404,
          422,
        ),
      },
    },
    async (request, reply) => {
      const { body, params } = request;
      const lookup = await campaigns.get(params.name);
      if (lookup.kind === 'missing') throw notFound(`no campaign named ${params.name}`);
      if (lookup.kind === 'invalid') throw notFound(`campaign ${params.name} is stored but invalid: ${lookup.reason}`);
      const at = atOf(body.at, 'body/at', Date.now());
      const region = regionOf(body.region, 'body/region', config.defaultRegion);
      const queued = await queueCall(dial, {
        campaign: lookup.campaign,
        number: body.number,
        attrs: body.attrs ?? {},
        ...(body.alternates === undefined ? {} : { alternates: body.alternates }),
        ...(region === undefined ? {} : { region }),
        ...(at === undefined ? {} : { at }),
        ...(body.id === undefined ? {} : { id: body.id }),
      }).catch((error: unknown) => {
        if (error instanceof DialRequestError) {
          const value = error.field === 'attrs' ? body.attrs : error.field === 'alternates' ? body.alternates : (error.input ?? body.number);
          throw invalid(`body/${error.field}`, value, error.message);
        }
        throw error;
      });
      return reply.code(202).send({
        request: queued.request,
        entry: queued.entry,
        campaign: params.name,
        number: body.number,
        e164: queued.e164,
        alternates: queued.alternates,
        at: isoTime(at),
      });
    },
  );

  app.get(
    '/v1/campaigns/:name/calls/:request',
    {
      config: { access: { role: 'viewer', scope: 'installation' } },
      schema: {
        tags: ['dial requests'],
        description: 'one dial request: whether it still waits, and its attempts so far, newest first (from the newest 10,000 results)',
        params: Type.Object({ name: Type.String({ pattern: NAME_PATTERN }), request: Type.String({ pattern: REQUEST_ID_PATTERN.source }) }),
        response: withProblems({ 200: OpenObject({ request: Type.String(), campaign: Type.String(), state: Type.String(), attempts: Type.Array(OpenObject({})) }) }, 404),
      },
    },
    async (request) => {
      const { name, request: id } = request.params;
      const [state, results] = await Promise.all([dial.state(id), dial.results({ campaign: name, scan: DEFAULT_REPORT_SCAN })]);
      const attempts = results.filter((result) => result.request === id);
      if (!state && attempts.length === 0) throw notFound(`no request ${id} of campaign ${name} in work or among the newest results (it may still be in the requests stream)`);
      return { request: id, campaign: name, state: state ? 'waiting' : 'finished', attempts: attempts.map(resultJson) };
    },
  );

  app.get(
    '/v1/report',
    {
      config: { access: { role: 'viewer', scope: 'installation' } },
      schema: {
        tags: ['report'],
        description: 'screened calls from the call log, newest first, with counts per verdict over the whole window',
        querystring: Type.Object({
          since: Type.Optional(Type.String({ maxLength: 40, description: '30m, 12h, 7d back, or an ISO 8601 time' })),
          verdict: Type.Optional(Type.Enum(VERDICTS)),
          route: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_REPORT_LIMIT, default: DEFAULT_REPORT_LIMIT })),
        }),
        response: withProblems({ 200: OpenObject({ since: Type.Union([Type.String(), Type.Null()]), total: Type.Integer(), counts: OpenObject({}), calls: Type.Array(OpenObject({})) }) }, 422),
      },
    },
    async (request) => {
      const { query } = request;
      const since = sinceOf(query.since, 'query/since', Date.now());
      const report = await readCallLog(redis, namespace, {
        limit: query.limit ?? DEFAULT_REPORT_LIMIT,
        ...(since === undefined ? {} : { since }),
        ...(query.verdict === undefined ? {} : { verdict: query.verdict }),
        ...(query.route === undefined ? {} : { route: query.route }),
      });
      return { since: isoTime(since), total: report.total, counts: report.counts, calls: report.entries.map(callJson) };
    },
  );
}

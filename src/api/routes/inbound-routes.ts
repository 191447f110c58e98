import { Type } from 'typebox';
import { routeJson } from '../../front-door/json-shapes.js';
import { parseAction } from '../../screening/actions.js';
import type { RouteChanges } from '../../screening/route.js';
import { missingLists, setRoute } from '../../screening/settings.js';
import { VERDICTS, type Action, type Verdict } from '../../screening/types.js';
import { principalOf } from '../auth.js';
import type { ApiApp, ApiContext } from '../context.js';
import { parsed, regionOf } from '../input.js';
import { notFound } from '../problem.js';
import { ListName, NameParams, OpenObject, withProblems } from '../schemas.js';
import { missingListsProblem } from './settings-problems.js';

const MAX_VIP_PRIORITY = 1_000_000;
const ActionText = Type.String({ maxLength: 200, description: 'hangup:<cause>, announce:<sound>[:<cause>] or continue:<context>,<exten>[,<prio>]' });

const RouteBody = Type.Object(
  {
    block: Type.Optional(Type.Array(ListName, { maxItems: 100, description: 'block lists in check order; [] for none' })),
    allow: Type.Optional(Type.Array(ListName, { maxItems: 100, description: 'allow (VIP) lists; an allow match wins' })),
    region: Type.Optional(Type.Union([Type.String({ maxLength: 8 }), Type.Null()], { description: "null: serve's default region" })),
    withheld: Type.Optional(Type.Union([Type.Literal('screen'), Type.Literal('hidden')])),
    vipPriority: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_VIP_PRIORITY }), Type.Null()])),
    actions: Type.Optional(Type.Partial(Type.Object(Object.fromEntries(VERDICTS.map((verdict) => [verdict, ActionText]))), { additionalProperties: false })),
    allowMissingLists: Type.Optional(Type.Boolean({ description: 'save even when a list named does not exist yet' })),
  },
  { additionalProperties: false },
);

/** `callguard route set|show|rm|list`: inbound routes. */
export function registerInboundRoutes(app: ApiApp, context: ApiContext): void {
  const { routes, lists: store } = context;

  app.get(
    '/v1/routes',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['routes'], description: 'every inbound route; corrupt ones apart with their reason', response: withProblems({ 200: OpenObject({ routes: Type.Array(OpenObject({})), invalid: Type.Array(OpenObject({})) }) }) },
    },
    async () => {
      const listing = await routes.list();
      return { routes: listing.routes.map(routeJson), invalid: listing.invalid };
    },
  );

  app.get(
    '/v1/routes/:name',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['routes'], params: NameParams, response: withProblems({ 200: OpenObject({ route: OpenObject({}), missingLists: Type.Array(Type.String()) }) }, 404) },
    },
    async (request) => {
      const lookup = await routes.get(request.params.name);
      if (lookup.kind === 'missing') throw notFound(`no route named ${request.params.name}`);
      if (lookup.kind === 'invalid') throw notFound(`route ${request.params.name} is stored but invalid: ${lookup.reason} (set it again)`);
      return { route: routeJson(lookup.route), missingLists: await missingLists(store, [...lookup.route.block, ...lookup.route.allow]) };
    },
  );

  app.put(
    '/v1/routes/:name',
    {
      config: { access: { role: 'supervisor', scope: 'installation' } },
      schema: {
        tags: ['routes'],
        description: 'create a route or change it, as route set: only the fields given change (a new route starts from the defaults)',
        params: NameParams,
        body: RouteBody,
        response: withProblems({ 200: OpenObject({ created: Type.Boolean(), route: OpenObject({}), missingLists: Type.Array(Type.String()) }) }, 422),
      },
    },
    async (request) => {
      const { body } = request;
      const changes: RouteChanges = { updatedBy: principalOf(request).name, updatedAt: Date.now() };
      if (body.block !== undefined) changes.block = body.block;
      if (body.allow !== undefined) changes.allow = body.allow;
      if (body.region !== undefined) changes.region = body.region === null ? null : (regionOf(body.region, 'body/region', undefined) ?? null);
      if (body.withheld !== undefined) changes.withheld = body.withheld;
      if (body.vipPriority !== undefined) changes.vipPriority = body.vipPriority;
      const actions: Partial<Record<Verdict, Action>> = {};
      for (const [verdict, text] of Object.entries(body.actions ?? {}) as [Verdict, string | undefined][]) {
        if (text !== undefined) actions[verdict] = parsed(`body/actions/${verdict}`, text, parseAction);
      }
      changes.actions = actions;
      const outcome = await setRoute(routes, store, request.params.name, changes, { allowMissingLists: Boolean(body.allowMissingLists) }).catch(missingListsProblem);
      return { created: outcome.created, route: routeJson(outcome.saved), missingLists: outcome.missing };
    },
  );

  app.delete(
    '/v1/routes/:name',
    {
      config: { access: { role: 'supervisor', scope: 'installation' } },
      schema: { tags: ['routes'], description: 'remove a route; calls sent to it get serve\'s unknown-route action', params: NameParams, response: withProblems({ 200: Type.Object({ removed: Type.String() }) }, 404) },
    },
    async (request) => {
      if (!(await routes.remove(request.params.name))) throw notFound(`no route named ${request.params.name}`);
      return { removed: request.params.name };
    },
  );
}

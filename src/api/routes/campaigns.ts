import { Type } from 'typebox';
import { campaignJson, resultJson } from '../../front-door/json-shapes.js';
import { campaignReport } from '../../dialer/campaign-report.js';
import { ATTEMPT_OUTCOMES } from '../../dialer/types.js';
import { parseAction } from '../../screening/actions.js';
import { NOT_DIALLED_VERDICTS, type Campaign, type NotDialledVerdict } from '../../screening/campaign.js';
import { cancelOnCampaign } from '../../screening/campaign-cancel.js';
import { parseDelay, parseDialplanTarget, parseRetrySpec, type CampaignChanges } from '../../screening/campaign-syntax.js';
import { missingLists, setCampaign } from '../../screening/settings.js';
import type { Action } from '../../screening/types.js';
import { principalOf } from '../auth.js';
import type { ApiApp, ApiContext } from '../context.js';
import { actorOf, entriesOf, parsed, regionOf, requireScope, sinceOf } from '../input.js';
import { invalid, notFound } from '../problem.js';
import { ListName, NameParams, OpenObject, withProblems } from '../schemas.js';
import { missingListsProblem } from './settings-problems.js';

const Delay = (description: string) => Type.String({ maxLength: 16, description });
const ActionText = Type.String({ maxLength: 200, description: 'hangup:<cause> or announce:<sound>[:<cause>]' });
const MAX_REPORT_LIMIT = 100_000;

const CampaignBody = Type.Object(
  {
    block: Type.Optional(Type.Array(ListName, { maxItems: 100, description: 'block lists in check order; [] for none' })),
    region: Type.Optional(Type.Union([Type.String({ maxLength: 8 }), Type.Null()])),
    endpoint: Type.Optional(Type.String({ maxLength: 200, description: 'channel to originate, e.g. PJSIP/${NUMBER}@trunk (new campaigns: required)' })),
    callerId: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    callerIdList: Type.Optional(
      Type.Union([
        Type.Object(
          { list: Type.Optional(ListName), order: Type.Optional(Type.Union([Type.Literal('round-robin'), Type.Literal('random')])) },
          { additionalProperties: false, description: 'present a caller id from this list at each attempt; null removes it' },
        ),
        Type.Null(),
      ]),
    ),
    dialTimeout: Type.Optional(Delay('how long the far end may ring: 30s')),
    context: Type.Optional(Type.String({ maxLength: 200, description: 'where an answered call continues: context[,exten[,prio]] (new campaigns: required)' })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    retry: Type.Optional(Type.String({ maxLength: 100, description: 'busy=5m,noanswer=30m,failed=none' })),
    maxConcurrent: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    fail: Type.Optional(Type.Union([Type.Literal('closed'), Type.Literal('open')])),
    unavailableRetry: Type.Optional(Delay('wait before trying again after the lists could not be read: 1m')),
    actions: Type.Optional(Type.Partial(Type.Object(Object.fromEntries(NOT_DIALLED_VERDICTS.map((verdict) => [verdict, ActionText]))), { additionalProperties: false })),
    allowMissingLists: Type.Optional(Type.Boolean({ description: 'save even when a block list does not exist yet; NOTHING is dialled until it does' })),
  },
  { additionalProperties: false },
);

/** `callguard campaign set|show|rm|list|report`, and cancel on a campaign's block lists. */
export function registerCampaigns(app: ApiApp, context: ApiContext): void {
  const { campaigns, lists: store, dial, config } = context;

  const found = async (name: string): Promise<Campaign> => {
    const lookup = await campaigns.get(name);
    if (lookup.kind === 'missing') throw notFound(`no campaign named ${name}`);
    if (lookup.kind === 'invalid') throw notFound(`campaign ${name} is stored but invalid: ${lookup.reason} (set it again)`);
    return lookup.campaign;
  };

  app.get(
    '/v1/campaigns',
    {
      config: { access: { role: 'viewer' } },
      schema: { tags: ['campaigns'], response: withProblems({ 200: OpenObject({ campaigns: Type.Array(OpenObject({})), invalid: Type.Array(OpenObject({})) }) }) },
    },
    async () => {
      const listing = await campaigns.list();
      return { campaigns: listing.campaigns.map(campaignJson), invalid: listing.invalid };
    },
  );

  app.get(
    '/v1/campaigns/:name',
    {
      config: { access: { role: 'viewer' } },
      schema: {
        tags: ['campaigns'],
        description: 'one campaign, and how many of its requests wait or are being dialled',
        params: NameParams,
        response: withProblems({ 200: OpenObject({ campaign: OpenObject({}), missingLists: Type.Array(Type.String()), waiting: Type.Integer(), inFlight: Type.Integer() }) }, 404),
      },
    },
    async (request) => {
      const campaign = await found(request.params.name);
      return { campaign: campaignJson(campaign), missingLists: await missingLists(store, campaign.block), ...(await dial.counts(campaign.name)) };
    },
  );

  app.put(
    '/v1/campaigns/:name',
    {
      config: { access: { role: 'supervisor', scope: 'installation' } },
      schema: {
        tags: ['campaigns'],
        description: 'create a campaign or change it, as campaign set: only the fields given change',
        params: NameParams,
        body: CampaignBody,
        response: withProblems({ 200: OpenObject({ created: Type.Boolean(), campaign: OpenObject({}), missingLists: Type.Array(Type.String()) }) }, 422),
      },
    },
    async (request) => {
      const outcome = await setCampaign(campaigns, store, request.params.name, campaignChanges(request.body), {
        allowMissingLists: Boolean(request.body.allowMissingLists),
        at: Date.now(),
        by: principalOf(request).name,
      }).catch(missingListsProblem);
      return { created: outcome.created, campaign: campaignJson(outcome.saved), missingLists: outcome.missing };
    },
  );

  app.delete(
    '/v1/campaigns/:name',
    {
      config: { access: { role: 'supervisor', scope: 'installation' } },
      schema: { tags: ['campaigns'], description: 'remove a campaign; its waiting requests stay and resume if it is set again', params: NameParams, response: withProblems({ 200: Type.Object({ removed: Type.String(), waiting: Type.Integer() }) }, 404) },
    },
    async (request) => {
      if (!(await campaigns.remove(request.params.name))) throw notFound(`no campaign named ${request.params.name}`);
      return { removed: request.params.name, waiting: (await dial.counts(request.params.name)).waiting };
    },
  );

  app.post(
    '/v1/campaigns/:name/cancellations',
    {
      config: { access: { role: 'operator' } },
      schema: {
        tags: ['campaigns'],
        description: "cancel numbers on every block list of the campaign (WombatDialer's cancelBlacklist); national numbers are read with the campaign's region",
        params: NameParams,
        body: Type.Object(
          { numbers: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 10_000 }), reason: Type.String({ minLength: 1, maxLength: 1000 }), region: Type.Optional(Type.String({ maxLength: 8 })) },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: OpenObject({ campaign: Type.String(), lists: Type.Array(OpenObject({})), missingLists: Type.Array(Type.String()) }) }, 404, 422),
      },
    },
    async (request) => {
      const campaign = await found(request.params.name);
      requireScope(request, campaign.block);
      const region = regionOf(request.body.region, 'body/region', campaign.region ?? config.defaultRegion);
      const members = entriesOf(request.body.numbers, region, 'body/numbers').map((entry) => entry.member);
      const result = await cancelOnCampaign(store, campaign, members, { ...actorOf(request), reason: request.body.reason });
      return { campaign: campaign.name, ...result };
    },
  );

  app.get(
    '/v1/campaigns/:name/report',
    {
      config: { access: { role: 'viewer', scope: 'installation' } },
      schema: {
        tags: ['campaigns'],
        description: "a campaign's attempts, newest first, with totals per outcome (reads up to 10,000 of the newest results)",
        params: NameParams,
        querystring: Type.Object({
          since: Type.Optional(Type.String({ maxLength: 40, description: '30m, 12h, 7d back, or an ISO 8601 time' })),
          outcome: Type.Optional(Type.Enum(ATTEMPT_OUTCOMES)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_REPORT_LIMIT, default: 50 })),
        }),
        response: withProblems({ 200: OpenObject({ campaign: Type.String(), attempts: Type.Array(OpenObject({})) }) }, 422),
      },
    },
    async (request) => {
      const since = sinceOf(request.query.since, 'query/since', Date.now());
      const report = await campaignReport(dial, request.params.name, {
        limit: request.query.limit ?? 50,
        ...(request.query.outcome === undefined ? {} : { outcome: request.query.outcome }),
        ...(since === undefined ? {} : { since }),
      });
      const { attempts, ...rest } = report;
      return { campaign: request.params.name, attempts: attempts.map(resultJson), ...rest };
    },
  );
}

/** The request's fields as campaign changes, each read with the CLI's own parser. */
function campaignChanges(body: {
  block?: string[];
  region?: string | null;
  endpoint?: string;
  callerId?: string | null;
  callerIdList?: { list?: string; order?: 'round-robin' | 'random' } | null;
  dialTimeout?: string;
  context?: string;
  maxAttempts?: number;
  retry?: string;
  maxConcurrent?: number;
  fail?: Campaign['fail'];
  unavailableRetry?: string;
  actions?: Partial<Record<NotDialledVerdict, string>>;
}): CampaignChanges {
  const changes: CampaignChanges = {};
  if (body.block !== undefined) changes.block = body.block;
  if (body.region !== undefined) changes.region = body.region === null ? null : (regionOf(body.region, 'body/region', undefined) ?? null);
  if (body.endpoint !== undefined) changes.endpoint = body.endpoint;
  if (body.callerId !== undefined) changes.callerId = body.callerId;
  if (body.callerIdList !== undefined) changes.callerIdList = body.callerIdList;
  if (body.dialTimeout !== undefined) changes.dialTimeoutMs = delay('body/dialTimeout', body.dialTimeout);
  if (body.context !== undefined) changes.agent = parsed('body/context', body.context, parseDialplanTarget);
  if (body.maxAttempts !== undefined) changes.maxAttempts = body.maxAttempts;
  if (body.retry !== undefined) changes.retry = parsed('body/retry', body.retry, parseRetrySpec);
  if (body.maxConcurrent !== undefined) changes.maxConcurrent = body.maxConcurrent;
  if (body.fail !== undefined) changes.fail = body.fail;
  if (body.unavailableRetry !== undefined) changes.unavailableRetryMs = delay('body/unavailableRetry', body.unavailableRetry);
  const actions: Partial<Record<NotDialledVerdict, Action>> = {};
  for (const [verdict, text] of Object.entries(body.actions ?? {}) as [NotDialledVerdict, string | undefined][]) {
    if (text !== undefined) actions[verdict] = parsed(`body/actions/${verdict}`, text, parseAction);
  }
  changes.actions = actions;
  return changes;
}

function delay(field: string, text: string): number {
  const ms = parsed(field, text, parseDelay);
  if (ms === null) throw invalid(field, text, 'give a delay such as 30s or 5m');
  return ms;
}

import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isoTime } from '../../front-door/format.js';
import { parseIsoTime } from '../../front-door/duration.js';
import { DialRequestError, queueCall } from '../../dialer/queue-call.js';
import { cancelOnCampaign } from '../../screening/campaign-cancel.js';
import type { Campaign } from '../../screening/campaign.js';
import { LIST_NAME_PATTERN } from '../../lists/keys.js';
import type { ApiApp, ApiContext } from '../context.js';
import { actorOf, entriesOf, parsed, regionOf, requireScope } from '../input.js';
import { invalid, notFound } from '../problem.js';
import { OpenObject, withProblems } from '../schemas.js';

/**
 * WombatDialer's HTTP API, so an integration written for it works by changing its host
 * and adding a token (Authorization: Bearer, or `token=` in the URL, as its clients build
 * plain URLs). Names are read in lower case (Wombat's `DNC` is callguard's `dnc`).
 *
 *   /wombat/api/lists/?op=addToList&list=DNC&numbers=1234,REASON:recalled
 *   /wombat/api/calls/?op=cancelBlacklist&list=DNC&numbers=1234&reason=NEWCASE   (or campaign=)
 *   /wombat/api/calls/?op=addcall&campaign=WEBSITE&number=1234&attrs=NAME:John&schedule=2026-03-18.14:00:00
 *
 * `numbers` holds one number a line (lines apart by a newline, %0A); after a number, on
 * its line, comma-separated KEY:value attributes, of which REASON is kept as the reason.
 */
const WombatQuery = Type.Object(
  {
    op: Type.String({ maxLength: 40 }),
    list: Type.Optional(Type.String({ maxLength: 64 })),
    campaign: Type.Optional(Type.String({ maxLength: 64 })),
    numbers: Type.Optional(Type.String({ maxLength: 1_000_000 })),
    number: Type.Optional(Type.String({ maxLength: 128 })),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    attrs: Type.Optional(Type.String({ maxLength: 4096 })),
    schedule: Type.Optional(Type.String({ maxLength: 40 })),
    token: Type.Optional(Type.String({ maxLength: 200 })),
  },
  // Wombat clients send parameters callguard does not use; they are ignored, not refused.
  { additionalProperties: true },
);

type Query = {
  op: string;
  list?: string;
  campaign?: string;
  numbers?: string;
  number?: string;
  reason?: string;
  attrs?: string;
  schedule?: string;
};

/** Wombat's `2026-03-18.14:00:00` (local time), or an ISO 8601 time. */
const WOMBAT_TIME = /^(\d{4}-\d{2}-\d{2})\.(\d{2}:\d{2}(?::\d{2})?)$/;

export function registerWombat(app: ApiApp, context: ApiContext): void {
  const { lists: store, campaigns, dial, config } = context;
  const access = { role: 'operator' as const, queryToken: true };
  const schema = (description: string) => ({
    tags: ['wombat'],
    description,
    querystring: WombatQuery,
    response: withProblems({ 200: OpenObject({ status: Type.String(), op: Type.String() }) }, 404, 422),
  });

  const campaignOf = async (text: string | undefined, field: string): Promise<Campaign> => {
    const name = nameOf(text, field);
    const lookup = await campaigns.get(name);
    if (lookup.kind !== 'found') throw notFound(`no campaign named ${name}${lookup.kind === 'invalid' ? ` (stored but invalid: ${lookup.reason})` : ''}`);
    return lookup.campaign;
  };

  app.get(
    '/wombat/api/lists/',
    { config: { access }, schema: schema('WombatDialer addToList: op=addToList&list=<list>&numbers=<number>[,REASON:<why>][%0A<number>...]') },
    async (request) => {
      const query = request.query as Query;
      if (query.op !== 'addToList') throw invalid('query/op', query.op, 'this endpoint knows op=addToList');
      const list = nameOf(query.list, 'query/list');
      requireScope(request, [list]);
      const lines = numberLines(query.numbers, 'query/numbers');
      const region = regionOf(undefined, 'query/region', config.defaultRegion);
      // Every line is read before anything is written: one bad number adds none.
      const entries = entriesOf(lines.map((line) => line.number), region, 'query/numbers');
      const byReason = new Map<string, Set<string>>();
      for (const line of lines) {
        const [entry] = entriesOf([line.number], region, 'query/numbers');
        const reason = line.attrs.REASON ?? query.reason ?? '';
        if (entry) byReason.set(reason, (byReason.get(reason) ?? new Set()).add(entry.member));
      }
      const totals = { added: 0, extended: 0, unchanged: 0 };
      for (const [reason, members] of byReason) {
        const result = await store.add(list, [...members].map((member) => ({ member })), actorOf(request, reason));
        totals.added += result.added;
        totals.extended += result.extended;
        totals.unchanged += result.unchanged;
      }
      return { status: 'OK', op: 'addToList', list, ...totals, entries: entries.map((entry) => entry.member) };
    },
  );

  app.get(
    '/wombat/api/calls/',
    {
      config: { access },
      schema: schema(
        'WombatDialer cancelBlacklist (op=cancelBlacklist&list=<list>|campaign=<campaign>&numbers=<number>&reason=<why>) and addcall (op=addcall&campaign=<campaign>&number=<number>&attrs=K:V,...&schedule=YYYY-MM-DD.HH:MM:SS)',
      ),
    },
    async (request) => {
      const query = request.query as Query;
      if (query.op === 'cancelBlacklist') return cancelBlacklist(request, query);
      if (query.op === 'addcall') return addCall(request, query);
      throw invalid('query/op', query.op, 'this endpoint knows op=cancelBlacklist and op=addcall');
    },
  );

  async function cancelBlacklist(request: FastifyRequest, query: Query) {
    const reason = query.reason ?? '';
    if (reason === '') throw invalid('query/reason', query.reason, 'give the reason of the cancellation (reason=...)');
    const numbers = numberLines(query.numbers, 'query/numbers').map((line) => line.number);
    const actor = { ...actorOf(request), reason };
    if (query.campaign !== undefined) {
      const campaign = await campaignOf(query.campaign, 'query/campaign');
      requireScope(request, campaign.block);
      const members = entriesOf(numbers, campaign.region ?? config.defaultRegion, 'query/numbers').map((entry) => entry.member);
      return { status: 'OK', op: 'cancelBlacklist', campaign: campaign.name, ...(await cancelOnCampaign(store, campaign, members, actor)) };
    }
    const list = nameOf(query.list, 'query/list');
    requireScope(request, [list]);
    const members = entriesOf(numbers, config.defaultRegion, 'query/numbers').map((entry) => entry.member);
    return { status: 'OK', op: 'cancelBlacklist', list, ...(await store.cancel(list, members, actor)) };
  }

  async function addCall(request: FastifyRequest, query: Query) {
    const campaign = await campaignOf(query.campaign, 'query/campaign');
    if (query.number === undefined || query.number === '') throw invalid('query/number', query.number, 'give the number to call (number=...)');
    const at = query.schedule === undefined || query.schedule === '' ? undefined : parsed('query/schedule', query.schedule, wombatTime);
    const attrs = attributes(query.attrs ?? '', 'query/attrs');
    const region = config.defaultRegion;
    const queued = await queueCall(dial, {
      campaign,
      number: query.number,
      attrs,
      ...(region === undefined ? {} : { region }),
      ...(at === undefined ? {} : { at }),
    }).catch((error: unknown) => {
      if (error instanceof DialRequestError) throw invalid(`query/${error.field}`, error.field === 'number' ? query.number : query.attrs, error.message);
      throw error;
    });
    return { status: 'OK', op: 'addcall', campaign: campaign.name, request: queued.request, entry: queued.entry, number: query.number, e164: queued.e164, at: isoTime(at) };
  }
}

/** A Wombat list or campaign name as callguard's (lower case), or 422. */
function nameOf(text: string | undefined, field: string): string {
  const name = (text ?? '').trim().toLowerCase();
  if (!LIST_NAME_PATTERN.test(name)) throw invalid(field, text, 'a name of 1 to 64 characters of a-z, 0-9, _ and - (read in lower case)');
  return name;
}

/** `numbers`: one number a line, each with its KEY:value attributes after commas. */
function numberLines(text: string | undefined, field: string): { number: string; attrs: Record<string, string> }[] {
  const lines = (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) throw invalid(field, text, 'give at least one number (numbers=...)');
  return lines.map((line) => {
    const [number = '', ...rest] = line.split(',');
    return { number: number.trim(), attrs: attributes(rest.join(','), field) };
  });
}

/** `NAME:John,CRM:4711` as {NAME: 'John', CRM: '4711'}. */
function attributes(text: string, field: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const pair of text.split(',').filter((part) => part.trim() !== '')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) throw invalid(field, pair, 'attributes are KEY:value, comma-separated');
    attrs[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
  }
  return attrs;
}

function wombatTime(text: string): number {
  const match = WOMBAT_TIME.exec(text.trim());
  return parseIsoTime(match ? `${match[1]}T${match[2]}` : text);
}

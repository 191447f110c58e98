import { describe, expect, it } from 'vitest';
import { handleInbound, type InboundDeps } from '../../src/calls/inbound.js';
import { handleAgentCall, type AgentCallDeps } from '../../src/calls/outbound.js';
import type { Match } from '../../src/lists/types.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import type { Campaign } from '../../src/screening/campaign.js';
import type { CampaignLookup } from '../../src/screening/campaigns.js';
import { newRoute } from '../../src/screening/route.js';
import type { RouteForCall } from '../../src/screening/routes.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { FakeCallControl } from './fake-call-control.js';

/** The variables docs/routes.md ("Channel variables") says every screened call gets, empty when they do not apply. */
const ALWAYS_SET = ['CALLGUARD_VERDICT', 'CALLGUARD_LIST', 'CALLGUARD_REASON', 'CALLGUARD_NUMBER'];
/** What a channel carries from an earlier pass through callguard (a transfer back into screening). */
const STALE = 'stale from an earlier pass';

const LISTED = '+4930100001';
const CLEAR = '+4930100002';
const DNC_MATCH: Match = { list: 'dnc', member: LISTED, kind: 'exact', expiresAt: null, reason: 'asked not to be called' };

/** A channel that already passed callguard once: each variable still holds the first pass's value. */
function channelFromAnEarlierPass(calls: FakeCallControl): string {
  return calls.addChannel(Object.fromEntries(ALWAYS_SET.map((name) => [name, STALE])));
}

function verdictVariablesOf(calls: FakeCallControl, channel: string): Record<string, string | undefined> {
  const { variables } = calls.channel(channel);
  return Object.fromEntries(ALWAYS_SET.map((name) => [name, variables.get(name)]));
}

describe('every screened call sets CALLGUARD_VERDICT, _LIST, _REASON and _NUMBER', () => {
  async function inbound(caller: string, route: RouteForCall, check: InboundDeps['check'] = async (e164) => [e164 === LISTED ? DNC_MATCH : null]) {
    const calls = new FakeCallControl();
    const channel = channelFromAnEarlierPass(calls);
    await handleInbound(
      { channelId: channel, callerNumber: caller, routeName: 'support', presentation: 'allowed_not_screened' },
      {
        calls,
        routes: { getForCall: async () => route },
        check,
        settings: { deadlineMs: 1_000, defaultRegion: 'DE', unknownRouteAction: { type: 'fallback' } },
        log: capturedLogger().log,
      },
    );
    return verdictVariablesOf(calls, channel);
  }
  const route = { ...newRoute('support'), block: ['dnc'] };
  const found: RouteForCall = { kind: 'found', route, stale: false };

  it('inbound, blocked: the list, its entry reason and the number', async () => {
    expect(await inbound(LISTED, found)).toEqual({
      CALLGUARD_VERDICT: 'blocked',
      CALLGUARD_LIST: 'dnc',
      CALLGUARD_REASON: 'asked not to be called',
      CALLGUARD_NUMBER: LISTED,
    });
  });

  it('inbound, clear: list and reason empty', async () => {
    expect(await inbound(CLEAR, found)).toEqual({ CALLGUARD_VERDICT: 'clear', CALLGUARD_LIST: '', CALLGUARD_REASON: '', CALLGUARD_NUMBER: CLEAR });
  });

  it('inbound, the lists unavailable: the reason says what failed', async () => {
    const variables = await inbound(CLEAR, found, () => Promise.reject(new Error('connection lost')));
    expect(variables).toMatchObject({ CALLGUARD_VERDICT: 'unavailable', CALLGUARD_LIST: '', CALLGUARD_NUMBER: CLEAR });
    expect(variables.CALLGUARD_REASON).toContain('connection lost');
  });

  it('inbound, a route that does not exist: unavailable, and nothing of the earlier pass kept', async () => {
    expect(await inbound(LISTED, { kind: 'missing' })).toEqual({
      CALLGUARD_VERDICT: 'unavailable',
      CALLGUARD_LIST: '',
      CALLGUARD_REASON: 'route "support" does not exist',
      CALLGUARD_NUMBER: '',
    });
  });

  async function agentCall(dialled: string, lookup: CampaignLookup, overrides: Partial<AgentCallDeps> = {}) {
    const calls = new FakeCallControl();
    const channel = channelFromAnEarlierPass(calls);
    await handleAgentCall(
      { channelId: channel, dialled, campaignName: 'sales' },
      {
        calls,
        events: calls,
        campaigns: { get: async () => lookup },
        lists: { checkEach: async (e164, lists) => lists.map(() => (e164 === LISTED ? DNC_MATCH : null)), sources: async () => new Map() },
        rules: { policy: async () => ({ kind: 'missing' }), caps: { take: async () => ({ ok: true }) } },
        settings: { deadlineMs: 1_000, defaultRegion: 'DE' },
        log: capturedLogger().log,
        ...overrides,
      },
      async () => undefined,
    );
    return verdictVariablesOf(calls, channel);
  }
  function sales(changes: Partial<Campaign> = {}): CampaignLookup {
    const campaign = applyCampaignChanges(
      'sales',
      undefined,
      { block: ['dnc'], endpoint: 'PJSIP/${NUMBER}@trunk', agent: parseDialplanTarget('agents'), region: 'DE' },
      { at: 0, by: 'test' },
    );
    return { kind: 'found', campaign: { ...campaign, ...changes } };
  }

  it('agent outbound, blocked: the list, its entry reason and the number', async () => {
    expect(await agentCall(LISTED, sales())).toEqual({
      CALLGUARD_VERDICT: 'blocked',
      CALLGUARD_LIST: 'dnc',
      CALLGUARD_REASON: 'asked not to be called',
      CALLGUARD_NUMBER: LISTED,
    });
  });

  it('agent outbound, malformed: why, and no number', async () => {
    const variables = await agentCall('12', sales());
    expect(variables).toMatchObject({ CALLGUARD_VERDICT: 'malformed', CALLGUARD_LIST: '', CALLGUARD_NUMBER: '' });
    expect(variables.CALLGUARD_REASON).not.toBe(STALE);
  });

  it('agent outbound, capped: the cap as the reason', async () => {
    const capped = await agentCall(CLEAR, sales({ maxPerNumber: { count: 3, windowMs: 86_400_000 } }), {
      rules: { policy: async () => ({ kind: 'missing' }), caps: { take: async () => ({ ok: false, retryAt: 1 }) } },
    });
    expect(capped).toEqual({
      CALLGUARD_VERDICT: 'capped',
      CALLGUARD_LIST: '',
      CALLGUARD_REASON: 'capped: 3 attempts to the number within 1d',
      CALLGUARD_NUMBER: CLEAR,
    });
  });

  it('agent outbound, a campaign that does not exist: unavailable, and nothing of the earlier pass kept', async () => {
    expect(await agentCall(CLEAR, { kind: 'missing' })).toEqual({
      CALLGUARD_VERDICT: 'unavailable',
      CALLGUARD_LIST: '',
      CALLGUARD_REASON: 'campaign "sales" does not exist',
      CALLGUARD_NUMBER: '',
    });
  });

  it('agent outbound, a block list too old: unavailable with LIST_STALE as the reason', async () => {
    const oldList = new Map([['dnc', { name: 'dnc.csv', dataDate: 0, from: 'flag' as const }]]);
    const variables = await agentCall(CLEAR, sales({ maxListAgeMs: 86_400_000 }), {
      lists: { checkEach: async (_e164, lists) => lists.map(() => null), sources: async () => oldList },
    });
    expect(variables).toMatchObject({ CALLGUARD_VERDICT: 'unavailable', CALLGUARD_LIST: '', CALLGUARD_NUMBER: '' });
    expect(variables.CALLGUARD_REASON).toMatch(/^LIST_STALE: dnc is /);
  });
});

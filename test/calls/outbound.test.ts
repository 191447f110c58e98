import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCallLogEntry, handleAgentCall, type AgentCallDeps, type AgentCallOutcome } from '../../src/calls/outbound.js';
import { StasisApp } from '../../src/calls/stasis-app.js';
import { ListStore } from '../../src/lists/store.js';
import { applyCampaignChanges, parseDialplanTarget, type CampaignChanges } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { CapCounter } from '../../src/screening/caps.js';
import { HoursStore } from '../../src/screening/hours/store.js';
import type { AttemptRulesDeps } from '../../src/screening/outbound.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { FakeCallControl, type FarEnd } from './fake-call-control.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { until } from '../helpers/until.js';

const BLOCKED = '+4930100001';
const CLEAR = '+4930100002';
const FAR_END = `PJSIP/${CLEAR}@trunk`;
/** The fake answers at once: a state these tests wait for comes within milliseconds. */
const WAIT = { timeoutMs: 5_000, pollMs: 2 };

describe('agents dialling out through Stasis(callguard,outbound,<campaign>)', () => {
  let redis: Redis;
  let namespace: string;
  let lists: ListStore;
  let campaigns: CampaignStore;
  let rules: Omit<AttemptRulesDeps, 'lists'>;

  beforeAll(async () => {
    redis = testRedis();
    namespace = testNamespace();
    lists = new ListStore(redis, namespace);
    campaigns = new CampaignStore(redis, namespace);
    const hours = new HoursStore(redis, namespace);
    rules = { policy: (name) => hours.get(name), caps: new CapCounter(redis, namespace) };
    await lists.createList('dnc', { by: 'test' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'test', reason: 'asked not to be called' });
    await campaign('sales');
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function campaign(name: string, changes: CampaignChanges = {}): Promise<void> {
    await campaigns.set(
      applyCampaignChanges(
        name,
        undefined,
        { block: ['dnc'], endpoint: 'PJSIP/${NUMBER}@trunk', agent: parseDialplanTarget('agents'), region: 'DE', dialTimeoutMs: 1_000, ...changes },
        { at: 0, by: 'test' },
      ),
    );
  }

  /** An agent's call to `dialled` for `campaignName`, handled against a fake Asterisk whose far end does `farEnd`. */
  function agentCall(dialled: string, farEnd: FarEnd, campaignName = 'sales', overrides: Partial<AgentCallDeps> = {}) {
    const calls = new FakeCallControl();
    calls.farEnds.set(FAR_END, farEnd);
    const agent = calls.addChannel();
    const recorded: AgentCallOutcome[] = [];
    const { log, lines } = capturedLogger();
    const done = handleAgentCall(
      { channelId: agent, dialled, campaignName },
      {
        calls,
        events: calls,
        campaigns,
        lists,
        rules,
        settings: { deadlineMs: 1_000, defaultRegion: 'DE' },
        log,
        graceMs: 50,
        ...overrides,
      },
      async (outcome) => void recorded.push(outcome),
    );
    return { calls, agent, recorded, done, lines };
  }

  it('a blocked number is never originated: the agent is hung up with the campaign cause, logged BLACKLISTED with list and reason', async () => {
    const { calls, agent, recorded, done } = agentCall('030 100001', { kind: 'answer' });
    await done;
    expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
    expect(calls.channel(agent).hangupCause).toBe(21);
    expect(calls.channel(agent).variables.get('CALLGUARD_VERDICT')).toBe('blocked');
    const entry = agentCallLogEntry(recorded[0] as AgentCallOutcome);
    expect(entry).toMatchObject({ direction: 'outbound', campaign: 'sales', raw: '030 100001', e164: BLOCKED, verdict: 'blocked' });
    expect(entry).toMatchObject({ list: 'dnc', reason: 'asked not to be called', action: 'hangup:21', outcome: 'done' });
  });

  it('an agent gone before the refusal ran (CallControl GONE) is logged caller-gone', async () => {
    const { calls, agent, recorded, done } = agentCall(BLOCKED, { kind: 'answer' });
    calls.farEndHangup(agent);
    await done;
    expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
    expect(agentCallLogEntry(recorded[0] as AgentCallOutcome)).toMatchObject({
      verdict: 'blocked',
      action: 'hangup:21',
      outcome: 'caller-gone',
    });
  });

  it('a campaign that announces plays the sound to the agent before the hangup', async () => {
    await campaign('announcing', { actions: { blocked: { type: 'announce', sound: 'ss-noservice', cause: 21 } } });
    const { calls, agent, done } = agentCall(BLOCKED, { kind: 'answer' }, 'announcing');
    await done;
    expect(calls.channel(agent).played).toEqual(['sound:ss-noservice']);
    expect(calls.channel(agent).hangupCause).toBe(21);
  });

  it('a clear number is originated with the campaign caller id; on answer both legs share one bridge', async () => {
    await campaign('caller', { callerId: '"Sales" <+4930999999>' });
    const { calls, agent, recorded, done } = agentCall('030 100002', { kind: 'answer', afterMs: 5 }, 'caller');
    await until(() => [...calls.bridges.values()].some((bridge) => bridge.size === 2), 'the bridge', WAIT);
    const [leg] = calls.originatedTo(FAR_END);
    expect(calls.operations.find((op) => op.op === 'originate')).toMatchObject({
      request: { callerId: '"Sales" <+4930999999>', timeoutSeconds: 1, appArgs: ['outbound-leg', agent] },
    });
    expect(calls.channel(agent).answered).toBe(true);
    expect(calls.operations.findIndex((op) => op.op === 'ring')).toBeLessThan(calls.operations.findIndex((op) => op.op === 'originate'));
    // Followed from the own app: its hangup reaches this process whoever holds the shared app.
    expect(calls.operations.findIndex((op) => op.op === 'follow' && op.channel === agent)).toBeLessThan(
      calls.operations.findIndex((op) => op.op === 'originate'),
    );
    expect([...calls.bridges.values()][0]).toEqual(new Set([agent, leg]));
    expect(recorded[0]).toMatchObject({ verdict: 'clear', action: 'dial:ANSWERED', dialOutcome: 'ANSWERED' });
    calls.farEndHangup(leg ?? '');
    await done;
    expect(calls.channel(agent).place).toBe('gone');
    expect(calls.bridges.size).toBe(0);
  });

  it('an agent who is gone before the far end is dialled gets no dial at all', async () => {
    const calls = new FakeCallControl();
    const agent = calls.addChannel();
    calls.farEndHangup(agent);
    const recorded: AgentCallOutcome[] = [];
    const { log } = capturedLogger();
    await handleAgentCall(
      { channelId: agent, dialled: CLEAR, campaignName: 'sales' },
      { calls, events: calls, campaigns, lists, rules, settings: { deadlineMs: 1_000, defaultRegion: 'DE' }, log },
      async (outcome) => void recorded.push(outcome),
    );
    expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
    expect(recorded[0]).toMatchObject({ verdict: 'clear', action: 'dial:CANCELLED' });
    expect(agentCallLogEntry(recorded[0] as AgentCallOutcome).outcome).toBe('caller-gone');
  });

  it('the agent hanging up a bridged call ends the far end too', async () => {
    const { calls, agent, done } = agentCall(CLEAR, { kind: 'answer', afterMs: 5 });
    await until(() => calls.bridges.size === 1 && [...calls.bridges.values()][0]?.size === 2, 'the bridge', WAIT);
    calls.farEndHangup(agent);
    await done;
    const [leg] = calls.originatedTo(FAR_END);
    expect(calls.channel(leg ?? '').place).toBe('gone');
    expect(calls.bridges.size).toBe(0);
  });

  it.each([
    [{ kind: 'end', cause: 17 } as const, 'BUSY', 17],
    [{ kind: 'ring' } as const, 'NO_ANSWER', 19],
    [{ kind: 'end', cause: 0 } as const, 'FAILED', 34],
    [{ kind: 'refuse', status: 500, reason: 'Allocation failed' } as const, 'FAILED', 34],
  ])('a far end that does %o gives %s and the agent hears cause %i', async (farEnd, outcome, cause) => {
    const { calls, agent, recorded, done } = agentCall(CLEAR, farEnd);
    await done;
    expect(calls.channel(agent).hangupCause).toBe(cause);
    expect(calls.channel(agent).answered).toBe(false);
    expect(recorded[0]).toMatchObject({ dialOutcome: outcome, action: `dial:${outcome}` });
  });

  it('an agent who hangs up while the far end rings cancels the far end', async () => {
    const { calls, agent, recorded, done } = agentCall(CLEAR, { kind: 'ring' });
    await until(() => calls.originatedTo(FAR_END).length === 1, 'the originate', WAIT);
    calls.farEndHangup(agent);
    await done;
    expect(recorded[0]).toMatchObject({ action: 'dial:CANCELLED' });
    expect(calls.operations).toContainEqual({ op: 'hangup', channel: calls.originatedTo(FAR_END)[0], cause: 16 });
    expect(calls.bridges.size).toBe(0);
  });

  it('a campaign that does not exist dials nothing: the agent gets 34 (try again later)', async () => {
    const { calls, agent, recorded, done } = agentCall(CLEAR, { kind: 'answer' }, 'no-such-campaign');
    await done;
    expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
    expect(calls.channel(agent).hangupCause).toBe(34);
    expect(recorded[0]).toMatchObject({ verdict: 'unavailable' });
  });

  it('block lists that cannot be read dial nothing when the campaign fails closed', async () => {
    await campaign('missing-list', { block: ['dnc', 'not-created-yet'] });
    const { calls, agent, recorded, done } = agentCall(CLEAR, { kind: 'answer' }, 'missing-list');
    await done;
    expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
    expect(calls.channel(agent).hangupCause).toBe(34);
    expect(recorded[0]).toMatchObject({ verdict: 'unavailable', action: 'hangup:34' });
  });

  it('a hidden dialled number takes the campaign hidden branch', async () => {
    const { calls, agent, recorded, done } = agentCall('', { kind: 'answer' });
    await done;
    expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
    expect(calls.channel(agent).hangupCause).toBe(28);
    expect(recorded[0]).toMatchObject({ verdict: 'hidden' });
  });

  it('the Stasis app sends Stasis(callguard,outbound,<campaign>) to the outbound handler with the dialled extension', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    const seen: unknown[] = [];
    const app = new StasisApp({ calls, log, inbound: async () => undefined, outbound: async (call) => void seen.push(call) });
    const channelId = calls.addChannel();
    app.onStasisStart({ channelId, callerNumber: '+4930555000', args: ['outbound', 'sales'], exten: '030 100002' });
    await app.drain();
    expect(seen).toEqual([{ channelId, dialled: '030 100002', campaignName: 'sales' }]);
  });
  describe('the compliance rules of the campaign', () => {
    const NEW_YORK = '+12125550100';
    /** 21:00 in New York */
    const NY_21_00 = Date.parse('2026-11-24T02:00:00Z');

    it('an agent calling outside the calling hours is refused: CALLGUARD_VERDICT outside-hours, the reason, and the campaign cause', async () => {
      await campaign('us-sales', { hours: 'us', region: 'US', actions: { 'outside-hours': { type: 'hangup', cause: 17 } } });
      const { calls, agent, recorded, done } = agentCall(NEW_YORK, { kind: 'answer' }, 'us-sales', { clock: () => NY_21_00 });
      await done;
      expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
      expect(calls.channel(agent).hangupCause).toBe(17);
      expect(calls.channel(agent).variables.get('CALLGUARD_VERDICT')).toBe('outside-hours');
      expect(calls.channel(agent).variables.get('CALLGUARD_REASON')).toBe('outside calling hours (us, America/New_York)');
      expect(agentCallLogEntry(recorded[0] as AgentCallOutcome)).toMatchObject({ verdict: 'outside-hours', action: 'hangup:17' });
    });

    it("an agent's calls count against the number's cap, and the call past it is refused capped", async () => {
      const number = '+12125550177';
      await campaign('capped', { region: 'US', maxPerNumber: { count: 1, windowMs: 86_400_000 } });
      const first = agentCall(number, { kind: 'end', cause: 17 }, 'capped');
      await first.done;
      expect(first.calls.operations.some((op) => op.op === 'originate')).toBe(true);
      const second = agentCall(number, { kind: 'answer' }, 'capped');
      await second.done;
      expect(second.calls.operations.some((op) => op.op === 'originate')).toBe(false);
      expect(second.calls.channel(second.agent).variables.get('CALLGUARD_VERDICT')).toBe('capped');
      expect(second.calls.channel(second.agent).hangupCause).toBe(21);
    });

    it('a campaign that fails open with a block list missing still refuses a call outside the calling hours', async () => {
      await campaign('us-open', { block: ['dnc', 'not-created-yet'], fail: 'open', hours: 'us', region: 'US' });
      const { calls, agent, recorded, done } = agentCall(NEW_YORK, { kind: 'answer' }, 'us-open', { clock: () => NY_21_00 });
      await done;
      expect(calls.operations.some((op) => op.op === 'originate')).toBe(false);
      expect(calls.channel(agent).variables.get('CALLGUARD_VERDICT')).toBe('outside-hours');
      expect(recorded[0]).toMatchObject({ verdict: 'outside-hours', action: 'hangup:21' });
    });
  });
});

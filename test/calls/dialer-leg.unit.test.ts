import { describe, expect, it } from 'vitest';
import { createDialerLeg } from '../../src/calls/dialer-leg.js';
import { CHANNEL_VARIABLES } from '../../src/screening/channel-variables.js';
import type { DialplanAnswer } from '../../src/calls/dialplan-check.js';
import { NotDialledError, type DialAttempt } from '../../src/dialer/types.js';
import { DEFAULT_CAMPAIGN, type Campaign } from '../../src/screening/campaign.js';
import { StasisApp } from '../../src/calls/stasis-app.js';
import { FakeCallControl, type FarEnd } from './fake-call-control.js';
import { capturedLogger } from '../helpers/log-capture.js';

const ENDPOINT = 'PJSIP/+4930123456@trunk';
const CAMPAIGN: Campaign = {
  ...DEFAULT_CAMPAIGN,
  name: 'sales',
  endpoint: 'PJSIP/${NUMBER}@trunk',
  callerId: '"Sales" <+4930999999>',
  dialTimeoutMs: 1_500,
  agent: { context: 'agents', extension: 's', priority: 1 },
};

function attempt(): DialAttempt {
  return {
    request: { id: 'crm-4711', campaign: 'sales', number: '030 123456', attrs: { crm: '4711', 'not a name': 'x' }, createdAt: 0 },
    campaign: CAMPAIGN,
    attempt: 2,
    e164: '+4930123456',
    endpoint: ENDPOINT,
    // The Dialer picks the caller id of each attempt (the campaign's, or one of its list).
    callerId: '"Sales" <+4930999999>',
  };
}

function setup(farEnd: FarEnd, dialplan: DialplanAnswer = { kind: 'exists' }) {
  const calls = new FakeCallControl();
  calls.farEnds.set(ENDPOINT, farEnd);
  const { log, lines } = capturedLogger();
  const asked: string[] = [];
  const check = async (target: { context: string; extension: string; priority: number }): Promise<DialplanAnswer> => {
    asked.push(`${target.context},${target.extension},${target.priority}`);
    return dialplan;
  };
  return { calls, lines, asked, dial: createDialerLeg({ calls, events: calls, dialplan: check, log, graceMs: 50 }) };
}

describe('the dialer leg (campaign calls over ARI)', () => {
  it('an answered call is ANSWERED and continues at the campaign agent context with the CALLGUARD variables', async () => {
    const { calls, dial } = setup({ kind: 'answer', afterMs: 5 });
    expect(await dial(attempt())).toBe('ANSWERED');
    const [channelId] = calls.originatedTo(ENDPOINT);
    const originate = calls.operations.find((op) => op.op === 'originate');
    expect(originate).toMatchObject({
      request: { callerId: '"Sales" <+4930999999>', timeoutSeconds: 2, appArgs: ['dialer', 'crm-4711'] },
    });
    const channel = calls.channel(channelId ?? '');
    expect(channel.continuedTo).toEqual(CAMPAIGN.agent);
    expect(Object.fromEntries(channel.variables)).toEqual({
      [CHANNEL_VARIABLES.request]: 'crm-4711',
      [CHANNEL_VARIABLES.campaign]: 'sales',
      [CHANNEL_VARIABLES.number]: '+4930123456',
      [CHANNEL_VARIABLES.attempt]: '2',
      CALLGUARD_ATTR_crm: '4711',
    });
  });

  it.each([
    [17, 'BUSY'],
    [19, 'NO_ANSWER'],
    [18, 'NO_ANSWER'],
    [0, 'FAILED'],
    [34, 'FAILED'],
  ] as const)('a leg destroyed with cause %i before an answer is %s', async (cause, outcome) => {
    const { dial } = setup({ kind: 'end', cause });
    expect(await dial(attempt())).toBe(outcome);
  });

  it('a far end that rings past the dial timeout is NO_ANSWER', async () => {
    const { dial } = setup({ kind: 'ring' });
    expect(await dial(attempt())).toBe('NO_ANSWER');
  });

  it('a leg Asterisk reports nothing about is hung up after the dial timeout and its grace, and is NO_ANSWER', async () => {
    const { calls, dial, lines } = setup({ kind: 'silent' });
    expect(await dial(attempt())).toBe('NO_ANSWER');
    const [channelId] = calls.originatedTo(ENDPOINT);
    expect(calls.operations).toContainEqual({ op: 'hangup', channel: channelId, cause: 19 });
    expect(lines().some((line) => line.channel === channelId && line.level === 40)).toBe(true);
  });

  it('an originate Asterisk refuses rejects with the status and reason (the Dialer records FAILED with it)', async () => {
    const { dial } = setup({ kind: 'refuse', status: 500, reason: 'Allocation failed' });
    await expect(dial(attempt())).rejects.toThrow('originate refused with HTTP 500: Allocation failed');
  });

  it('a callee who hangs up as the call is sent to the agents is still ANSWERED', async () => {
    const { calls, dial } = setup({ kind: 'answer', afterMs: 5 });
    // After the StasisStart has been delivered to every listener, as Asterisk orders them.
    calls.on('stasisStart', (event) => setImmediate(() => calls.farEndHangup(event.channelId)));
    expect(await dial(attempt())).toBe('ANSWERED');
  });

  it('a campaign context the dialplan lacks is not dialled at all: NotDialledError naming it, no originate', async () => {
    const { calls, dial, asked } = setup({ kind: 'answer', afterMs: 5 }, { kind: 'missing' });
    const dialled = dial(attempt());
    await expect(dialled).rejects.toThrow(NotDialledError);
    await expect(dialled).rejects.toThrow("Asterisk's dialplan has no agents,s,1");
    expect(asked).toEqual(['agents,s,1']);
    expect(calls.originatedTo(ENDPOINT)).toEqual([]);
  });

  it('a context Asterisk cannot check is dialled anyway, with one warning for all attempts', async () => {
    const { calls, dial, lines } = setup({ kind: 'answer', afterMs: 5 }, { kind: 'unknown', reason: 'func_dialplan.so not loaded' });
    expect(await dial(attempt())).toBe('ANSWERED');
    expect(await dial(attempt())).toBe('ANSWERED');
    expect(calls.originatedTo(ENDPOINT)).toHaveLength(2);
    expect(lines().filter((line) => line.msg === 'could not check that the campaign context exists; dialling anyway')).toHaveLength(1);
  });

  it('the Stasis app leaves an originated dialer leg to the dialer, even while draining', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    const app = new StasisApp({ calls, log, inbound: async () => undefined });
    void app.drain(1);
    const channelId = calls.addChannel();
    app.onStasisStart({ channelId, callerNumber: '', args: ['dialer', 'crm-4711'] });
    await app.drain();
    expect(calls.operations).toEqual([]);
  });

  it('the Stasis app leaves a dialplan-check channel alone', async () => {
    const calls = new FakeCallControl();
    const { log } = capturedLogger();
    const app = new StasisApp({ calls, log, inbound: async () => undefined });
    app.onStasisStart({ channelId: calls.addChannel(), callerNumber: '', args: ['dialplan-check'] });
    await app.drain();
    expect(calls.operations).toEqual([]);
  });
});

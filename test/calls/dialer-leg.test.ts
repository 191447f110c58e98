import { describe, expect, it } from 'vitest';
import { createDialerLeg, DIALER_VARIABLES } from '../../src/calls/dialer-leg.js';
import type { DialAttempt } from '../../src/dialer/types.js';
import { DEFAULT_CAMPAIGN, type Campaign } from '../../src/screening/campaign.js';
import { StasisApp } from '../../src/calls/stasis-app.js';
import { FakeCallControl, type FarEnd } from './fake-call-control.js';
import { capturedLogger } from './log-capture.js';

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
  };
}

function setup(farEnd: FarEnd) {
  const calls = new FakeCallControl();
  calls.farEnds.set(ENDPOINT, farEnd);
  const { log, lines } = capturedLogger();
  return { calls, lines, dial: createDialerLeg({ calls, events: calls, log, graceMs: 50 }) };
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
      [DIALER_VARIABLES.request]: 'crm-4711',
      [DIALER_VARIABLES.campaign]: 'sales',
      [DIALER_VARIABLES.number]: '+4930123456',
      [DIALER_VARIABLES.attempt]: '2',
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
});

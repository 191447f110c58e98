import { describe, expect, it } from 'vitest';
import type { UseAgentFeature } from '../../src/calls/agent-feature.js';
import { DtmfSequence, LISTED_SOUND, NOT_LISTED_SOUND, watchInCallBlock } from '../../src/calls/in-call-block.js';
import type { AgentFeatureRequest, FeatureResult } from '../../src/screening/agent-features.js';
import { createLogger } from '../../src/log.js';
import { FakeCallControl } from './fake-call-control.js';

const log = createLogger({ level: 'silent' });

function pressAll(sequence: DtmfSequence, keys: string): { passedOn: string; matches: number } {
  let passedOn = '';
  let matches = 0;
  for (const key of keys) {
    const { passOn, matched } = sequence.press(key);
    passedOn += passOn;
    if (matched) matches += 1;
  }
  return { passedOn, matches };
}

describe('DtmfSequence: keys an agent presses against *9', () => {
  it.each([
    ['*9', '', 1],
    ['123', '123', 0],
    ['1*92', '12', 1],
    ['*5', '*5', 0],
    ['**9', '*', 1],
    ['9*', '9', 0],
    ['*9*9', '', 2],
  ])('%s passes on %j and matches %i times', (keys, passedOn, matches) => {
    expect(pressAll(new DtmfSequence('*9'), keys)).toEqual({ passedOn, matches });
  });

  it('a begun sequence whose next key does not come is passed on at the timeout', () => {
    const sequence = new DtmfSequence('*9');
    expect(sequence.press('*')).toEqual({ passOn: '', matched: false });
    expect(sequence.holding).toBe(true);
    expect(sequence.timeout()).toBe('*');
    expect(sequence.holding).toBe(false);
  });
});

describe('watchInCallBlock: the keys of an agent in a call callguard bridged', () => {
  function setup(result: FeatureResult = 'listed') {
    const calls = new FakeCallControl();
    const agentId = calls.addChannel();
    const farEndId = calls.addChannel();
    const requests: AgentFeatureRequest[] = [];
    const use: UseAgentFeature = async (request) => {
      requests.push(request);
      return { request, at: 0, result, verdict: 'blocked', durationMs: 0 };
    };
    const stop = watchInCallBlock(
      { agentId, endpoint: 'PJSIP/agent-1', farEndId, farEndNumber: '+4930123456' },
      { digits: '*9', list: 'dnc', use },
      calls,
      calls,
      log,
    );
    return { calls, agentId, farEndId, requests, stop };
  }

  async function settle(until: () => boolean): Promise<void> {
    await expect.poll(until, { timeout: 2_000, interval: 5 }).toBe(true);
  }

  it('*9 lists the far end with the agent endpoint and plays the beep to the agent; nothing reaches the far end', async () => {
    const { calls, agentId, requests, stop } = setup();
    calls.pressKey(agentId, '*');
    calls.pressKey(agentId, '9');
    await settle(() => calls.channel(agentId).played.length > 0);
    expect(requests).toEqual([
      { feature: 'block-call', code: '*9', number: '+4930123456', endpoint: 'PJSIP/agent-1', list: 'dnc', channelId: agentId },
    ]);
    expect(calls.channel(agentId).played).toEqual([LISTED_SOUND]);
    expect(calls.operations.filter((op) => op.op === 'send dtmf')).toEqual([]);
    stop();
  });

  it('other keys reach the far end in order; a key reported twice (two apps) counts once', async () => {
    const { calls, agentId, farEndId, requests, stop } = setup();
    calls.pressKey(agentId, '1', 't1');
    calls.pressKey(agentId, '1', 't1');
    calls.pressKey(agentId, '2', 't2');
    calls.pressKey(agentId, '*', 't3');
    calls.pressKey(agentId, '5', 't4');
    await settle(() => calls.operations.filter((op) => op.op === 'send dtmf').length === 3);
    expect(calls.operations.filter((op) => op.op === 'send dtmf')).toEqual([
      { op: 'send dtmf', channel: farEndId, digits: '1' },
      { op: 'send dtmf', channel: farEndId, digits: '2' },
      { op: 'send dtmf', channel: farEndId, digits: '*5' },
    ]);
    expect(requests).toEqual([]);
    stop();
  });

  it('a lone * is passed on once the next key did not come in time', async () => {
    const { calls, agentId, farEndId, stop } = setup();
    calls.pressKey(agentId, '*');
    await settle(() => calls.operations.some((op) => op.op === 'send dtmf'));
    expect(calls.operations.filter((op) => op.op === 'send dtmf')).toEqual([{ op: 'send dtmf', channel: farEndId, digits: '*' }]);
    stop();
  });

  it('a block that did not list the number plays the error tone', async () => {
    const { calls, agentId, stop } = setup('failed');
    calls.pressKey(agentId, '*');
    calls.pressKey(agentId, '9');
    await settle(() => calls.channel(agentId).played.length > 0);
    expect(calls.channel(agentId).played).toEqual([NOT_LISTED_SOUND]);
    stop();
  });
});

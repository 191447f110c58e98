import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointOfChannel } from '../../src/calls/channel-endpoint.js';
import { presentationName } from '../../src/calls/agi-app.js';
import { ListStore } from '../../src/lists/store.js';
import { featureCallLogEntry, runAgentFeature, type AgentFeatureRequest } from '../../src/screening/agent-features.js';
import { parseFeaturePermissions } from '../../src/screening/feature-permissions.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

describe("agents' features against a real Redis", () => {
  let redis: Redis;
  let lists: ListStore;
  const permissions = parseFeaturePermissions('PJSIP/sup-1; PJSIP/agent-1=32');

  beforeAll(async () => {
    redis = testRedis();
    lists = new ListStore(redis, testNamespace());
    await lists.createList('dnc', { by: 'test' });
  });

  afterAll(async () => {
    await redis.quit();
  });

  function request(changes: Partial<AgentFeatureRequest>): AgentFeatureRequest {
    return { feature: 'list', code: '*30', number: '', endpoint: 'PJSIP/sup-1', list: 'dnc', channelId: 'c-1', ...changes };
  }

  const run = (changes: Partial<AgentFeatureRequest>) => runAgentFeature(request(changes), { lists, permissions, defaultRegion: 'DE' });

  it('*9 lists the other party (a national number read with the region) with by = the endpoint, audited as in-call DTMF', async () => {
    const outcome = await run({ feature: 'block-call', code: '*9', number: '030 1112223', endpoint: 'PJSIP/agent-7' });
    expect(outcome).toMatchObject({ result: 'listed', e164: '+49301112223', verdict: 'blocked' });
    const { listed } = await lists.entries(outcome.e164 as string);
    expect(listed).toEqual([expect.objectContaining({ by: 'PJSIP/agent-7', reason: 'agent: asked not to be called' })]);
    expect((await lists.history(outcome.e164 as string))[0]?.details).toMatchObject({ source: 'in-call-dtmf' });
  });

  it('*30 and *31 from a permitted endpoint list and cancel; cancelling again is not-listed', async () => {
    expect(await run({ number: '+4930200001' })).toMatchObject({ result: 'listed' });
    expect(await run({ feature: 'cancel', code: '*31', number: '+4930200001' })).toMatchObject({ result: 'cancelled', verdict: 'clear' });
    expect(await run({ feature: 'cancel', code: '*31', number: '+4930200001' })).toMatchObject({ result: 'not-listed' });
    const { cancelled } = await lists.entries('+4930200001');
    expect(cancelled).toEqual([expect.objectContaining({ by: 'PJSIP/sup-1', reason: 'feature code' })]);
  });

  it('an endpoint without the code changes nothing, and the outcome says what the number is now', async () => {
    await lists.add('dnc', [{ member: '+4930200002' }], { by: 'test' });
    const refused = await run({ feature: 'cancel', code: '*31', number: '+4930200002', endpoint: 'PJSIP/agent-1' });
    expect(refused).toMatchObject({ result: 'not-permitted', verdict: 'blocked', detail: expect.stringContaining('PJSIP/agent-1 may not use *31') });
    expect((await lists.entries('+4930200002')).listed).toHaveLength(1);
    expect(await run({ number: '+4930200003', endpoint: 'PJSIP/stranger' })).toMatchObject({ result: 'not-permitted', verdict: 'clear' });
    expect((await lists.entries('+4930200003')).listed).toEqual([]);
    expect(await run({ feature: 'list-last-caller', code: '*32', number: '+4930200004', endpoint: 'PJSIP/agent-1' })).toMatchObject({ result: 'listed' });
  });

  it('no number, a malformed one, a list that does not exist, and Redis failing are results, never thrown', async () => {
    expect(await run({ number: '' })).toMatchObject({ result: 'no-number', verdict: 'hidden' });
    expect(await run({ number: '12' })).toMatchObject({ result: 'invalid-number', verdict: 'malformed' });
    expect(await run({ number: '+4930200005', list: 'nope' })).toMatchObject({ result: 'no-such-list', verdict: 'unavailable' });
    const broken = { add: () => Promise.reject(new Error('connection lost')), cancel: () => Promise.reject(new Error('x')), check: () => Promise.resolve(null) };
    const failed = await runAgentFeature(request({ number: '+4930200006' }), { lists: broken, permissions, defaultRegion: 'DE' });
    expect(failed).toMatchObject({ result: 'failed', detail: 'connection lost' });
  });

  it('a feature use becomes a call-log entry of direction feature with the code, the endpoint and the action', async () => {
    const outcome = await run({ number: '+4930200007', channelId: 'chan-9' });
    expect(featureCallLogEntry(outcome)).toMatchObject({
      direction: 'feature',
      channel: 'chan-9',
      e164: '+4930200007',
      verdict: 'blocked',
      list: 'dnc',
      action: 'list:dnc',
      feature: '*30',
      endpoint: 'PJSIP/sup-1',
      reason: 'feature code',
    });
    const refused = await run({ number: '+4930200008', endpoint: 'PJSIP/x' });
    expect(featureCallLogEntry(refused)).toMatchObject({ action: 'not-permitted', reason: expect.stringContaining('may not use *30') });
  });
});

describe('what the FastAGI entry reads from a channel', () => {
  it.each([
    ['PJSIP/agent-1-0000001a', 'PJSIP/agent-1'],
    ['PJSIP/1001-00000003', 'PJSIP/1001'],
    ['Local/1001@agents-00000001;2', 'Local/1001@agents'],
    ['PJSIP/odd', 'PJSIP/odd'],
  ])('channel %s belongs to endpoint %s', (channel, endpoint) => {
    expect(endpointOfChannel(channel)).toBe(endpoint);
  });

  it.each([
    ['0', 'allowed_not_screened'],
    ['1', 'allowed_passed_screen'],
    ['3', 'allowed'],
    ['32', 'prohib_not_screened'],
    ['35', 'prohib'],
    ['67', 'unavailable'],
    ['x', undefined],
    [undefined, undefined],
  ])('agi_callingpres %s reads as %s', (value, name) => {
    expect(presentationName(value)).toBe(name);
  });
});

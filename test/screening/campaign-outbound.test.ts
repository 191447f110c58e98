import { afterAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { DEFAULT_CAMPAIGN } from '../../src/screening/campaign.js';
import { decideAgentCall, screenCallee } from '../../src/screening/outbound.js';
import type { Screening } from '../../src/screening/types.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

async function storeWith(entries: Record<string, string[]>): Promise<ListStore> {
  const store = new ListStore(redis, testNamespace());
  for (const [list, members] of Object.entries(entries)) {
    await store.createList(list, { by: 'test' });
    if (members.length > 0) await store.add(list, members.map((member) => ({ member })), { by: 'test', reason: `on ${list}` });
  }
  return store;
}

describe('screenCallee', () => {
  it('a number on a block list is blocked by the first list in campaign order', async () => {
    const store = await storeWith({ dnc: ['+49301234567'], national: ['+4930*'] });
    const screening = await screenCallee('030 1234567', { block: ['national', 'dnc'], region: 'DE' }, store);
    expect(screening).toMatchObject({ verdict: 'blocked', e164: '+49301234567', match: { list: 'national', member: '+4930*', reason: 'on national' } });
  });

  it('a number on no list is clear', async () => {
    const store = await storeWith({ dnc: ['+49301234567'] });
    expect(await screenCallee('+49307654321', { block: ['dnc'] }, store)).toEqual({ verdict: 'clear', e164: '+49307654321' });
  });

  it('a block list that does not exist makes the lists unavailable, never clear', async () => {
    const store = await storeWith({ dnc: [] });
    const screening = await screenCallee('+49307654321', { block: ['dnc', 'gone'] }, store);
    expect(screening.verdict).toBe('unavailable');
    expect(screening.detail).toMatch(/no such list: gone/);
  });

  it('lists that answer too late are unavailable', async () => {
    const never = { checkEach: () => new Promise<never>(() => undefined) };
    expect(await screenCallee('+49307654321', { block: ['dnc'] }, never, { deadlineMs: 20 })).toMatchObject({ verdict: 'unavailable', detail: 'no answer within 20 ms' });
  });

  it('hidden and malformed numbers are never looked up', async () => {
    const refuses = { checkEach: () => Promise.reject(new Error('must not be asked')) };
    expect(await screenCallee('anonymous', { block: ['dnc'] }, refuses)).toEqual({ verdict: 'hidden' });
    expect((await screenCallee('12', { block: ['dnc'], region: 'DE' }, refuses)).verdict).toBe('malformed');
  });

  it('the default region reads national numbers of a campaign without one', async () => {
    const store = await storeWith({ dnc: ['+14155550100'] });
    expect((await screenCallee('(415) 555-0100', { block: ['dnc'] }, store, { defaultRegion: 'US' })).verdict).toBe('blocked');
  });
});

describe('decideAgentCall', () => {
  const campaign = { ...DEFAULT_CAMPAIGN, endpoint: 'PJSIP/${NUMBER}@trunk' };
  it.each<[string, Screening, 'closed' | 'open', ReturnType<typeof decideAgentCall>]>([
    ['clear', { verdict: 'clear', e164: '+4930123' }, 'closed', { kind: 'dial', e164: '+4930123', endpoint: 'PJSIP/+4930123@trunk', verdict: 'clear' }],
    ['blocked', { verdict: 'blocked', e164: '+4930123', match: { list: 'dnc', member: '+4930123', kind: 'exact', expiresAt: null } }, 'open', { kind: 'refuse', verdict: 'blocked', action: { type: 'hangup', cause: 21 } }],
    ['hidden', { verdict: 'hidden' }, 'closed', { kind: 'refuse', verdict: 'hidden', action: { type: 'hangup', cause: 28 } }],
    ['malformed', { verdict: 'malformed', detail: 'too short' }, 'closed', { kind: 'refuse', verdict: 'malformed', action: { type: 'hangup', cause: 28 } }],
    ['unavailable, failing closed', { verdict: 'unavailable', e164: '+4930123', detail: 'timed out' }, 'closed', { kind: 'refuse', verdict: 'unavailable', action: { type: 'hangup', cause: 34 } }],
    ['unavailable, failing open', { verdict: 'unavailable', e164: '+4930123', detail: 'timed out' }, 'open', { kind: 'dial', e164: '+4930123', endpoint: 'PJSIP/+4930123@trunk', verdict: 'unavailable' }],
  ])('%s', (_, screening, fail, expected) => {
    expect(decideAgentCall(screening, { ...campaign, fail })).toEqual(expected);
  });
});

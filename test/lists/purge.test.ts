import { describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { JANITOR } from '../../src/lists/store.js';
import { ALICE, MINUTE, T0, useStore } from './fixture.js';

describe('purgeExpired', () => {
  const t = useStore();

  it('removes expired members only, with an expire event for each entry added one by one', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.createList('vip', ALICE);
    await t.store.add('dnc', [
      { member: '+4930000001', expiresAt: T0 + MINUTE },
      { member: '+1900*', expiresAt: T0 + MINUTE },
      { member: '+4930000002', expiresAt: T0 + 2 * MINUTE },
      { member: '+4930000003' },
    ], ALICE);
    t.now = T0 + MINUTE;

    expect(await t.store.purgeExpired()).toEqual([{ list: 'dnc', expired: 2 }]);
    const keys = listKeys(t.namespace, 'dnc');
    expect(await t.redis.zrange(keys.timed, '0', '-1')).toEqual(['+4930000002']);
    expect(await t.redis.hexists(keys.meta, '+4930000001')).toBe(0);
    expect(await t.store.lists()).toMatchObject([{ name: 'dnc', size: 2 }, { name: 'vip', size: 0 }]);

    const expired = (await t.store.audit('dnc')).filter((e) => e.action === 'expire');
    expect(expired.map((e) => [e.member, e.by, e.at, e.details?.expiresAt]).sort()).toEqual([
      ['+1900*', JANITOR, T0 + MINUTE, String(T0 + MINUTE)],
      ['+4930000001', JANITOR, T0 + MINUTE, String(T0 + MINUTE)],
    ]);
    expect((await t.store.history('+4930000001'))[0]).toMatchObject({ action: 'expire' });
    expect(await t.store.purgeExpired()).toEqual([]);
  });

  it('bulk-loaded entries (no metadata) expire with one counted event per batch', async () => {
    await t.store.createList('dnc', ALICE);
    const keys = listKeys(t.namespace, 'dnc');
    const members = Array.from({ length: 1200 }, (_, i) => ['' + (T0 + 1000), `+4930${String(i).padStart(6, '0')}`]).flat();
    await t.redis.zadd(keys.timed, ...members);
    t.now = T0 + 1000;

    expect(await t.store.purgeExpired()).toEqual([{ list: 'dnc', expired: 1200 }]);
    expect(await t.redis.exists(keys.timed)).toBe(0);
    const counts = (await t.store.audit('dnc')).filter((e) => e.action === 'expire').map((e) => Number(e.details?.count));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(counts.length).toBeLessThanOrEqual(3);
  });
});

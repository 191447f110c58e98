import { describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { ALICE, CHECK_MODES, MINUTE, T0, useStore } from './fixture.js';

describe.each(CHECK_MODES)('check (%s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('an exact number matches with its reason, who and when', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toEqual({
      list: 'dnc', member: '+4930123456', kind: 'exact', expiresAt: null,
      reason: 'harassing caller', by: 'alice', addedAt: T0,
    });
    expect(await t.store.check('+4930123457', ['dnc'])).toBeNull();
  });

  it('a prefix matches every number it starts, and nothing else', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+1900*' }], ALICE);
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix', expiresAt: null });
    expect(await t.store.check('+1900', ['dnc'])).toMatchObject({ member: '+1900*' });
    expect(await t.store.check('+19015550100', ['dnc'])).toBeNull();
    expect(await t.store.check('+190', ['dnc'])).toBeNull();
  });

  it('the number itself wins over a prefix, and a longer prefix over a shorter one', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+49*' }, { member: '+4930*' }, { member: '+493012*', expiresAt: T0 + MINUTE }], ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+493012*', expiresAt: T0 + MINUTE });
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+4930123456', kind: 'exact' });
    t.now = T0 + MINUTE;
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+4930*' });
  });

  it('a prefixes field written out of order and with a length twice still reports the longest prefix that matches', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+49*' }, { member: '+4930*' }, { member: '+493012*' }], ALICE);
    const info = listKeys(t.namespace, 'dnc').info;
    expect(await t.redis.hget(info, 'prefixes')).toBe('4,6,8');
    // By hand, as no writer of callguard leaves it: the lengths of all three prefixes,
    // the longest first and twice, and one no member has.
    await t.redis.hset(info, 'prefixes', '8,4,6,8,5');
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+493012*' });
    expect(await t.store.check('+4930999999', ['dnc'])).toMatchObject({ member: '+4930*' });
    expect(await t.store.check('+4940123456', ['dnc'])).toMatchObject({ member: '+49*' });
    expect(await t.store.check('+4140123456', ['dnc'])).toBeNull();
  });

  it('returns the first match in the order the lists are given', async () => {
    for (const name of ['a', 'b', 'c']) await t.store.createList(name, ALICE);
    await t.store.add('b', [{ member: '+4930123456' }], { by: 'bob' });
    await t.store.add('c', [{ member: '+49*' }], { by: 'carol' });
    expect(await t.store.check('+4930123456', ['a', 'b', 'c'])).toMatchObject({ list: 'b', by: 'bob' });
    expect(await t.store.check('+4930123456', ['a', 'c', 'b'])).toMatchObject({ list: 'c', by: 'carol', kind: 'prefix' });
    expect(await t.store.check('+4930123456', ['a'])).toBeNull();
    expect(await t.store.check('+4930123456', [])).toBeNull();
  });

  it('checkEach gives one result per list, in the order given', async () => {
    for (const name of ['block', 'vip', 'other']) await t.store.createList(name, ALICE);
    await t.store.add('block', [{ member: '+49*' }], ALICE);
    await t.store.add('vip', [{ member: '+4930123456' }], ALICE);
    const results = await t.store.checkEach('+4930123456', ['vip', 'other', 'block']);
    expect(results.map((r) => r && [r.list, r.kind])).toEqual([['vip', 'exact'], null, ['block', 'prefix']]);
  });

  it('an expired entry never matches', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }, { member: '+1900*', expiresAt: T0 + MINUTE }], ALICE);
    t.now = T0 + MINUTE - 1;
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ expiresAt: T0 + MINUTE });
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*' });
    t.now = T0 + MINUTE;
    expect(await t.store.check('+4930123456', ['dnc'])).toBeNull();
    expect(await t.store.check('+19005550100', ['dnc'])).toBeNull();
  });

  it('a disabled list matches nothing, and matches again once enabled', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+1900*' }], ALICE);
    await t.store.setEnabled('dnc', false, ALICE);
    expect(await t.store.checkEach('+4930123456', ['dnc'])).toEqual([null]);
    expect(await t.store.check('+19005550100', ['dnc'])).toBeNull();
    await t.store.setEnabled('dnc', true, ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ list: 'dnc' });
  });

  it('an entry loaded in bulk (no metadata) matches without reason or who', async () => {
    await t.store.createList('dnc', ALICE);
    await t.redis.sadd(listKeys(t.namespace, 'dnc').exact, '+4930123456');
    expect(await t.store.check('+4930123456', ['dnc'])).toEqual({
      list: 'dnc', member: '+4930123456', kind: 'exact', expiresAt: null,
    });
  });

  it('checking a list that does not exist fails with no-such-list instead of reading as clear', async () => {
    await t.store.createList('dnc', ALICE);
    await expect(t.store.check('+4930123456', ['dnc', 'typo'])).rejects.toMatchObject({
      code: 'no-such-list',
      message: expect.stringContaining('callguard list create typo'),
    });
  });

  it('refuses a number that is not normalized E.164', async () => {
    await t.store.createList('dnc', ALICE);
    for (const bad of ['030123456', '+49 30 123456', '', '+0123', '+4930*']) {
      await expect(t.store.check(bad, ['dnc'])).rejects.toThrow(/E\.164/);
    }
  });
});

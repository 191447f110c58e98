import { describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { ALICE, CHECK_MODES, MINUTE, T0, useStore } from './fixture.js';

/**
 * check-4.lua skips the prefix candidates when the list's info says prefixes '0'; these
 * tests pin who sets the flag and that a list never loses a match because of it.
 */
describe.each(CHECK_MODES)('the prefixes flag of a list (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });
  const prefixesFlag = (list: string) => t.redis.hget(listKeys(t.namespace, list).info, 'prefixes');

  it('a new list says it holds no prefix, and adding numbers keeps it so', async () => {
    await t.store.createList('dnc', ALICE);
    expect(await prefixesFlag('dnc')).toBe('0');
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+4930123457', expiresAt: T0 + MINUTE }], ALICE);
    expect(await prefixesFlag('dnc')).toBe('0');
  });

  it('adding a prefix sets it, and it stays set after the prefix is cancelled', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+1900*' }], ALICE);
    expect(await prefixesFlag('dnc')).toBe('1');
    await t.store.cancel('dnc', ['+1900*'], { ...ALICE, reason: 'range reassigned' });
    expect(await prefixesFlag('dnc')).toBe('1');
    expect(await t.store.check('+19005550100', ['dnc'])).toBeNull();
  });

  it('a prefix added one by one to a list of plain numbers matches at once', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    expect(await t.store.check('+19005550100', ['dnc'])).toBeNull();
    await t.store.add('dnc', [{ member: '+1900*' }], ALICE);
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
    await t.store.add('dnc', [{ member: '+4930*', expiresAt: T0 + MINUTE }], ALICE);
    expect(await t.store.check('+4930999999', ['dnc'])).toMatchObject({ member: '+4930*', expiresAt: T0 + MINUTE });
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+4930123456', kind: 'exact' });
  });

  it('a list that never had a prefix still matches its exact and timed numbers, and only them', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+4930654321', expiresAt: T0 + MINUTE }], ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toEqual({
      list: 'dnc', member: '+4930123456', kind: 'exact', expiresAt: null,
      reason: 'harassing caller', by: 'alice', addedAt: T0,
    });
    expect(await t.store.check('+4930654321', ['dnc'])).toEqual({
      list: 'dnc', member: '+4930654321', kind: 'exact', expiresAt: T0 + MINUTE,
      reason: 'harassing caller', by: 'alice', addedAt: T0,
    });
    expect(await t.store.check('+4930654322', ['dnc'])).toBeNull();
    t.now = T0 + MINUTE;
    expect(await t.store.check('+4930654321', ['dnc'])).toBeNull();
  });

  it('a list whose info has no prefixes field (older than the flag) still finds its prefixes', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+1900*' }], ALICE);
    await t.redis.hdel(listKeys(t.namespace, 'dnc').info, 'prefixes');
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('a prefix written into timed without setting the flag is missed: every writer of prefixes must set it', async () => {
    // The contract the importer (and any future bulk writer) follows, shown by breaking it.
    await t.store.createList('dnc', ALICE);
    const keys = listKeys(t.namespace, 'dnc');
    await t.redis.zadd(keys.timed, 'inf', '+1900*');
    expect(await t.store.check('+19005550100', ['dnc'])).toBeNull();
    await t.redis.hset(keys.info, 'prefixes', '1');
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });
});

import { describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { MAX_ENTRIES_PER_CALL } from '../../src/lists/store.js';
import { ALICE, CHECK_MODES, MINUTE, T0, useStore } from './fixture.js';

describe.each(CHECK_MODES)('add (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });
  const keys = () => listKeys(t.namespace, 'dnc');

  it('keeps never-expiring numbers in the SET and timed numbers and all prefixes in the ZSET', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [
      { member: '+4930123456' },
      { member: '+4930999999', expiresAt: T0 + MINUTE },
      { member: '+1900*' },
      { member: '+1976*', expiresAt: T0 + MINUTE },
    ], ALICE);
    expect(await t.redis.smembers(keys().exact)).toEqual(['+4930123456']);
    expect(await t.redis.zrange(keys().timed, '0', '-1', 'WITHSCORES')).toEqual([
      '+1976*', String(T0 + MINUTE), '+4930999999', String(T0 + MINUTE), '+1900*', 'inf',
    ]);
  });

  it('counts added, extended and unchanged entries', async () => {
    await t.store.createList('dnc', ALICE);
    expect(await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], ALICE))
      .toEqual({ added: 1, extended: 0, unchanged: 0 });
    expect(await t.store.add('dnc', [
      { member: '+4930123456', expiresAt: T0 + 2 * MINUTE },
      { member: '+4930123457' },
      { member: '+4930123457' },
    ], ALICE)).toEqual({ added: 1, extended: 1, unchanged: 1 });
  });

  it('adding again with a later expiry extends the entry', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }, { member: '+1900*', expiresAt: T0 + MINUTE }], ALICE);
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + 5 * MINUTE }, { member: '+1900*', expiresAt: T0 + 5 * MINUTE }], { by: 'bob' });
    t.now = T0 + 2 * MINUTE;
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ expiresAt: T0 + 5 * MINUTE, by: 'bob' });
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ expiresAt: T0 + 5 * MINUTE });
  });

  it('adding again with an earlier expiry keeps the later one', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + 5 * MINUTE }], ALICE);
    expect(await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], { by: 'bob' }))
      .toEqual({ added: 0, extended: 0, unchanged: 1 });
    t.now = T0 + 2 * MINUTE;
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ expiresAt: T0 + 5 * MINUTE, by: 'alice' });
  });

  it('forever beats any time: a timed number added forever moves to the SET and leaves the ZSET', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], ALICE);
    expect(await t.store.add('dnc', [{ member: '+4930123456' }], ALICE)).toMatchObject({ extended: 1 });
    expect(await t.redis.sismember(keys().exact, '+4930123456')).toBe(1);
    expect(await t.redis.zscore(keys().timed, '+4930123456')).toBeNull();
    expect(await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + 60 * MINUTE }], ALICE))
      .toMatchObject({ unchanged: 1 });
    t.now = T0 + 120 * MINUTE;
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ expiresAt: null });
  });

  it('a forever prefix stays in the ZSET and a timed one cannot shorten it', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+1900*', expiresAt: T0 + MINUTE }], ALICE);
    await t.store.add('dnc', [{ member: '+1900*' }], ALICE);
    expect(await t.store.add('dnc', [{ member: '+1900*', expiresAt: T0 + 2 * MINUTE }], ALICE)).toMatchObject({ unchanged: 1 });
    expect(await t.redis.zscore(keys().timed, '+1900*')).toBe('inf');
    expect(await t.redis.sismember(keys().exact, '+1900*')).toBe(0);
  });

  it('an expired entry added again counts as added, with the new expiry', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], ALICE);
    t.now = T0 + 2 * MINUTE;
    expect(await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + 3 * MINUTE }], ALICE)).toMatchObject({ added: 1 });
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ expiresAt: T0 + 3 * MINUTE });
  });

  it('adding to a list that does not exist fails with no-such-list and tells how to create it', async () => {
    await expect(t.store.add('dnc', [{ member: '+4930123456' }], ALICE)).rejects.toMatchObject({
      code: 'no-such-list',
      message: expect.stringContaining('callguard list create dnc'),
    });
    expect(await t.redis.exists(keys().exact, keys().meta, keys().audit)).toBe(0);
  });

  it('one malformed member rejects the whole add and writes nothing', async () => {
    await t.store.createList('dnc', ALICE);
    await expect(t.store.add('dnc', [{ member: '+4930123456' }, { member: '030 123' }, { member: '+1900*' }], ALICE))
      .rejects.toThrow('"030 123"');
    await expect(t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 }], ALICE)).rejects.toThrow(/future/);
    expect(await t.store.lists()).toMatchObject([{ size: 0 }]);
  });
});

describe('add limits', () => {
  const t = useStore();

  it('refuses more entries than one add may hold, pointing to the importer, and writes nothing', async () => {
    await t.store.createList('dnc', ALICE);
    const entries = Array.from({ length: MAX_ENTRIES_PER_CALL + 1 }, (_, i) => ({ member: `+4930${String(i).padStart(7, '0')}` }));
    await expect(t.store.add('dnc', entries, ALICE)).rejects.toThrow(/callguard import/);
    await expect(t.store.cancel('dnc', entries.map((e) => e.member), { by: 'bob', reason: 'x' })).rejects.toThrow(/callguard import/);
    expect(await t.store.lists()).toMatchObject([{ size: 0 }]);
  });
});

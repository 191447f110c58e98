import { describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { migratePrefixFields } from '../../src/lists/migrate.js';
import { importText } from '../import/helpers.js';
import { ALICE, CHECK_MODES, MINUTE, T0, useStore } from './fixture.js';

/**
 * A check builds prefix candidates only of the lengths the list's info field `prefixes`
 * names (keys.ts: a length counts the member's characters, `+1900*` is 6); these tests pin
 * who records the lengths and that a list never loses a match because of them.
 */
describe.each(CHECK_MODES)('the prefix lengths of a list (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });
  const prefixLengths = (list: string) => t.redis.hget(listKeys(t.namespace, list).info, 'prefixes');

  it('a new list records no prefix length, and adding numbers keeps it so', async () => {
    await t.store.createList('dnc', ALICE);
    expect(await prefixLengths('dnc')).toBe('');
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+4930123457', expiresAt: T0 + MINUTE }], ALICE);
    expect(await prefixLengths('dnc')).toBe('');
  });

  it('adding a prefix records its length, and the length stays after the prefix is cancelled', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+1900*' }], ALICE);
    expect(await prefixLengths('dnc')).toBe('6');
    await t.store.cancel('dnc', ['+1900*'], { ...ALICE, reason: 'range reassigned' });
    expect(await prefixLengths('dnc')).toBe('6');
    expect(await t.store.check('+19005550100', ['dnc'])).toBeNull();
  });

  it('lengths are kept sorted as numbers, each once', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+49301234567*' }, { member: '+1900*' }], ALICE);
    await t.store.add('dnc', [{ member: '+1*' }, { member: '+4930*' }], ALICE);
    expect(await prefixLengths('dnc')).toBe('3,6,13');
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

  it('a list holding prefixes of one length still matches a prefix of a new length added later', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+1900*' }], ALICE);
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*' });
    expect(await t.store.check('+4930123456', ['dnc'])).toBeNull();
    await t.store.add('dnc', [{ member: '+493012*' }], ALICE);
    expect(await prefixLengths('dnc')).toBe('6,8');
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+493012*', kind: 'prefix' });
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('the longest listed prefix wins when several lengths match', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+1*' }, { member: '+1900555*' }, { member: '+1900*' }], ALICE);
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900555*' });
    expect(await t.store.check('+19009990100', ['dnc'])).toMatchObject({ member: '+1900*' });
    expect(await t.store.check('+12125550100', ['dnc'])).toMatchObject({ member: '+1*' });
  });

  it('a number shorter than every listed prefix still matches as a timed number', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456789*' }, { member: '+4930123456', expiresAt: T0 + MINUTE }], ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+4930123456', expiresAt: T0 + MINUTE });
    expect(await t.store.check('+4930123457', ['dnc'])).toBeNull();
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

  it('a list whose info has no prefixes field (older than it) finds prefixes of any length once migrated, and an add keeps them', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+1900*' }], ALICE);
    const keys = listKeys(t.namespace, 'dnc');
    await t.redis.hdel(keys.info, 'prefixes');
    await t.redis.zadd(keys.timed, 'inf', '+493012*');
    expect(await migratePrefixFields(t.redis, t.namespace)).toEqual(['dnc']);
    expect(await prefixLengths('dnc')).toBe('6,8');
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
    await t.store.add('dnc', [{ member: '+4420*' }], ALICE);
    expect(await prefixLengths('dnc')).toBe('6,8');
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+493012*', kind: 'prefix' });
    expect(await t.store.check('+442079460000', ['dnc'])).toMatchObject({ member: '+4420*', kind: 'prefix' });
  });

  it('the old flag "1" (any length) and "0" (no prefix) are migrated, and the lists match as they did', async () => {
    await t.store.createList('old', ALICE);
    const old = listKeys(t.namespace, 'old');
    await t.redis.hset(old.info, 'prefixes', '1');
    await t.redis.zadd(old.timed, 'inf', '+1900*', 'inf', '+493012*');
    await t.store.add('old', [{ member: '+4420*' }], ALICE);
    expect(await prefixLengths('old')).toBe('1');

    await t.store.createList('plain', ALICE);
    await t.redis.hset(listKeys(t.namespace, 'plain').info, 'prefixes', '0');
    expect(await migratePrefixFields(t.redis, t.namespace)).toEqual(['old', 'plain']);
    expect(await prefixLengths('old')).toBe('6,8');
    expect(await prefixLengths('plain')).toBe('');
    expect(await t.store.check('+19005550100', ['old'])).toMatchObject({ member: '+1900*' });
    expect(await t.store.check('+4930123456', ['old'])).toMatchObject({ member: '+493012*' });
    expect(await t.store.check('+442079460000', ['old'])).toMatchObject({ member: '+4420*' });
    await t.store.add('plain', [{ member: '+1900*' }], ALICE);
    expect(await prefixLengths('plain')).toBe('6');
    expect(await t.store.check('+19005550100', ['plain'])).toMatchObject({ member: '+1900*' });
  });

  it('a list created again over the entries its lost info left behind still matches their prefixes', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+1900*' }, { member: '+4930123456' }], ALICE);
    // The info hash gone outside callguard (a DEL, an eviction): the entries stay, and
    // create counts them as the new list's own.
    await t.redis.del(listKeys(t.namespace, 'dnc').info);
    await t.store.createList('dnc', ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+4930123456' });
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('every write path records the length of each prefix it writes, in the same script call', async () => {
    // The index decides whether a check looks for prefixes at all: a prefix in timed
    // without its length would not match. Every writer keeps it (prefix-index.unit.test.ts
    // holds the scripts to it); here each path is run and the index read back.
    await t.store.createList('dnc', ALICE);
    const keys = listKeys(t.namespace, 'dnc');
    const until = new Date(T0 + 60 * MINUTE).toISOString();
    await t.store.add('dnc', [{ member: '+44*' }], ALICE);
    await importText(t.redis, t.namespace, 'dnc', '+1900*\n+4930123456\n', { now: T0 });
    await importText(t.redis, t.namespace, 'dnc', `number,expires\n+3361*,${until}\n`, { now: T0 });
    await importText(t.redis, t.namespace, 'dnc', '+1900*\n+4930*\n', { now: T0, onDuplicate: 'override', batchSize: 1 });
    await t.store.createList('other', ALICE);
    await importText(t.redis, t.namespace, 'other', '+35391*\n', { now: T0, replace: true });
    for (const [list, info] of [['dnc', keys.info], ['other', listKeys(t.namespace, 'other').info]] as const) {
      const recorded = ((await t.redis.hget(info, 'prefixes')) ?? '').split(',').map(Number);
      const prefixes = (await t.redis.zrange(listKeys(t.namespace, list).timed, '0', '-1')).filter((member) => member.endsWith('*'));
      expect(prefixes.length).toBeGreaterThan(0);
      for (const prefix of prefixes) expect({ prefix, recorded: recorded.includes(prefix.length) }).toEqual({ prefix, recorded: true });
    }
    expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
    expect(await t.store.check('+33612345678', ['dnc'])).toMatchObject({ member: '+3361*', kind: 'prefix' });
    expect(await t.store.check('+353911234567', ['other'])).toMatchObject({ member: '+35391*', kind: 'prefix' });
  });
});

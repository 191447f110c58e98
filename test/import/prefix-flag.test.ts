import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { listKeys } from '../../src/lists/keys.js';
import { migratePrefixFields } from '../../src/lists/migrate.js';
import { ListStore } from '../../src/lists/store.js';
import { testRedis } from '../helpers/redis.js';
import { freshDncList, importText } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

let namespace: string;
let store: ListStore;
beforeEach(async () => {
  ({ namespace, store } = await freshDncList(redis));
});

const prefixLengths = () => redis.hget(listKeys(namespace, 'dnc').info, 'prefixes');

// check() builds prefix candidates only of the lengths the list's info field `prefixes`
// names (keys.ts: a length counts the member's characters, `+1900*` is 6).
describe('import and the prefix lengths of a list', () => {
  it('a file of plain numbers records no length', async () => {
    await importText(redis, namespace, 'dnc', '+4930123456\n+4930123457\n');
    expect(await prefixLengths()).toBe('');
    expect(await store.check('+4930123456', ['dnc'])).toMatchObject({ kind: 'exact' });
  });

  it('an imported prefix records its length and matches', async () => {
    await importText(redis, namespace, 'dnc', '+4930123456\n+1900*\n');
    expect(await prefixLengths()).toBe('6');
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('a prefix in a file with an expiry per row records its length and matches', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await importText(redis, namespace, 'dnc', `number,expires\n+4930123456,${until}\n+1900*,${until}\n`);
    expect(await prefixLengths()).toBe('6');
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('a replace that brings the first prefix records its length on the live list', async () => {
    await importText(redis, namespace, 'dnc', '+4930123456\n');
    await importText(redis, namespace, 'dnc', '+4930123457\n+1900*\n', { replace: true });
    expect(await prefixLengths()).toBe('6');
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
    expect(await store.check('+4930123456', ['dnc'])).toBeNull();
  });

  it('an import merges new lengths into those the list holds, across batches', async () => {
    await store.add('dnc', [{ member: '+1900*' }], { by: 'alice' });
    await importText(redis, namespace, 'dnc', '+4930*\n+493012*\n+4930123456\n+44207*\n', { batchSize: 2 });
    expect(await prefixLengths()).toBe('6,7,8');
    expect(await store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+4930123456', kind: 'exact' });
    expect(await store.check('+4930129999', ['dnc'])).toMatchObject({ member: '+493012*', kind: 'prefix' });
    expect(await store.check('+442071234567', ['dnc'])).toMatchObject({ member: '+44207*', kind: 'prefix' });
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('an import into a list from before the field, migrated at start, records its prefixes, and they match', async () => {
    await redis.hdel(listKeys(namespace, 'dnc').info, 'prefixes');
    expect(await migratePrefixFields(redis, namespace)).toEqual(['dnc']);
    await importText(redis, namespace, 'dnc', '+1900*\n');
    expect(await prefixLengths()).toBe('6');
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('a dry run records no length', async () => {
    await importText(redis, namespace, 'dnc', '+1900*\n', { dryRun: true });
    expect(await prefixLengths()).toBe('');
  });
});

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { createList, importText } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

let namespace: string;
let store: ListStore;
beforeEach(async () => {
  namespace = testNamespace();
  store = new ListStore(redis, namespace);
  await createList(redis, namespace, 'dnc');
});

const prefixesFlag = () => redis.hget(listKeys(namespace, 'dnc').info, 'prefixes');

// check() skips prefix candidates on a list whose info says prefixes '0' (keys.ts).
describe('import and the prefixes flag', () => {
  it('a file of plain numbers leaves the flag unset', async () => {
    await importText(redis, namespace, 'dnc', '+4930123456\n+4930123457\n');
    expect(await prefixesFlag()).toBe('0');
    expect(await store.check('+4930123456', ['dnc'])).toMatchObject({ kind: 'exact' });
  });

  it('an imported prefix sets the flag and matches', async () => {
    await importText(redis, namespace, 'dnc', '+4930123456\n+1900*\n');
    expect(await prefixesFlag()).toBe('1');
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('a prefix in a file with an expiry per row sets the flag and matches', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await importText(redis, namespace, 'dnc', `number,expires\n+4930123456,${until}\n+1900*,${until}\n`);
    expect(await prefixesFlag()).toBe('1');
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
  });

  it('a replace that brings the first prefix sets the flag of the live list', async () => {
    await importText(redis, namespace, 'dnc', '+4930123456\n');
    await importText(redis, namespace, 'dnc', '+4930123457\n+1900*\n', { replace: true });
    expect(await prefixesFlag()).toBe('1');
    expect(await store.check('+19005550100', ['dnc'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
    expect(await store.check('+4930123456', ['dnc'])).toBeNull();
  });

  it('a dry run writes no flag', async () => {
    await importText(redis, namespace, 'dnc', '+1900*\n', { dryRun: true });
    expect(await prefixesFlag()).toBe('0');
  });
});

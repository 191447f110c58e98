import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denseGenerationKeys, denseGensKey, listKeys } from '../../src/lists/keys.js';
import { importText } from '../import/helpers.js';
import { ListStore } from '../../src/lists/store.js';
import { startRedisCluster, type RunningCluster } from '../helpers/redis-cluster.js';
import { testNamespace } from '../helpers/redis.js';
import { ALICE } from './fixture.js';

describe('check on Redis Cluster', () => {
  let server: RunningCluster;
  let cluster: Cluster;

  /** One node holding every slot: Redis still refuses a script whose keys span slots, as on many nodes. */
  beforeAll(async () => {
    server = await startRedisCluster({ primaries: 1 });
    cluster = new Cluster([{ host: '127.0.0.1', port: server.primaries[0]?.port ?? 0 }]);
  });
  afterAll(async () => {
    await cluster.quit();
    await server.stop();
  });

  it('a store given a Cluster client checks one call a list', () => {
    expect(cluster.isCluster).toBe(true);
    expect(new ListStore(cluster, testNamespace()).checkMode).toBe('per-list');
  });

  it('lists in different slots are checked together, where one call for all is refused', async () => {
    const namespace = testNamespace();
    const store = new ListStore(cluster, namespace);
    for (const name of ['vip', 'dnc']) await store.createList(name, ALICE);
    await store.add('dnc', [{ member: '+4930123456' }], ALICE);
    const slots = await Promise.all(
      ['vip', 'dnc'].map((name) => cluster.call('CLUSTER', 'KEYSLOT', listKeys(namespace, name).info)),
    );
    expect(slots[0]).not.toEqual(slots[1]);

    const results = await store.checkEach('+4930123456', ['vip', 'dnc']);
    expect(results.map((r) => r && [r.list, r.member])).toEqual([null, ['dnc', '+4930123456']]);

    const oneCall = new ListStore(cluster, namespace, Date.now, { checkMode: 'one-call' });
    await expect(oneCall.checkEach('+4930123456', ['vip', 'dnc'])).rejects.toThrow(/CROSSSLOT/);
  });

  it('a dense list works on a cluster: its bitmaps are in its slot, and add, check, cancel, import, replace and scrub run there', async () => {
    const namespace = testNamespace();
    const store = new ListStore(cluster, namespace);
    await store.createList('us', ALICE, { dense: 'nanp' });
    await store.createList('dnc', ALICE);
    await store.add('us', [{ member: '+14155550100' }], ALICE);
    await importText(cluster, namespace, 'us', '2015550100\n2015550101\n', { country: 'US' });
    const replaced = await importText(cluster, namespace, 'us', '2015550100\n2015550102\n4155550100\n', { country: 'US', replace: true, guards: { maxShrinkPercent: 100, maxRejects: { kind: 'percent', percent: 100 }, force: true } });
    expect(replaced).toMatchObject({ status: 'done', listSize: { dense: 3 } });
    const info = listKeys(namespace, 'us');
    const gen = (await cluster.hget(info.info, 'gen')) as string;
    const [infoSlot, blockSlot] = await Promise.all(
      [info.info, denseGenerationKeys(info.dense, gen).block(1201555)].map((key) => cluster.call('CLUSTER', 'KEYSLOT', key)),
    );
    expect(blockSlot).toEqual(infoSlot);
    expect((await store.checkEach('+12015550102', ['dnc', 'us'])).map((r) => r?.member ?? null)).toEqual([null, '+12015550102']);
    expect(await store.checkMany(['+12015550101', '+14155550100'], ['dnc', 'us'])).toEqual([null, { list: 'us', member: '+14155550100' }]);
    // Neighbouring blocks: one MGET of them and the index read by their range, in the list's slot.
    expect(await store.checkMany(['+12015550102', '+12015560102', '+12015550101'], ['dnc', 'us'])).toEqual([{ list: 'us', member: '+12015550102' }, null, null]);
    expect(await store.cancel('us', ['+14155550100'], { by: 'carol', reason: 'consent' })).toMatchObject({ cancelled: ['+14155550100'] });
    expect(await store.check('+14155550100', ['us'])).toBeNull();
  });

  it("lists in different slots are read together by lists() and serve's list watch (sizes), one script call a list", async () => {
    const namespace = testNamespace();
    const store = new ListStore(cluster, namespace);
    for (const name of ['vip', 'dnc']) await store.createList(name, ALICE);
    await store.add('dnc', [{ member: '+4930123456' }, { member: '+1900*' }], ALICE);

    expect((await store.lists()).map(({ name, size }) => [name, size])).toEqual([['dnc', 2], ['vip', 0]]);
    expect((await store.sizes()).map(({ name, entries, lastAudit }) => [name, entries, lastAudit?.action])).toEqual([
      ['dnc', 2, 'add'],
      ['vip', 0, 'create'],
    ]);
  });

  it('a dense list created again over its lost info adopts its bitmaps there, and what is left is refused or removed in its slot', async () => {
    const namespace = testNamespace();
    const store = new ListStore(cluster, namespace);
    await store.createList('us', ALICE, { dense: 'nanp' });
    await store.add('us', [{ member: '+14155550100' }, { member: '+4930123456' }], ALICE);
    const keys = listKeys(namespace, 'us');
    const gen = (await cluster.hget(keys.info, 'gen')) as string;
    // Its record of generations and its audit stream lost too: the bitmaps are found by
    // their keys' names on every primary, by an ordinary create as by a dense one.
    await cluster.del(keys.info, keys.audit, denseGensKey(keys.dense));
    await expect(store.createList('us', ALICE)).rejects.toMatchObject({ code: 'left-behind' });
    expect(await store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 2, adopted: gen });
    expect(await store.check('+14155550100', ['us'])).toMatchObject({ member: '+14155550100' });
    await cluster.del(keys.info);
    expect(await store.leftBehind('us')).toEqual({ exact: 1, timed: 0, generations: [{ gen, plan: 'nanp', blocks: 1, unindexed: 0 }] });
    await store.removeLeftBehind('us', ALICE);
    expect(await store.leftBehind('us')).toEqual({ exact: 0, timed: 0, generations: [] });
    expect(await cluster.exists(denseGenerationKeys(keys.dense, gen).block(1415555))).toBe(0);
  });
});

import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
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
});

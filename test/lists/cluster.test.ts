import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace } from '../helpers/redis.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { ALICE } from './fixture.js';

const ALL_SLOTS = ['0', '16383'];
/** A new master turns its cluster state ok about 2 s after start; ask this often till then. */
const CLUSTER_STATE_POLL_MS = 20;

/**
 * A one-node Redis Cluster: every slot on one server, yet Redis still refuses a script
 * whose keys span slots, as a cluster of many nodes does. The node announces 127.0.0.1,
 * since ioredis skips a node whose address CLUSTER SLOTS leaves empty.
 */
async function startCluster(): Promise<RunningRedis> {
  const server = await startRedisServer(undefined, [
    '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1',
  ]);
  const admin = new Redis(server.url);
  try {
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', ...ALL_SLOTS);
    while (!/cluster_state:ok/.test(String(await admin.call('CLUSTER', 'INFO')))) {
      await new Promise((resolve) => setTimeout(resolve, CLUSTER_STATE_POLL_MS));
    }
  } finally {
    admin.disconnect();
  }
  return server;
}

describe('check on Redis Cluster', () => {
  let server: RunningRedis;
  let cluster: Cluster;
  /**
   * The store is typed for a standalone client; of its methods, these tests claim only
   * createList, add and check on a Cluster client, each of which touches one slot per call.
   */
  let clusterClient: Redis;

  beforeAll(async () => {
    server = await startCluster();
    cluster = new Cluster([{ host: '127.0.0.1', port: server.port }]);
    clusterClient = cluster as unknown as Redis;
  });
  afterAll(async () => {
    await cluster.quit();
    await server.stop();
  });

  it('a store given a Cluster client checks one call a list', () => {
    expect(cluster.isCluster).toBe(true);
    expect(new ListStore(clusterClient, testNamespace()).checkMode).toBe('per-list');
  });

  it('lists in different slots are checked together, where one call for all is refused', async () => {
    const namespace = testNamespace();
    const store = new ListStore(clusterClient, namespace);
    for (const name of ['vip', 'dnc']) await store.createList(name, ALICE);
    await store.add('dnc', [{ member: '+4930123456' }], ALICE);
    const slots = await Promise.all(
      ['vip', 'dnc'].map((name) => cluster.call('CLUSTER', 'KEYSLOT', listKeys(namespace, name).info)),
    );
    expect(slots[0]).not.toEqual(slots[1]);

    const results = await store.checkEach('+4930123456', ['vip', 'dnc']);
    expect(results.map((r) => r && [r.list, r.member])).toEqual([null, ['dnc', '+4930123456']]);

    const oneCall = new ListStore(clusterClient, namespace, Date.now, { checkMode: 'one-call' });
    await expect(oneCall.checkEach('+4930123456', ['vip', 'dnc'])).rejects.toThrow(/CROSSSLOT/);
  });
});

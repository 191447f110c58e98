import { createServer, type Server } from 'node:http';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import type { WebhookEvent } from '../../src/webhooks/events.js';
import { WebhookStore } from '../../src/webhooks/store.js';
import { startWebhookWorker } from '../../src/webhooks/worker.js';
import { appendCallLog } from '../helpers/call-log.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { startRedisCluster, type RunningCluster } from '../helpers/redis-cluster.js';
import { testNamespace } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

/** Starting a redis-server in cluster mode and letting it take its slots takes a few seconds on a busy machine. */
const CLUSTER_START_TIMEOUT_MS = 60_000;
const ALICE = { by: 'alice' };

/** A receiver on a free loopback port that keeps every event it is sent and answers 204. */
async function receiver(): Promise<{ url: string; received: WebhookEvent[]; close: () => Promise<void> }> {
  const received: WebhookEvent[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push(JSON.parse(body) as WebhookEvent);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * One node holding every slot: Redis still refuses a command whose keys span slots, as on
 * many nodes, and the event streams (the call log, each list's audit) are in slots of
 * their own.
 */
describe('webhooks on Redis Cluster', () => {
  let server: RunningCluster;
  let cluster: Cluster;
  const connect = (): Cluster => new Cluster([{ host: '127.0.0.1', port: server.primaries[0]?.port ?? 0 }]);

  beforeAll(async () => {
    server = await startRedisCluster({ primaries: 1 });
    cluster = connect();
  }, CLUSTER_START_TIMEOUT_MS);
  afterAll(async () => {
    await cluster.quit();
    await server.stop();
  });

  it("deliver events of streams in different slots: two lists' audits and the call log", async () => {
    const namespace = testNamespace();
    const lists = new ListStore(cluster, namespace);
    for (const name of ['dnc', 'vip']) await lists.createList(name, ALICE);
    const slots = await Promise.all(['dnc', 'vip'].map((name) => cluster.call('CLUSTER', 'KEYSLOT', listKeys(namespace, name).audit)));
    expect(slots[0]).not.toEqual(slots[1]);
    const hook = await receiver();
    const captured = capturedLogger();
    const worker = startWebhookWorker({
      redis: cluster,
      blocking: connect(),
      namespace,
      log: captured.log,
      settings: { dropAfterMs: 60_000, retryMaxMs: 1_000 },
      onQueued: () => undefined,
      onResult: () => undefined,
    });
    try {
      await new WebhookStore(cluster, namespace).add({ name: 'relay', url: hook.url, events: ['entry.added', 'call.blocked'], createdBy: 'admin' });
      await lists.add('dnc', [{ member: '+4930000001' }], ALICE);
      await lists.add('vip', [{ member: '+4930000002' }], ALICE);
      await appendCallLog(cluster, namespace, {
        time: Date.now(), channel: 'chan-1', direction: 'inbound', raw: '+4930000001', e164: '+4930000001',
        route: 'support', verdict: 'blocked', list: 'dnc', action: 'hangup:21', decisionMs: 0.4,
      });

      await until(() => hook.received.length >= 3, 'three events delivered', { timeoutMs: 20_000, pollMs: 20 });
      expect(hook.received.map((event) => [event.type, event.data.list]).sort()).toEqual([
        ['call.blocked', 'dnc'],
        ['entry.added', 'dnc'],
        ['entry.added', 'vip'],
      ]);
      expect(captured.lines().filter((line) => line.level === 40 || line.level === 50)).toEqual([]);
    } finally {
      await worker.stop();
      await hook.close();
    }
  });
});

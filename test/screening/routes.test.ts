import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { globalKeys } from '../../src/lists/keys.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteError, RouteStore } from '../../src/screening/routes.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

function routeNamed(name: string) {
  const route = newRoute(name);
  route.block = ['dnc', 'spam'];
  route.allow = ['vip'];
  route.region = 'DE';
  route.vipPriority = 10;
  route.actions.blocked = { type: 'hangup', cause: 17 };
  return route;
}

describe('RouteStore', () => {
  it('reads back the route it stored', async () => {
    const store = new RouteStore(redis, testNamespace());
    await store.set(routeNamed('support'));
    expect(await store.get('support')).toEqual({ kind: 'found', route: routeNamed('support') });
  });

  it('a route that was never set is missing', async () => {
    const store = new RouteStore(redis, testNamespace());
    expect(await store.get('nowhere')).toEqual({ kind: 'missing' });
  });

  it('a change is visible to the next read from another store, with no cache in between', async () => {
    const namespace = testNamespace();
    const service = new RouteStore(redis, namespace);
    const cli = new RouteStore(redis, namespace);
    await cli.set(routeNamed('support'));
    expect(await service.getForCall('support', 150)).toMatchObject({ kind: 'found', stale: false });
    const changed = routeNamed('support');
    changed.block = ['spam'];
    await cli.set(changed);
    expect(await service.getForCall('support', 150)).toEqual({ kind: 'found', route: changed, stale: false });
  });

  it('a corrupt stored route is an invalid value with a reason, not an exception', async () => {
    const namespace = testNamespace();
    const store = new RouteStore(redis, namespace);
    await redis.hset(globalKeys(namespace).routes, 'broken', '{"name":"broken",');
    await redis.hset(
      globalKeys(namespace).routes,
      'badaction',
      JSON.stringify({ ...newRoute('badaction'), actions: { ...newRoute('x').actions, blocked: { type: 'hangup', cause: 900 } } }),
    );
    expect(await store.get('broken')).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/not JSON/) });
    expect(await store.get('badaction')).toEqual({ kind: 'invalid', reason: 'actions.blocked: cause 900 is not a Q.850 code' });
  });

  it('a route stored under another name than its own is invalid', async () => {
    const namespace = testNamespace();
    await redis.hset(globalKeys(namespace).routes, 'sales', JSON.stringify(newRoute('support')));
    expect(await new RouteStore(redis, namespace).get('sales')).toMatchObject({ kind: 'invalid' });
  });

  it('lists every route by name and sets corrupt ones apart', async () => {
    const namespace = testNamespace();
    const store = new RouteStore(redis, namespace);
    await store.set(routeNamed('sales'));
    await store.set(routeNamed('billing'));
    await redis.hset(globalKeys(namespace).routes, 'broken', 'not json');
    const listing = await store.list();
    expect(listing.routes.map((route) => route.name)).toEqual(['billing', 'sales']);
    expect(listing.invalid).toEqual([{ name: 'broken', reason: expect.stringMatching(/not JSON/) }]);
  });

  it('remove says whether the route existed, and the route is gone', async () => {
    const store = new RouteStore(redis, testNamespace());
    await store.set(routeNamed('support'));
    expect(await store.remove('support')).toBe(true);
    expect(await store.remove('support')).toBe(false);
    expect(await store.get('support')).toEqual({ kind: 'missing' });
  });

  it('refuses to store an invalid route, and stores nothing', async () => {
    const namespace = testNamespace();
    const store = new RouteStore(redis, namespace);
    const bad = routeNamed('support');
    bad.block = ['Not A List'];
    await expect(store.set(bad)).rejects.toThrow(RouteError);
    expect(await redis.hlen(globalKeys(namespace).routes)).toBe(0);
  });

  it('when Redis stops answering, a call gets the last route this process read, marked stale', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    try {
      const store = new RouteStore(client, 'cg');
      await store.set(routeNamed('support'));
      expect(await store.getForCall('support', 150)).toMatchObject({ kind: 'found', stale: false });
      await server.stop();
      expect(await store.getForCall('support', 150)).toEqual({ kind: 'found', route: routeNamed('support'), stale: true });
      expect(await store.getForCall('never-read', 150)).toEqual({
        kind: 'unavailable',
        reason: 'no answer within 150 ms',
      });
    } finally {
      client.disconnect();
      await server.stop();
    }
  });
});

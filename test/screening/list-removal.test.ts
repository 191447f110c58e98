import { afterAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { ListInUseError, listUses, removeList } from '../../src/screening/list-removal.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

const redis = testRedis();
afterAll(() => redis.quit());

const actor = { by: 'test' };

async function namespaceWithRoute(): Promise<string> {
  const namespace = testNamespace();
  await new ListStore(redis, namespace).createList('dnc', actor);
  const route = newRoute('support');
  route.block = ['dnc'];
  route.allow = ['vip'];
  await new RouteStore(redis, namespace).set(route);
  return namespace;
}

describe('removing a list', () => {
  it('names the routes that use a list, and as what', async () => {
    const namespace = await namespaceWithRoute();
    expect(await listUses(redis, namespace, 'dnc')).toEqual([{ kind: 'route', name: 'support', as: 'block' }]);
    expect(await listUses(redis, namespace, 'vip')).toEqual([{ kind: 'route', name: 'support', as: 'allow' }]);
    expect(await listUses(redis, namespace, 'other')).toEqual([]);
  });

  it('is refused while a route names the list, and keeps it', async () => {
    const namespace = await namespaceWithRoute();
    await expect(removeList(redis, namespace, 'dnc', actor, { force: false })).rejects.toThrow(ListInUseError);
    expect(await new ListStore(redis, namespace).hasList('dnc')).toBe(true);
  });

  it('forced, removes it and returns the uses left pointing at nothing', async () => {
    const namespace = await namespaceWithRoute();
    expect(await removeList(redis, namespace, 'dnc', actor, { force: true })).toEqual([{ kind: 'route', name: 'support', as: 'block' }]);
    expect(await new ListStore(redis, namespace).hasList('dnc')).toBe(false);
  });
});

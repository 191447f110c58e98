import { afterAll, describe, expect, it } from 'vitest';
import { globalKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { RouteStore } from '../../src/screening/routes.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson, namespaceWithLists } from './run-cli.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

interface RouteJson {
  name: string;
  block: string[];
  allow: string[];
  region: string | null;
  withheld: string;
  vipPriority: number | null;
  actions: Record<string, string>;
  updatedBy: string | null;
}

describe('callguard route set', () => {
  it('creates a route with the defaults and the options given, and the service reads it', async () => {
    const namespace = await namespaceWithLists(redis, 'dnc', 'spam', 'vip');
    const run = await callguardJson<{ created: boolean; route: RouteJson }>(
      namespace, 'route', 'set', 'support', '--block', 'dnc,spam', '--allow', 'vip', '--region', 'de',
      '--vip-priority', '10', '--on-blocked', 'hangup:busy', '--by', 'alice',
    );
    expect(run.code).toBe(0);
    expect(run.json.created).toBe(true);
    expect(run.json.route).toMatchObject({
      name: 'support', block: ['dnc', 'spam'], allow: ['vip'], region: 'DE', withheld: 'screen', vipPriority: 10,
      actions: {
        blocked: 'hangup:17', allowed: 'continue:queues,support,1', clear: 'continue:queues,support,1',
        hidden: 'continue:anonymous,s,1', malformed: 'continue:anonymous,s,1', unavailable: 'continue:queues,support,1',
      },
      updatedBy: 'alice',
    });
    const stored = await new RouteStore(redis, namespace).get('support');
    expect(stored).toMatchObject({ kind: 'found', route: { block: ['dnc', 'spam'], actions: { blocked: { type: 'hangup', cause: 17 } } } });
  });

  it('changes only the options given and keeps the rest', async () => {
    const namespace = await namespaceWithLists(redis, 'dnc', 'spam', 'vip');
    await callguard(namespace, 'route', 'set', 'support', '--block', 'dnc,spam', '--allow', 'vip', '--region', 'DE', '--vip-priority', '5');
    const run = await callguardJson<{ created: boolean; route: RouteJson }>(
      namespace, 'route', 'set', 'support', '--on-blocked', 'announce:custom/blocked', '--withheld', 'hidden',
    );
    expect(run.json.created).toBe(false);
    expect(run.json.route).toMatchObject({
      block: ['dnc', 'spam'], allow: ['vip'], region: 'DE', vipPriority: 5, withheld: 'hidden',
      actions: { blocked: 'announce:custom/blocked:21' },
    });
  });

  it('--no-block, --no-allow, --no-region and --no-vip-priority reset those fields', async () => {
    const namespace = await namespaceWithLists(redis, 'dnc', 'vip');
    await callguard(namespace, 'route', 'set', 'support', '--block', 'dnc', '--allow', 'vip', '--region', 'DE', '--vip-priority', '5');
    const run = await callguardJson<{ route: RouteJson }>(
      namespace, 'route', 'set', 'support', '--no-block', '--no-allow', '--no-region', '--no-vip-priority',
    );
    expect(run.json.route).toMatchObject({ block: [], allow: [], region: null, vipPriority: null });
  });

  it('refuses a list that does not exist, and saves nothing', async () => {
    const namespace = await namespaceWithLists(redis, 'dnc');
    const run = await callguard(namespace, 'route', 'set', 'support', '--block', 'dnc,spma');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no list named spma.*--allow-missing-lists; nothing was saved/);
    expect(await redis.hlen(globalKeys(namespace).routes)).toBe(0);
  });

  it('--allow-missing-lists saves the route and warns about the missing list', async () => {
    const namespace = await namespaceWithLists(redis, 'dnc');
    const run = await callguard(namespace, 'route', 'set', 'support', '--block', 'dnc,later', '--allow-missing-lists');
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/warning: list later does not exist/);
    expect(run.out).toMatch(/later \(missing\)/);
    expect(await new RouteStore(redis, namespace).get('support')).toMatchObject({ route: { block: ['dnc', 'later'], allow: [] } });
  });

  it('refuses a list that would both block and allow', async () => {
    const namespace = await namespaceWithLists(redis, 'vip');
    const run = await callguard(namespace, 'route', 'set', 'support', '--block', 'vip', '--allow', 'vip');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/vip would both block and allow/);
    expect(await redis.hlen(globalKeys(namespace).routes)).toBe(0);
  });

  it.each([
    [['--on-blocked', 'drop'], /unknown action "drop"/],
    [['--on-hidden', 'hangup:999'], /outside Q.850/],
    [['--withheld', 'maybe'], /"maybe" is not one of screen, hidden/],
    [['--vip-priority', 'high'], /not a queue priority/],
    [['--region', 'XX'], /unknown region "XX"/],
  ])('refuses %j with a message naming the bad value', async (args, message) => {
    const namespace = testNamespace();
    const run = await callguard(namespace, 'route', 'set', 'support', ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(await redis.hlen(globalKeys(namespace).routes)).toBe(0);
  });

  it('refuses a route name the dialplan could not carry', async () => {
    const run = await callguard(testNamespace(), 'route', 'set', 'Support,2');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/"Support,2" is not a route name/);
  });

  it('replaces a corrupt stored route with the defaults and the options given, with a warning', async () => {
    const namespace = testNamespace();
    await redis.hset(globalKeys(namespace).routes, 'support', '{broken');
    const run = await callguardJson<{ route: RouteJson }>(namespace, 'route', 'set', 'support', '--on-blocked', 'hangup:busy');
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/stored route support was invalid/);
    expect(run.json.route.actions.blocked).toBe('hangup:17');
  });

  it('--help shows the action syntax and examples', async () => {
    const run = await callguard(testNamespace(), 'route', 'set', '--help');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/announce:<sound>\[:<cause>\]/);
    expect(run.out).toMatch(/\$ callguard route set support --block dnc,spam/);
  });
});

describe('callguard route show, list, rm', () => {
  it('show prints every action, with the cause name', async () => {
    const namespace = await namespaceWithLists(redis, 'dnc');
    await callguard(namespace, 'route', 'set', 'support', '--block', 'dnc', '--on-blocked', 'hangup:busy');
    const run = await callguard(namespace, 'route', 'show', 'support');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/on blocked:\s+hangup:17 {2}\(busy\)/);
    expect(run.out).toMatch(/on unavailable:\s+continue:queues,support,1/);
  });

  it('show names a list the route uses that was removed since', async () => {
    const namespace = await namespaceWithLists(redis, 'dnc');
    await callguard(namespace, 'route', 'set', 'support', '--block', 'dnc');
    await new ListStore(redis, namespace).removeList('dnc', { by: 'test' });
    const run = await callguardJson<{ missingLists: string[] }>(namespace, 'route', 'show', 'support');
    expect(run.json.missingLists).toEqual(['dnc']);
  });

  it('show of an unknown route exits 1 and says so', async () => {
    const run = await callguard(testNamespace(), 'route', 'show', 'nowhere');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/no route named nowhere/);
  });

  it('show of a corrupt route exits 1 with the reason', async () => {
    const namespace = testNamespace();
    await redis.hset(globalKeys(namespace).routes, 'support', '{"name":"support"}');
    const run = await callguard(namespace, 'route', 'show', 'support');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/route support is stored but invalid: block/);
  });

  it('list shows every route and the corrupt ones apart', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'route', 'set', 'support');
    await callguard(namespace, 'route', 'set', 'sales', '--on-clear', 'continue:queues,sales,1');
    await redis.hset(globalKeys(namespace).routes, 'broken', 'nope');
    const run = await callguardJson<{ routes: RouteJson[]; invalid: { name: string }[] }>(namespace, 'route', 'list');
    expect(run.json.routes.map((route) => route.name)).toEqual(['sales', 'support']);
    expect(run.json.invalid.map((bad) => bad.name)).toEqual(['broken']);
    const human = await callguard(namespace, 'route', 'list');
    expect(human.out).toMatch(/sales .*continue:queues,sales,1/);
    expect(human.out).toMatch(/broken .*INVALID/);
  });

  it('rm removes the route; a second rm exits 1', async () => {
    const namespace = testNamespace();
    await callguard(namespace, 'route', 'set', 'night');
    expect((await callguard(namespace, 'route', 'rm', 'night')).code).toBe(0);
    expect(await new RouteStore(redis, namespace).get('night')).toEqual({ kind: 'missing' });
    const again = await callguard(namespace, 'route', 'rm', 'night');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/no route named night/);
  });
});

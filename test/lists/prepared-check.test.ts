import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import type { CallCounter, CheckGuard } from '../../src/lists/types.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { ALICE, CHECK_MODES, T0, useStore } from './fixture.js';

/**
 * A store writes its check calls as bytes, each list set's keys prepared once
 * (check-keys.ts): the prepared keys must be those of the lists asked, in their order and
 * namespace, and the calls must still find their scripts on a server that forgot them.
 */

const IN_X = '+4930111';
const IN_Y = '+4930222';
const IN_Z = '+4930333';

describe.each(CHECK_MODES)('checks of varying list sets on one store (%s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('answers each list set with its own lists in its own order, never those of a set checked before', async () => {
    for (const [list, member] of [['x', IN_X], ['y', IN_Y], ['z', IN_Z]] as const) {
      await t.store.createList(list, ALICE);
      await t.store.add(list, [{ member }], ALICE);
    }
    const listed = (e164: string, lists: string[]) => t.store.checkEach(e164, lists).then((results) => results.map((match) => match?.list ?? null));
    expect(await listed(IN_X, ['x', 'y'])).toEqual(['x', null]);
    expect(await listed(IN_X, ['y', 'x'])).toEqual([null, 'x']);
    expect(await listed(IN_Y, ['x', 'y'])).toEqual([null, 'y']);
    expect(await listed(IN_X, ['y'])).toEqual([null]);
    expect(await listed(IN_Z, ['x', 'y', 'z'])).toEqual([null, null, 'z']);
    expect(await listed(IN_Z, ['x', 'y'])).toEqual([null, null]);
    expect(await listed(IN_X, ['z', 'y', 'x'])).toEqual([null, null, 'x']);
  });

  it('prepares keys in the namespace of its own store: the same list names elsewhere are other lists', async () => {
    const other = new ListStore(t.redis, testNamespace(), () => t.now, { checkMode });
    for (const store of [t.store, other]) await store.createList('x', ALICE);
    await t.store.add('x', [{ member: IN_X }], ALICE);
    expect((await t.store.check(IN_X, ['x']))?.list).toBe('x');
    expect(await other.check(IN_X, ['x'])).toBeNull();
    await other.add('x', [{ member: IN_Y }], ALICE);
    expect(await t.store.check(IN_Y, ['x'])).toBeNull();
    expect((await other.check(IN_Y, ['x']))?.member).toBe(IN_Y);
  });
});

describe('checks on a server that forgot its scripts (SCRIPT FLUSH, as after a restart)', () => {
  let server: RunningRedis;
  let redis: Redis;

  beforeAll(async () => {
    // A server of its own: a SCRIPT FLUSH on the shared one would reach other tests' scripts.
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });

  it.each(CHECK_MODES)('every kind of check still answers in %s mode, each after a flush', async (checkMode) => {
    const namespace = testNamespace();
    const store = new ListStore(redis, namespace, () => T0, { checkMode });
    await store.createList('dnc', ALICE);
    await store.createList('blocked', ALICE);
    await store.add('blocked', [{ member: IN_X }], ALICE);
    const counter: CallCounter = { list: 'blocked', scope: 'flush', member: 'call-1', keep: 15, windowsMs: [60_000] };
    const text = '{"lists":["dnc","blocked"]}';
    const guard: CheckGuard = { key: `${namespace}:routes`, field: 'main', text };
    await redis.hset(guard.key, guard.field, text);

    await redis.script('FLUSH');
    expect((await store.checkEach(IN_X, ['dnc', 'blocked'])).map((match) => match?.list ?? null)).toEqual([null, 'blocked']);
    await redis.script('FLUSH');
    const counted = await store.checkCounting(IN_X, ['dnc', 'blocked'], [counter]);
    expect({ lists: counted.results.map((match) => match?.list ?? null), counts: counted.counts }).toEqual({ lists: [null, 'blocked'], counts: [[1]] });
    await redis.script('FLUSH');
    const guarded = await store.checkGuarded(guard, IN_Y, ['dnc', 'blocked'], []);
    expect(guarded).toEqual({ unchanged: true, check: { results: [null, null], counts: [] } });
    // Once sent as EVAL the server has the scripts again: the next check goes by SHA.
    expect((await store.check(IN_X, ['blocked']))?.member).toBe(IN_X);
  });
});

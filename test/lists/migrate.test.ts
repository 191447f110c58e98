import { describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { PREFIX_LENGTHS_READ_LIMIT } from '../../src/lists/keys.js';
import { GatedListStore, migrateAtStart, migratePrefixFields } from '../../src/lists/migrate.js';
import { ListStore } from '../../src/lists/store.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { receivedDuring } from '../helpers/monitor.js';
import { testRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';
import { ALICE, CHECK_MODES, useStore, type StoreFixture } from './fixture.js';

const EVERY_LENGTH = '3,4,5,6,7,8,9,10,11,12,13,14,15,16,17';

/** Lists written by older versions: the info field `prefixes` missing, or an old flag. */
describe.each(CHECK_MODES)('the migration of the prefixes field (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });
  const prefixes = (list: string) => t.redis.hget(listKeys(t.namespace, list).info, 'prefixes');

  it('a list without the field fails its check loudly instead of skipping its prefixes', async () => {
    await t.store.createList('old', ALICE);
    await t.store.add('old', [{ member: '+1900*' }], ALICE);
    await t.redis.hdel(listKeys(t.namespace, 'old').info, 'prefixes');
    await expect(t.store.check('+19005550100', ['old'])).rejects.toThrow(/without its prefixes field/);
    await migratePrefixFields(t.redis, t.namespace);
    expect(await t.store.check('+19005550100', ['old'])).toMatchObject({ member: '+1900*' });
  });

  it('a list with the old flag fails its check and its scrub loudly instead of skipping its prefixes', async () => {
    await t.store.createList('flagged', ALICE);
    await t.store.add('flagged', [{ member: '+1900*' }], ALICE);
    await t.redis.hset(listKeys(t.namespace, 'flagged').info, 'prefixes', '1');
    await expect(t.store.check('+19005550100', ['flagged'])).rejects.toThrow(/without its prefixes field/);
    await expect(t.store.checkMany(['+19005550100'], ['flagged'])).rejects.toThrow(/without its prefixes field/);
    await migratePrefixFields(t.redis, t.namespace);
    expect(await t.store.check('+19005550100', ['flagged'])).toMatchObject({ member: '+1900*' });
  });

  it('lists already in the current format are left as they are, and a second run changes nothing', async () => {
    await t.store.createList('fresh', ALICE);
    await t.store.add('fresh', [{ member: '+4930*' }], ALICE);
    await t.store.createList('old', ALICE);
    await t.redis.hset(listKeys(t.namespace, 'old').info, 'prefixes', '1');
    expect(await migratePrefixFields(t.redis, t.namespace)).toEqual(['old']);
    expect(await prefixes('fresh')).toBe('6');
    expect(await prefixes('old')).toBe('');
    expect(await migratePrefixFields(t.redis, t.namespace)).toEqual([]);
  });

  it(`a list of more than ${PREFIX_LENGTHS_READ_LIMIT} timed members gets every prefix length, and still matches a prefix of any length`, async () => {
    await t.store.createList('big', ALICE);
    const keys = listKeys(t.namespace, 'big');
    const members: (string | number)[] = [];
    for (let i = 0; i <= PREFIX_LENGTHS_READ_LIMIT; i++) members.push(Date.now() + 3_600_000, `+4930${String(i).padStart(7, '0')}`);
    await t.redis.zadd(keys.timed, ...members);
    await t.redis.zadd(keys.timed, 'inf', '+1*', 'inf', '+4930123456789*');
    await t.redis.hdel(keys.info, 'prefixes');
    expect(await migratePrefixFields(t.redis, t.namespace)).toEqual(['big']);
    expect(await prefixes('big')).toBe(EVERY_LENGTH);
    expect(await t.store.check('+15550100', ['big'])).toMatchObject({ member: '+1*' });
    expect(await t.store.check('+49301234567890', ['big'])).toMatchObject({ member: '+4930123456789*' });
  });
});

describe('the migration at a start', () => {
  const t = useStore();

  it('runs once Redis is ready when the connection is not yet', async () => {
    await t.store.createList('old', ALICE);
    await t.redis.hdel(listKeys(t.namespace, 'old').info, 'prefixes');
    const starting = testRedis();
    try {
      expect(starting.status).not.toBe('ready');
      const captured = capturedLogger();
      await migrateAtStart(starting, t.namespace, captured.log);
      await until(async () => (await t.redis.hget(listKeys(t.namespace, 'old').info, 'prefixes')) === '', 'the migration to write the field');
      expect(captured.lines().find((line) => line.msg === 'lists migrated to the current prefixes format')).toMatchObject({ lists: ['old'] });
    } finally {
      await starting.quit();
    }
  });
});

describe('a check during the migration of a start', () => {
  const t = useStore();

  it('waits for it, so a list still in an old format is checked as migrated: no silent miss of a prefix, no failed check', async () => {
    await t.store.createList('flagged', ALICE);
    await t.store.add('flagged', [{ member: '+1900*' }], ALICE);
    await t.redis.hset(listKeys(t.namespace, 'flagged').info, 'prefixes', '1');
    await t.store.createList('unfielded', ALICE);
    await t.store.add('unfielded', [{ member: '+1800*' }], ALICE);
    await t.redis.hdel(listKeys(t.namespace, 'unfielded').info, 'prefixes');
    expect(t.redis.status).toBe('ready');
    const captured = capturedLogger();

    const migration = migrateAtStart(t.redis, t.namespace, captured.log);
    // Sent in the same turn as the migration's first read, so ahead of its script calls:
    // the window a call could meet. Without the gate the old flag fails the check.
    const ungated = t.store.check('+19005550100', ['flagged']).catch((error: unknown) => error);
    const flagged = migration.gate(() => t.store.check('+19005550100', ['flagged']));
    const unfielded = migration.gate(() => t.store.check('+18005550100', ['unfielded']));

    expect(await ungated).toMatchObject({ message: expect.stringMatching(/without its prefixes field/) });
    expect(await flagged).toMatchObject({ list: 'flagged', member: '+1900*' });
    expect(await unfielded).toMatchObject({ list: 'unfielded', member: '+1800*' });
    const messages = captured.lines().map((line) => line.msg);
    expect(messages[0]).toBe('list format migration started: checks wait for it');
    expect(captured.lines().find((line) => line.msg === 'lists migrated to the current prefixes format')).toMatchObject({
      checked: 2, migrated: 2, lists: ['flagged', 'unfielded'],
    });
  });

  it('lets checks straight through once it is done, and says when nothing needed migrating', async () => {
    await t.store.createList('fresh', ALICE);
    const captured = capturedLogger();
    const migration = migrateAtStart(t.redis, t.namespace, captured.log);
    await migration.settled();
    expect(captured.lines().find((line) => line.msg === 'list format migration done: every list in the current format')).toMatchObject({ checked: 1, migrated: 0 });
    const received = await receivedDuring(t.redis, () => migration.gate(() => t.store.check('+4930123456', ['fresh'])));
    expect(received.map((r) => r.command)).toEqual(['evalsha']);
  });
});

/**
 * Runs `work` while the migration of a start runs on a connection of its own (as a
 * scrub's or the dialer's checks do on theirs), held behind a BLPOP: it is running, and
 * cannot end, until `release`.
 */
async function whileMigrating(
  t: StoreFixture,
  work: (migration: ReturnType<typeof migrateAtStart>, release: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const migrating = testRedis();
  const hold = `${t.namespace}:hold`;
  try {
    await migrating.ping();
    const held = migrating.blpop(hold, 0);
    const migration = migrateAtStart(migrating, t.namespace, capturedLogger().log);
    await work(migration, async () => {
      await t.redis.lpush(hold, 'go');
      await held;
    });
    await migration.settled();
  } finally {
    migrating.disconnect();
  }
}

type Method<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];
/** ListStore's public check methods: each runs check-list.lua. A new one fails typecheck here until it is listed (and gated). */
const CHECK_METHODS = {
  check: true,
  checkEach: true,
  checkCounting: true,
  checkGuarded: true,
  checkMany: true,
  checkDigits: true,
} as const satisfies Record<Extract<Method<ListStore>, `check${string}`>, true>;

describe.each(CHECK_MODES)('the gated store serve and api check with, during the migration of a start (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('every check path waits for it, so a list in an old format answers as migrated where the plain store fails', async () => {
    await t.store.createList('flagged', ALICE);
    await t.store.add('flagged', [{ member: '+1900*' }], ALICE);
    await t.redis.hset(listKeys(t.namespace, 'flagged').info, 'prefixes', '1');
    const guardKey = `${t.namespace}:guard`;
    await t.redis.hset(guardKey, 'route', 'text');
    const guard = { key: guardKey, field: 'route', text: 'text' };
    const paths = (store: ListStore): Record<keyof typeof CHECK_METHODS, () => Promise<unknown>> => ({
      check: () => store.check('+19005550100', ['flagged']),
      checkEach: () => store.checkEach('+19005550100', ['flagged']).then(([match]) => match),
      checkCounting: () => store.checkCounting('+19005550100', ['flagged'], []).then(({ results: [match] }) => match),
      checkGuarded: () => store.checkGuarded(guard, '+19005550100', ['flagged'], []).then((reply) => (reply.unchanged ? reply.check.results[0] : reply)),
      checkMany: () => store.checkMany(['+19005550100'], ['flagged']).then(([match]) => match),
      checkDigits: () => store.checkDigits(Float64Array.of(19005550100), ['flagged']).then((found) => ({ list: found.list[0], member: found.members.get(0) })),
    });

    await whileMigrating(t, async (migration, release) => {
      const gated = new GatedListStore(migration, t.redis, t.namespace, () => t.now, { checkMode });
      const settled = new Set<string>();
      const waited = Object.entries(paths(gated)).map(async ([path, read]) => {
        const answer = await read();
        settled.add(path);
        return [path, answer] as const;
      });
      for (const [path, read] of Object.entries(paths(t.store))) {
        const answer = await read().catch((error: unknown) => error);
        expect({ path, answer }).toMatchObject({ path, answer: { message: expect.stringMatching(/without its prefixes field/) } });
      }
      expect([...settled]).toEqual([]);

      await release();
      for (const [path, answer] of await Promise.all(waited)) {
        expect({ path, answer }).toMatchObject({ path, answer: { member: '+1900*' } });
      }
    });
  });
});

describe('the gated store during the migration of a start', () => {
  const t = useStore();

  it("holds a scrub's lists for it (the held check) only once the migration is done", async () => {
    await t.store.createList('plain', ALICE);
    await t.store.add('plain', [{ member: '+19005550100' }], ALICE);
    await whileMigrating(t, async (migration, release) => {
      const gated = new GatedListStore(migration, t.redis, t.namespace, () => t.now);
      let settled = false;
      const [gatedHeld, plainHeld] = [gated.holdLists(['plain'], { rows: 10 }), t.store.holdLists(['plain'], { rows: 10 })];
      const answer = gatedHeld?.check(Float64Array.of(19005550100, 19005550101)).finally(() => {
        settled = true;
      });
      // What the plain store's held check answers at once, the gated one has not yet.
      expect(Array.from((await plainHeld?.check(Float64Array.of(19005550100, 19005550101)))?.list ?? [])).toEqual([1, 0]);
      expect(settled).toBe(false);
      await release();
      expect(Array.from((await answer)?.list ?? [])).toEqual([1, 0]);
      gatedHeld?.release();
      plainHeld?.release();
    });
  });
});

describe('the gated store', () => {
  it("overrides every check method of ListStore, and the scrub's held check: each reads only today's format", () => {
    expect([...Object.keys(CHECK_METHODS), 'holdLists'].filter((name) => !Object.hasOwn(GatedListStore.prototype, name))).toEqual([]);
  });
});

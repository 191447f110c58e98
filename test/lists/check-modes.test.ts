import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { migratePrefixFields } from '../../src/lists/migrate.js';
import { ListStore } from '../../src/lists/store.js';
import { ListError, type Match } from '../../src/lists/types.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { ALICE, MINUTE, T0 } from './fixture.js';

/**
 * The two ways a store checks (one script call for every list on a standalone Redis,
 * one call a list on Redis Cluster) must give the same answers. Random lists, written
 * through the store, are checked by one store of each mode on the same keys.
 */

const NAMES = ['a', 'b', 'c', 'd'];
/** A small number space, so that random entries and random checked numbers meet often. */
const number = fc.string({ unit: fc.constantFrom('1', '2', '3'), minLength: 3, maxLength: 3 }).map((digits) => `+4930${digits}`);
/** A prefix of such a number, from `+4*` to the whole number followed by `*`. */
const prefix = fc
  .tuple(number, fc.integer({ min: 2, max: 8 }))
  .map(([n, length]) => `${n.slice(0, Math.min(length, n.length))}*`);
const entry = fc.record({
  member: fc.oneof(number, prefix),
  /** minutes after T0, or forever */
  expiresIn: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  /** a number that never expires goes straight into the SET, as a bulk import writes it: no metadata */
  bulk: fc.boolean(),
});
const list = fc.record({
  state: fc.oneof(
    { arbitrary: fc.constant('enabled' as const), weight: 4 },
    { arbitrary: fc.constant('disabled' as const), weight: 1 },
    { arbitrary: fc.constant('missing' as const), weight: 1 },
  ),
  entries: fc.array(entry, { maxLength: 8 }),
  cancels: fc.array(fc.oneof(number, prefix), { maxLength: 2 }),
  /** as a list created before the prefixes field existed, then migrated as serve's start does */
  withoutPrefixesFlag: fc.boolean(),
});
const scenario = fc.record({
  lists: fc.tuple(...NAMES.map(() => list)),
  checked: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 6 }),
  /** checked besides every number stored */
  numbers: fc.array(number, { minLength: 1, maxLength: 4 }),
  /** when the checks happen, in minutes after T0: entries expire on the way */
  at: fc.integer({ min: 0, max: 11 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

type Outcome = { results: (Match | null)[]; first: Match | null } | { error: string };

async function outcome(store: ListStore, e164: string, lists: string[]): Promise<Outcome> {
  try {
    const results = await store.checkEach(e164, lists);
    return { results, first: await store.check(e164, lists) };
  } catch (error) {
    if (error instanceof ListError) return { error: `${error.code}: ${error.message}` };
    throw error;
  }
}

async function write(redis: Redis, store: ListStore, namespace: string, s: Scenario): Promise<void> {
  for (const [i, spec] of s.lists.entries()) {
    const name = NAMES[i] ?? '';
    if (spec.state === 'missing') continue;
    await store.createList(name, ALICE);
    const keys = listKeys(namespace, name);
    for (const { member, expiresIn, bulk } of spec.entries) {
      if (bulk && expiresIn === undefined && !member.endsWith('*')) {
        await redis.sadd(keys.exact, member);
      } else {
        await store.add(name, [{ member, ...(expiresIn === undefined ? {} : { expiresAt: T0 + expiresIn * MINUTE }) }], ALICE);
      }
    }
    if (spec.cancels.length > 0) await store.cancel(name, spec.cancels, { by: 'bob', reason: 'consented' });
    if (spec.withoutPrefixesFlag) await redis.hdel(keys.info, 'prefixes');
    if (spec.state === 'disabled') await store.setEnabled(name, false, ALICE);
  }
  await migratePrefixFields(redis, namespace);
}

/** What a check's outcome shows, so the test can prove the random scenarios reached every case. */
function kinds(o: Outcome): string[] {
  if ('error' in o) return [o.error.split(':')[0] ?? ''];
  return o.results.map((r) => (r === null ? 'none' : r.expiresAt === null ? r.kind : `timed ${r.kind}`));
}

describe('one-call and per-list checks agree', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('on random lists of exact, timed, expired, cancelled and prefix entries, disabled and missing lists', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const namespace = testNamespace();
        let now = T0;
        const clock = () => now;
        const oneCall = new ListStore(redis, namespace, clock, { checkMode: 'one-call' });
        const perList = new ListStore(redis, namespace, clock, { checkMode: 'per-list' });
        await write(redis, oneCall, namespace, s);
        now = T0 + s.at * MINUTE;
        const stored = s.lists.flatMap((l) => l.entries.map((e) => e.member).filter((m) => !m.endsWith('*')));
        for (const e164 of new Set([...s.numbers, ...stored])) {
          const expected = await outcome(perList, e164, s.checked);
          expect(await outcome(oneCall, e164, s.checked)).toEqual(expected);
          for (const kind of kinds(expected)) seen.add(kind);
        }
      }),
      { numRuns: 150 },
    );
    expect([...seen].sort()).toEqual(['exact', 'no-such-list', 'none', 'prefix', 'timed exact', 'timed prefix']);
  });
});

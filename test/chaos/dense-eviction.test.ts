import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import/run.js';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import type { ListError } from '../../src/lists/types.js';
import { sourceOf } from '../import/helpers.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

const ACTOR = { by: 'ops', reason: 'registry' };
/** Blocks (area code + exchange) of the list, and numbers in each: ~1250 bytes a block. */
const BLOCKS = 300;
const NUMBERS_A_BLOCK = 20;
/** Filler written after maxmemory is lowered, until Redis has evicted a block: bounded. */
const FILLER_BYTES = 20_000;
const MAX_FILLER_KEYS = 20_000;

/** The number of subscriber `subscriber` in the list's block `b`: exchange 555 + b of area code 201. */
const numberIn = (b: number, subscriber: number): string => `+1${2015550000 + b * 10_000 + subscriber}`;
const blockId = (b: number): string => numberIn(b, 0).slice(1, 8);
const listed = Array.from({ length: BLOCKS }, (_, b) => Array.from({ length: NUMBERS_A_BLOCK }, (_, n) => numberIn(b, n * 7)));

/** A check's answer for a listed number: matched, or the store said it cannot tell. Never "not listed". */
async function answerFor(store: ListStore, number: string): Promise<'listed' | 'entries-lost' | 'no-such-list' | 'NOT LISTED'> {
  try {
    return (await store.check(number, ['us'])) ? 'listed' : 'NOT LISTED';
  } catch (error) {
    return (error as ListError).code as 'entries-lost' | 'no-such-list';
  }
}

/**
 * Issue 14: a dense list's bitmaps lost outside callguard, by a real eviction (maxmemory
 * and allkeys-random) and by a DEL behind its back. A listed number must then read as
 * "entries lost" (or the list as gone), never as "not listed": not by a check, not by a
 * scrub, and not after a write, which must not recreate a lost block (its lost numbers
 * would then read as not listed).
 */
describe('a dense list whose bitmaps Redis evicts', () => {
  let server: RunningRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer(undefined, ['--maxmemory-policy', 'allkeys-random']);
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  async function denseList(namespace: string): Promise<{ store: ListStore; blockKey: (b: number) => string }> {
    const store = new ListStore(redis, namespace);
    await store.createList('us', ACTOR, { dense: 'nanp' });
    const text = listed.flat().map((number) => number.slice(2)).join('\n');
    await importList(redis, namespace, { list: 'us', source: await sourceOf(text), country: 'US', onDuplicate: 'skip', replace: false, dryRun: false, actor: ACTOR });
    const keys = listKeys(namespace, 'us');
    const gen = denseGenerationKeys(keys.dense, (await redis.hget(keys.info, 'gen')) as string);
    return { store, blockKey: (b) => gen.block(blockId(b)) };
  }

  it('after a real eviction no listed number reads as not listed, by check or scrub, and a write into a lost block is refused', async () => {
    const namespace = testNamespace();
    const { store, blockKey } = await denseList(namespace);
    expect((await store.lists())[0]).toMatchObject({ size: BLOCKS * NUMBERS_A_BLOCK, lost: 0 });

    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    await redis.config('SET', 'maxmemory', String(used + 2 * FILLER_BYTES));
    const filler = 'x'.repeat(FILLER_BYTES);
    const evicted = async (): Promise<number[]> => {
      const exists = await Promise.all(listed.map((_, b) => redis.exists(blockKey(b))));
      return exists.flatMap((found, b) => (found ? [] : [b]));
    };
    for (let i = 0; i < MAX_FILLER_KEYS && (await evicted()).length === 0; i += 1) await redis.set(`${namespace}:filler:${i}`, filler);
    await redis.config('SET', 'maxmemory', '0');
    const lost = await evicted();
    expect(lost.length).toBeGreaterThan(0);

    for (const b of lost) {
      for (const number of listed[b] as string[]) expect({ number, answer: await answerFor(store, number) }).toMatchObject({ number, answer: expect.not.stringMatching(/^NOT LISTED$/) });
    }
    const kept = listed.findIndex((_, b) => !lost.includes(b));
    expect(await answerFor(store, (listed[kept] as string[])[0] as string)).toMatch(/^(listed|entries-lost|no-such-list)$/);

    const scrubbed = await store.checkMany(listed.flat(), ['us']).then(
      (answers) => answers.filter((answer) => answer === null).length,
      (error: ListError) => error.code,
    );
    expect(scrubbed).toMatch(/^(entries-lost|no-such-list)$/);

    // A change list adding a number to every block: refused, and no lost block is written anew.
    const additions = listed.map((_, b) => numberIn(b, 9_999).slice(2)).join('\n');
    await expect(
      importList(redis, namespace, { list: 'us', source: await sourceOf(additions), country: 'US', onDuplicate: 'skip', replace: false, dryRun: false, actor: ACTOR }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(entries-lost|no-such-list)$/) });
    await expect(store.add('us', [{ member: (listed[lost[0] as number] as string[])[0] as string }], ACTOR)).rejects.toMatchObject({
      code: expect.stringMatching(/^(entries-lost|no-such-list)$/),
    });
    expect(await evicted()).toEqual(lost);
  });

  it('a block deleted behind its back: checks, scrub, add, cancel and change lists say entries lost until the operator recounts', async () => {
    const namespace = testNamespace();
    const { store, blockKey } = await denseList(namespace);
    await redis.del(blockKey(7));
    const inLost = (listed[7] as string[])[3] as string;
    const elsewhere = (listed[8] as string[])[3] as string;

    await expect(store.check(inLost, ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    await expect(store.checkMany([elsewhere, inLost], ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    await expect(store.add('us', [{ member: inLost }], ACTOR)).rejects.toMatchObject({ code: 'entries-lost' });
    await expect(store.cancel('us', [inLost], { ...ACTOR, reason: 'left the registry' })).rejects.toMatchObject({ code: 'entries-lost' });
    const changes = { list: 'us', country: 'US', onDuplicate: 'skip', replace: false, dryRun: false, actor: ACTOR } as const;
    await expect(importList(redis, namespace, { ...changes, source: await sourceOf(inLost.slice(2)) })).rejects.toMatchObject({ code: 'entries-lost' });
    await expect(importList(redis, namespace, { ...changes, source: await sourceOf(inLost.slice(2)), operation: 'delete' })).rejects.toMatchObject({ code: 'entries-lost' });
    // Nothing recreated the block, so the check still cannot call its numbers clear.
    expect(await redis.exists(blockKey(7))).toBe(0);
    await expect(store.check((listed[7] as string[])[4] as string, ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    expect(await store.check(elsewhere, ['us'])).toMatchObject({ member: elsewhere });

    // The operator accepts what is left: then the lost numbers are not listed, and writes go on.
    expect(await store.recount('us', ACTOR)).toEqual({ before: BLOCKS * NUMBERS_A_BLOCK, after: (BLOCKS - 1) * NUMBERS_A_BLOCK });
    expect(await store.check(inLost, ['us'])).toBeNull();
    expect(await store.add('us', [{ member: inLost }], ACTOR)).toMatchObject({ added: 1 });
    expect(await store.check(inLost, ['us'])).toMatchObject({ member: inLost });
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());
const ACTOR = { by: 'ops', reason: 'registry' };

/** A dense nanp list `us` holding one number in each of `blocks` blocks; the key of block `b`. */
async function denseList(namespace: string, blocks: number): Promise<(b: number) => string> {
  const store = new ListStore(redis, namespace);
  await store.createList('us', ACTOR, { dense: 'nanp' });
  const numbers = Array.from({ length: blocks }, (_, b) => `+1${2015550000 + b * 10_000 + 17}`);
  for (let from = 0; from < numbers.length; from += 500) {
    await store.add('us', numbers.slice(from, from + 500).map((member) => ({ member })), ACTOR);
  }
  const keys = listKeys(namespace, 'us');
  const gen = denseGenerationKeys(keys.dense, (await redis.hget(keys.info, 'gen')) as string);
  return (b: number) => gen.block((numbers[b] as string).slice(1, 8));
}

describe('callguard lists and a dense list whose bitmaps lost a block', () => {
  it('warns of a block deleted behind its back, in its words and as lostBlocks, until the list is recounted', async () => {
    const namespace = testNamespace();
    const blockKey = await denseList(namespace, 3);
    const whole = await callguard(namespace, 'lists');
    expect(whole.out).not.toMatch(/warning/);

    expect(await redis.del(blockKey(1))).toBe(1);
    const warned = await callguard(namespace, 'lists');
    expect(warned.code).toBe(0);
    expect(warned.out).toMatch(
      /^warning: us lost entries outside callguard: 1 block of its bitmaps \(up to 10,000 numbers each\) gone, checks of the numbers in them fail: load it again with callguard import --replace, or accept what is left with callguard list recount us$/m,
    );
    expect(JSON.parse((await callguard(namespace, '--json', 'lists')).out).lists[0]).toMatchObject({ name: 'us', lostBlocks: 1 });

    expect((await callguard(namespace, 'list', 'recount', 'us', '--reason', 'accept what is left')).code).toBe(0);
    expect((await callguard(namespace, 'lists')).out).not.toMatch(/warning/);
  });

  it('a list of more blocks than are looked at finds its lost blocks among the 1,000 it looks at', async () => {
    const namespace = testNamespace();
    const blockKey = await denseList(namespace, 1_200);
    for (let b = 0; b < 1_200; b += 2) await redis.del(blockKey(b));
    const { lists } = JSON.parse((await callguard(namespace, '--json', 'lists')).out) as { lists: { lostBlocks: number }[] };
    // 1,000 blocks in a row of 1,200, every other one gone: 500 of them, wherever the window starts.
    expect(lists[0]?.lostBlocks).toBe(500);
  });
});

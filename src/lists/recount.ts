import type { RedisClient } from '../redis/connect.js';
import { changeMark } from './change-mark.js';
import { countGeneration } from './dense-store.js';
import { denseGenerationKeys, type ListKeys } from './keys.js';
import { noSuchList } from './names.js';
import { ListError, type Actor } from './types.js';

/**
 * Counts of a dense list's bitmaps made before the apply refuses them, the list having
 * changed during each: a list written to that often is counted again a few times, then
 * the operator is told, rather than the recount running on for as long as writes come.
 */
export const RECOUNT_TRIES = 3;

/**
 * Blocks counted gone that one script call takes out of the index (EXISTS, ZREM each):
 * about 7 us a block at load 5, so some 1.5 ms a call. The apply takes the first ones,
 * which are all of them when a list lost a few blocks; after a mass eviction the others
 * follow a page a call (forget-gone-2.lua).
 */
export const GONE_A_CALL = 200;

/** After each page of blocks counted: how many so far, of the blocks the index named when the count began. */
export type RecountProgress = (counted: number, total: number) => void | Promise<void>;

/**
 * `list recount`: takes what the list's keys hold as its size (recount-5.lua). A dense
 * list's bitmaps are counted first, outside the script (countGeneration: a page of
 * blocks a round trip, each command about a millisecond of Redis at most), after noting
 * where the list's changes stood (changeMark); the script then applies the count in one
 * short call, or refuses it when the list changed meanwhile, and the count is made again.
 * Blocks counted gone beyond the apply's GONE_A_CALL leave the index after it, a page a
 * call: until then a number in one still reads "entries lost", never "not listed".
 */
export async function recountList(
  redis: RedisClient,
  keys: ListKeys,
  name: string,
  now: () => number,
  actor: Actor,
  onProgress?: RecountProgress,
): Promise<{ before: number | undefined; after: number }> {
  for (let tries = 0; tries < RECOUNT_TRIES; tries += 1) {
    const mark = await changeMark(redis, keys, name);
    const [dense, gen] = await redis.hmget(keys.info, 'dense', 'gen');
    let count = { gen: '', held: 0, blocks: 0, gone: [] as string[] };
    if (dense && gen) {
      const total = await redis.zcard(denseGenerationKeys(keys.dense, gen).index);
      count = { gen, ...(await countGeneration(redis, keys.dense, gen, onProgress && ((counted) => onProgress(counted, total)))) };
    }
    const reply = await redis.callguardListRecount(
      keys.info, keys.exact, keys.timed, keys.audit, keys.dense, now(), actor.by, actor.reason ?? '',
      count.gen, count.held, count.blocks, mark.auditId, mark.bulkWrites, ...count.gone.slice(0, GONE_A_CALL),
    );
    if (reply === -1) throw noSuchList(name);
    if (reply === -2) continue;
    for (let from = GONE_A_CALL; from < count.gone.length; from += GONE_A_CALL) {
      await redis.callguardListForgetGone(keys.info, keys.dense, count.gen, ...count.gone.slice(from, from + GONE_A_CALL));
    }
    const [before, after] = reply;
    return { before: before === -1 ? undefined : before, after };
  }
  throw new ListError(
    `list ${name} changed while its bitmaps were counted, ${RECOUNT_TRIES} times: nothing was written; run the recount again when fewer writes reach it`,
    'list-changed',
    name,
  );
}

import type { RedisClient } from '../redis/connect.js';
import { listKeys } from './keys.js';
import { assertListName } from './names.js';

/** A pool of caller ids is tens or hundreds of numbers; past this a list is not a pool. */
export const MAX_LIVE_NUMBERS = 10_000;

/**
 * The numbers (no prefixes) a list holds now, sorted: the never-expiring ones and the
 * timed ones not yet expired, at most MAX_LIVE_NUMBERS. Undefined when the list does not
 * exist; empty when it is disabled. One round trip.
 */
export async function liveNumbers(redis: RedisClient, namespace: string, list: string, now: number): Promise<string[] | undefined> {
  assertListName(list);
  const keys = listKeys(namespace, list);
  const [info, exact, timed] = await Promise.all([
    redis.hget(keys.info, 'enabled'),
    redis.srandmember(keys.exact, MAX_LIVE_NUMBERS),
    redis.zrangebyscore(keys.timed, `(${now}`, '+inf', 'LIMIT', 0, MAX_LIVE_NUMBERS),
  ]);
  if (info === null) return undefined;
  if (info !== '1') return [];
  return [...new Set([...exact, ...timed])].filter((member) => !member.endsWith('*')).sort().slice(0, MAX_LIVE_NUMBERS);
}

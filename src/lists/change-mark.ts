import type { RedisClient } from '../redis/connect.js';
import type { StreamEntry } from './audit.js';
import type { ListKeys } from './keys.js';

/** Where a list's changes stood: its last audit event, and its batches written (keys.ts). */
export interface ChangeMark {
  /** '0-0': no audit event yet */
  auditId: string;
  /** the info field `bulkWrites`, '0' without it */
  bulkWrites: string;
}

/**
 * Notes where the list's changes stand, before a replace builds its new list or a
 * recount counts the bitmaps, so that the script writing the result can tell whether
 * the list changed meanwhile (changes_since, changes-since.lua). Read in one MULTI, so
 * no change falls between the two.
 */
export async function changeMark(redis: RedisClient, keys: Pick<ListKeys, 'audit' | 'info'>, list: string): Promise<ChangeMark> {
  const replies = await redis.multi().xrevrange(keys.audit, '+', '-', 'COUNT', 1).hget(keys.info, 'bulkWrites').exec();
  if (!replies) throw new Error(`the change mark of list ${list} was not read (MULTI aborted)`);
  for (const [error] of replies) if (error) throw error;
  const [last] = replies[0]?.[1] as StreamEntry[];
  return { auditId: last?.[0] ?? '0-0', bulkWrites: (replies[1]?.[1] as string | null) ?? '0' };
}

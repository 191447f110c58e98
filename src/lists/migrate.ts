import type { Logger } from '../log.js';
import type { RedisClient } from '../redis/connect.js';
import { globalKeys, listKeys } from './keys.js';
import { defineListScripts } from './scripts.js';

/**
 * The most `timed` members a list's migration reads in its one script: a few ms of
 * Redis. A larger list gets every prefix length instead of reading them all.
 */
export const MIGRATE_READ_LIMIT = 10_000;

/** Every length a prefix member can have (members.ts: '+', 1 to 15 digits, '*'). */
const EVERY_PREFIX_LENGTH = Array.from({ length: 15 }, (_, i) => i + 3).join(',');

/**
 * Brings the info field `prefixes` of every list to today's format (keys.ts), so the
 * check scripts need not read its old forms: no field (lists from before it) and the old
 * flags '1' (any length) and '0' (none). Idempotent and cheap on lists already in it
 * (one script call a list), so serve and api run it at every start. Answers the lists
 * it changed.
 */
export async function migratePrefixFields(redis: RedisClient, namespace: string): Promise<string[]> {
  defineListScripts(redis);
  const names = (await redis.smembers(globalKeys(namespace).lists)).sort();
  const replies = await Promise.all(
    names.map((name) => {
      const keys = listKeys(namespace, name);
      return redis.callguardListMigratePrefixes(keys.info, keys.timed, MIGRATE_READ_LIMIT, EVERY_PREFIX_LENGTH);
    }),
  );
  return names.filter((_, i) => replies[i] === 1);
}

/**
 * migratePrefixFields at a process start, logged: at once when Redis is ready, else as
 * soon as the connection becomes ready (serve's has no offline queue), so its commands
 * go first on it. Never holds the start: a stalled Redis must not. A failed migration
 * runs again at the connection's next ready.
 */
export async function migrateAtStart(redis: RedisClient, namespace: string, log: Logger): Promise<void> {
  const migrate = async (): Promise<void> => {
    try {
      const lists = await migratePrefixFields(redis, namespace);
      if (lists.length > 0) log.info({ lists }, 'lists migrated to the current prefixes format');
    } catch (error) {
      log.error({ err: error }, 'list migration failed: it runs again when Redis reconnects');
      redis.once('ready', () => void migrate());
    }
  };
  if (redis.status === 'ready') return migrate();
  redis.once('ready', () => void migrate());
}

import type { RedisClient } from '../redis/connect.js';
import { metaFields } from './check.js';
import { listKeys } from './keys.js';
import { assertListName, noSuchList } from './names.js';
import type { EntryState } from './types.js';

/** SCAN calls one page may make at most: SCAN's COUNT is a hint, a sparse set can answer few members a call. */
const MAX_SCANS_PER_PAGE = 20;

/** A page of a list's entries and where the next page starts (null: this was the last). */
export interface EntriesPage {
  entries: EntryState[];
  cursor: string | null;
}

/**
 * Where a walk through a list is: in the set of never-expiring numbers (`x`) or in the
 * sorted set of timed entries and prefixes (`t`), at a SCAN cursor of that key.
 */
const CURSOR = /^([xt]):(\d{1,20})$/;

/** Whether `text` is a cursor entriesPage() handed out. */
export function isEntriesCursor(text: string): boolean {
  return CURSOR.test(text);
}

/**
 * About `count` entries of a list, from `cursor` on (SSCAN then ZSCAN, so no call ever
 * reads a whole list, however large): in no particular order, each entry at least once
 * over a whole walk (SCAN's promise), expired timed entries left out. Entries added one
 * by one come with their reason, who and when (one HMGET for the page).
 */
export async function entriesPage(redis: RedisClient, namespace: string, list: string, cursor: string | undefined, count: number, now: number): Promise<EntriesPage> {
  assertListName(list);
  const keys = listKeys(namespace, list);
  if ((await redis.exists(keys.info)) === 0) throw noSuchList(list);
  const parsed = CURSOR.exec(cursor ?? 'x:0');
  if (!parsed) throw new RangeError(`not a cursor of this list: ${JSON.stringify(cursor)}`);
  let where = parsed[1] as 'x' | 't';
  let at = parsed[2] as string;
  const found: { member: string; expiresAt: number | null }[] = [];
  for (let scans = 0; scans < MAX_SCANS_PER_PAGE && found.length < count; scans += 1) {
    if (where === 'x') {
      const [next, members] = await redis.sscan(keys.exact, at, 'COUNT', count);
      for (const member of members) found.push({ member, expiresAt: null });
      at = next;
      if (next === '0') where = 't';
    } else {
      const [next, flat] = await redis.zscan(keys.timed, at, 'COUNT', count);
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const score = flat[i + 1] as string;
        const expiresAt = score === 'inf' ? null : Number(score);
        if (expiresAt === null || expiresAt > now) found.push({ member: flat[i] as string, expiresAt });
      }
      at = next;
      if (next === '0') return { entries: await withMeta(redis, keys.meta, list, found), cursor: null };
    }
  }
  return { entries: await withMeta(redis, keys.meta, list, found), cursor: `${where}:${at}` };
}

async function withMeta(redis: RedisClient, metaKey: string, list: string, found: { member: string; expiresAt: number | null }[]): Promise<EntriesPage['entries']> {
  if (found.length === 0) return [];
  const metas = await redis.hmget(metaKey, ...found.map((entry) => entry.member));
  return found.map((entry, i) => {
    const meta = metas[i];
    return { list, member: entry.member, expiresAt: entry.expiresAt, ...(typeof meta === 'string' ? metaFields(meta) : {}) };
  });
}

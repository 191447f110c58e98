import type { RedisClient } from '../redis/connect.js';
import { newestFirst, parseAuditEntry, type StreamEntry } from './audit.js';
import { listKeys } from './keys.js';
import type { AuditEvent } from './types.js';

/** Audit entries read per XREVRANGE and list while filtering. */
const AUDIT_PAGE = 500;
/**
 * Entries one query reads at most over all its lists: a filter on a person who changed
 * little, over lists with millions of per-number events, stops here and says so (`more`).
 */
const MAX_SCANNED = 200_000;

export interface AuditQuery {
  /** the person (token or CLI user) who made the change */
  by?: string;
  /** only events older than this stream id (the `id` of the last event of a page) */
  before?: string;
  limit: number;
}

export interface AuditPage {
  /** newest first, at most `limit` */
  events: AuditEvent[];
  /** older events may match: ask again with `before` the last id */
  more: boolean;
}

/**
 * Who changed what on `lists`, newest first across them: each list's audit stream read
 * back page by page (only as far as the newest `limit` matches need), merged by time.
 */
export async function readAudit(redis: RedisClient, namespace: string, lists: readonly string[], query: AuditQuery): Promise<AuditPage> {
  let scanned = 0;
  let more = false;
  const perList = await Promise.all(
    lists.map(async (list) => {
      const key = listKeys(namespace, list).audit;
      const found: AuditEvent[] = [];
      let end = query.before === undefined ? '+' : `(${query.before}`;
      for (;;) {
        const page = (await redis.xrevrange(key, end, '-', 'COUNT', AUDIT_PAGE)) as StreamEntry[];
        scanned += page.length;
        for (const entry of page) {
          const event = parseAuditEntry(list, entry);
          if (query.by === undefined || event.by === query.by) found.push(event);
        }
        const last = page.at(-1);
        if (page.length < AUDIT_PAGE || !last) return found;
        if (found.length >= query.limit || scanned >= MAX_SCANNED) {
          more = true;
          return found;
        }
        end = `(${last[0]}`;
      }
    }),
  );
  const events = perList.flat().sort(newestFirst);
  return { events: events.slice(0, query.limit), more: more || events.length > query.limit };
}

import type { RedisClient } from '../redis/connect.js';
import { parseAuditEntry, type StreamEntry } from './audit.js';
import { listKeys } from './keys.js';
import type { AuditEvent, EntryState } from './types.js';

/** Audit entries read per XREVRANGE while walking back to the last replace. */
const AUDIT_PAGE = 1000;

/** The imports that can have brought one bulk-loaded entry into its list. */
export interface Provenance {
  /** import and replace events, newest first; empty when the audit holds none that fits */
  imports: AuditEvent[];
  /** exactly one import fits: the entry came with it */
  certain: boolean;
}

/**
 * Which import brought an entry that has no record of its own (bulk entries keep none:
 * memory, see DESIGN.md), read from the list's audit stream. The entry is in the list,
 * so it came with the last replace (which set the whole list) or with an import after
 * it; walking back stops there, at the list's creation, or at the entry's own last
 * cancel or expiry (it came back after that). Ruled out are imports that cannot have
 * left the entry as it is: one with another expiry than the entry's, one that added
 * nothing new and overrode nothing. What remains may be several imports, and the audit
 * cannot tell between them: `certain` says so.
 */
export async function bulkProvenance(
  redis: RedisClient,
  namespace: string,
  entry: Pick<EntryState, 'list' | 'member' | 'expiresAt'>,
  /** when the entry last left the list (its cancel or expiry event), if it ever did */
  leftAt?: number,
): Promise<Provenance> {
  const audit = listKeys(namespace, entry.list).audit;
  const imports: AuditEvent[] = [];
  let end = '+';
  for (;;) {
    const page = (await redis.xrevrange(audit, end, '-', 'COUNT', AUDIT_PAGE)) as StreamEntry[];
    for (const raw of page) {
      const event = parseAuditEntry(entry.list, raw);
      if (event.action === 'create' || (leftAt !== undefined && event.at <= leftAt)) return decided(imports);
      if ((event.action === 'import' || event.action === 'replace') && couldHaveLeft(event, entry.expiresAt)) imports.push(event);
      if (event.action === 'replace') return decided(imports);
    }
    const last = page.at(-1);
    if (page.length < AUDIT_PAGE || !last) return decided(imports);
    end = `(${last[0]}`;
  }
}

function decided(imports: AuditEvent[]): Provenance {
  return { imports, certain: imports.length === 1 };
}

/** Whether an import's own details allow it to have left the entry with this expiry. */
function couldHaveLeft(event: AuditEvent, expiresAt: number | null): boolean {
  const details = event.details ?? {};
  if (details.imported === '0' && details.onDuplicate !== 'override') return false;
  const expires = details.expires;
  if (expires === undefined || expires === 'per row') return true;
  if (expires === 'never') return expiresAt === null;
  return expiresAt !== null && Date.parse(expires) === expiresAt;
}

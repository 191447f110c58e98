import type { Provenance } from './provenance.js';
import type { ListSource } from './source-date.js';
import type { ListStore } from './store.js';
import type { AuditEvent, Cancellation, EntryMember, EntryState, Match } from './types.js';

/** Everything about one number or prefix, as `show` prints it. */
export interface NumberReport {
  /** every list holding it (for a number, also through a prefix on enabled lists), by list name */
  holding: EntryState[];
  /** whether each list is enabled, by name */
  enabled: Map<string, boolean>;
  /** the file and data date of each list's data, its oldest part's, by name (lists never imported have none) */
  sources: Map<string, ListSource>;
  cancelled: Cancellation[];
  /** newest first */
  history: AuditEvent[];
  /** for each of `holding`, by position: the import(s) that brought a bulk entry; null for an entry with a record of its own */
  loadedBy: (Provenance | null)[];
}

/** What `show` shows: the lists holding `member`, its cancellations, its audit history, and which import brought a bulk entry. */
export async function describeNumber(store: ListStore, member: EntryMember, kind: 'exact' | 'prefix', historyLimit: number): Promise<NumberReport> {
  const lists = await store.lists();
  const enabled = new Map(lists.map((list) => [list.name, list.enabled]));
  const sources = new Map(lists.flatMap((list) => (list.source ? [[list.name, list.source] as const] : [])));
  const { listed, cancelled } = await store.entries(member);
  const viaPrefix =
    kind === 'exact'
      ? (await store.checkEach(member, lists.filter((list) => list.enabled).map((list) => list.name))).filter(
          (match): match is Match => match !== null && match.kind === 'prefix',
        )
      : [];
  const holding: EntryState[] = [...listed, ...viaPrefix].sort((a, b) => a.list.localeCompare(b.list));
  const history = await store.history(member, historyLimit);
  const loadedBy = await Promise.all(
    holding.map((entry) => (isBulk(entry) ? store.provenance(entry, leftAt(history, entry)) : Promise.resolve(null))),
  );
  return { holding, enabled, sources, cancelled, history, loadedBy };
}

/** An entry without a record of its own: an import loaded it. */
function isBulk(entry: EntryState): boolean {
  return entry.by === undefined && entry.addedAt === undefined;
}

/** When the entry last left its list (cancelled or expired), from the member's own history. */
function leftAt(history: AuditEvent[], entry: EntryState): number | undefined {
  return history.find(
    (event) => event.list === entry.list && event.member === entry.member && (event.action === 'cancel' || event.action === 'expire'),
  )?.at;
}

import type { ListStore } from './store.js';
import type { AuditEvent, Cancellation, EntryMember, EntryState, Match } from './types.js';

/** Everything about one number or prefix, as `show` prints it. */
export interface NumberReport {
  /** every list holding it (for a number, also through a prefix on enabled lists), by list name */
  holding: EntryState[];
  /** whether each list is enabled, by name */
  enabled: Map<string, boolean>;
  cancelled: Cancellation[];
  /** newest first */
  history: AuditEvent[];
}

/** What `show` shows: the lists holding `member`, its cancellations, its audit history. */
export async function describeNumber(store: ListStore, member: EntryMember, kind: 'exact' | 'prefix', historyLimit: number): Promise<NumberReport> {
  const lists = await store.lists();
  const enabled = new Map(lists.map((list) => [list.name, list.enabled]));
  const { listed, cancelled } = await store.entries(member);
  const viaPrefix =
    kind === 'exact'
      ? (await store.checkEach(member, lists.filter((list) => list.enabled).map((list) => list.name))).filter(
          (match): match is Match => match !== null && match.kind === 'prefix',
        )
      : [];
  const holding: EntryState[] = [...listed, ...viaPrefix].sort((a, b) => a.list.localeCompare(b.list));
  const history = await store.history(member, historyLimit);
  return { holding, enabled, cancelled, history };
}

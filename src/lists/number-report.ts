import type { Provenance } from './provenance.js';
import { partSourceOf, type ListSource, type PartSource } from './source-date.js';
import type { ListStore } from './store.js';
import { ListError, type AuditEvent, type Cancellation, type EntryMember, type EntryState, type ListInfo, type Match } from './types.js';

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
  /**
   * for each of `holding`, by position: the date of the part of its list the entry is in
   * (its area code, `other`; `all` of a list dated before dates per part), which may be
   * newer than the list's own (`sources`, the oldest part's); null where no import dated it
   */
  partSources: (PartSource | null)[];
  /**
   * lists that lost entries outside callguard and answered "entries lost" for it, by name:
   * whether they hold it cannot be told (never read as "not on it")
   */
  cannotTell: string[];
}

/** What `show` shows: the lists holding `member`, its cancellations, its audit history, and which import brought a bulk entry. */
export async function describeNumber(store: ListStore, member: EntryMember, kind: 'exact' | 'prefix', historyLimit: number): Promise<NumberReport> {
  const lists = await store.lists();
  const enabled = new Map(lists.map((list) => [list.name, list.enabled]));
  const sources = new Map(lists.flatMap((list) => (list.source ? [[list.name, list.source] as const] : [])));
  const { listed, cancelled } = await store.entries(member);
  const damaged = lists.filter(lostSomething);
  const whole = lists.filter((list) => list.enabled && !lostSomething(list)).map((list) => list.name);
  const viaPrefix = kind === 'exact' ? (await store.checkEach(member, whole)).filter(isPrefixMatch) : [];
  // A list that lost entries is asked on its own: one that cannot answer fails this number's report only there, not on every list.
  const asked = await Promise.all(damaged.map((list) => (kind === 'exact' && list.enabled ? checkOrCannotTell(store, member, list.name) : Promise.resolve(CANNOT_TELL))));
  const held = new Set(listed.map((entry) => entry.list));
  const cannotTell = damaged.filter((list, i) => asked[i] === CANNOT_TELL && !held.has(list.name)).map((list) => list.name);
  const damagedViaPrefix = asked.filter((answer): answer is Match => answer !== CANNOT_TELL && answer !== null && isPrefixMatch(answer));
  const holding: EntryState[] = [...listed, ...viaPrefix, ...damagedViaPrefix].sort((a, b) => a.list.localeCompare(b.list));
  const history = await store.history(member, historyLimit);
  const [loadedBy, partsDates] = await Promise.all([
    Promise.all(holding.map((entry) => (isBulk(entry) ? store.provenance(entry, leftAt(history, entry)) : Promise.resolve(null)))),
    store.partsDates([...new Set(holding.map((entry) => entry.list).filter((list) => sources.has(list)))]),
  ]);
  for (const [list, { source }] of partsDates) {
    if (source) sources.set(list, source);
    else sources.delete(list);
  }
  // The entry's own member, not the number asked: a prefix is dated in the part its import dated it in.
  const partSources = holding.map((entry) => partSourceOf(partsDates.get(entry.list)?.parts ?? [], entry.member) ?? null);
  return { holding, enabled, sources, cancelled, history, loadedBy, partSources, cannotTell };
}

/**
 * The report as one who sees only the lists `visible` accepts may read it: an entry's
 * import and part date leave with it, so none is read beside another list's entry.
 */
export function reportOnLists(report: NumberReport, visible: (list: string) => boolean): NumberReport {
  const kept = report.holding.flatMap((entry, i) => (visible(entry.list) ? [i] : []));
  const at = <T>(values: T[]): T[] => kept.map((i) => values[i] as T);
  return {
    ...report,
    holding: at(report.holding),
    loadedBy: at(report.loadedBy),
    partSources: at(report.partSources),
    cancelled: report.cancelled.filter((c) => visible(c.list)),
    history: report.history.filter((event) => visible(event.list)),
    cannotTell: report.cannotTell.filter(visible),
  };
}

const CANNOT_TELL = Symbol('cannot tell');

const lostSomething = (list: ListInfo) => list.lost > 0 || list.lostBlocks > 0;
const isPrefixMatch = (match: Match | null): match is Match => match !== null && match.kind === 'prefix';

/** A check of one list that lost entries: its match or none, or CANNOT_TELL where its keys no longer can say. */
async function checkOrCannotTell(store: ListStore, member: string, list: string): Promise<Match | null | typeof CANNOT_TELL> {
  try {
    const [match] = await store.checkEach(member, [list]);
    return match ?? null;
  } catch (error) {
    if (error instanceof ListError && error.code === 'entries-lost') return CANNOT_TELL;
    throw error;
  }
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

/**
 * Where a list's data came from and how old it is: the law says how fresh a national
 * do-not-call copy must be (the US: scrubbed against a copy at most 31 days old). Every
 * import that writes records its file and the date of its data in the list's info
 * (keys.ts); a list only ever added to by hand has none, and no age.
 */
export interface ListSource {
  /** the file (or `stdin`) of the last import */
  name: string;
  /** ms since epoch: the date of the data, not of the import */
  dataDate: number;
  /** where that date came from: `--source-date`, the file's own date, or the import's time */
  from: 'flag' | 'file' | 'import';
}

const FROM = new Set<ListSource['from']>(['flag', 'file', 'import']);

/** The source a list's info hash records, if any. */
export function listSourceOf(info: Record<string, string | undefined>): ListSource | undefined {
  const date = Number(info.sourceDate);
  if (info.sourceDate === undefined || !Number.isFinite(date)) return undefined;
  const from = FROM.has(info.sourceFrom as ListSource['from']) ? (info.sourceFrom as ListSource['from']) : 'import';
  return { name: info.source ?? '', dataDate: date, from };
}

/** The info fields that record a source. */
export function sourceFields(source: ListSource): string[] {
  return ['sourceDate', String(source.dataDate), 'source', source.name, 'sourceFrom', source.from];
}

/** A list's age at `now`, in ms; undefined for a list without a source. */
export function listAgeMs(source: ListSource | undefined, now: number): number | undefined {
  return source === undefined ? undefined : Math.max(0, now - source.dataDate);
}

/** The lists of `names` whose data is older than `maxAgeMs` (lists without a source are never stale). */
export function staleLists(
  sources: ReadonlyMap<string, ListSource | undefined>,
  names: readonly string[],
  maxAgeMs: number,
  now: number,
): { list: string; ageMs: number }[] {
  const stale: { list: string; ageMs: number }[] = [];
  for (const list of names) {
    const ageMs = listAgeMs(sources.get(list), now);
    if (ageMs !== undefined && ageMs > maxAgeMs) stale.push({ list, ageMs });
  }
  return stale;
}

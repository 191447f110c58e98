/**
 * Where a list's data came from and how old it is: the law says how fresh a national
 * do-not-call copy must be (the US: scrubbed against a copy at most 31 days old), and it
 * counts per number. Ops load the US registry whole or one area code's file at a time,
 * so a list keeps the date of each part it was loaded in (a NANP number's area code;
 * every other number one part, `other`), and its date is the oldest of them: an area
 * code's file loaded today does not make the rest of a 40-day-old registry read fresh.
 * The dates are kept in the list's info (keys.ts), with the oldest precomputed by the
 * script that records an import's (date-parts-1.lua), so a campaign's check reads one
 * HMGET; a list only ever added to by hand has none, and no age.
 */
export interface ListSource {
  /** the file (or `stdin`) the oldest part's data came from */
  name: string;
  /** ms since epoch: the date of the data, not of the import; the oldest part's */
  dataDate: number;
  /** where that date came from: `--source-date`, the file's own date, or the import's time */
  from: 'flag' | 'file' | 'import';
  /**
   * the part whose data is of that date, when other parts of the list are newer (an
   * area code `415`, `other`, or `all`: a list dated before dates per part), and how
   * many parts share that date; undefined when every part is of that date
   */
  oldest?: { part: string; parts: number };
}

const FROM = new Set<ListSource['from']>(['flag', 'file', 'import']);

/** The part of every number outside the NANP (and of prefixes too short to name an area code). */
export const OTHER_PART = 'other';
/** The part a list dated before dates per part has: its whole data, refreshed only by a replace. */
export const WHOLE_LIST_PART = 'all';

/** The info fields the oldest date is kept in (date-parts-1.lua writes them, a campaign's check reads them). */
export const SOURCE_FIELDS = ['sourceDate', 'source', 'sourceFrom', 'sourcePart', 'sourcePartsOfDate'] as const;

/** The source a list's info hash records, if any. */
export function listSourceOf(info: Partial<Record<string, string | undefined>>): ListSource | undefined {
  const date = Number(info.sourceDate);
  if (info.sourceDate === undefined || !Number.isFinite(date)) return undefined;
  const from = FROM.has(info.sourceFrom as ListSource['from']) ? (info.sourceFrom as ListSource['from']) : 'import';
  const part = info.sourcePart;
  return {
    name: info.source ?? '',
    dataDate: date,
    from,
    ...(part === undefined || part === '' ? {} : { oldest: { part, parts: Math.max(1, Number(info.sourcePartsOfDate) || 1) } }),
  };
}

/** The source of an HMGET of SOURCE_FIELDS. */
export function listSourceOfFields(values: readonly (string | null)[]): ListSource | undefined {
  return listSourceOf(Object.fromEntries(SOURCE_FIELDS.map((field, i) => [field, values[i] ?? undefined])));
}

/** The oldest part in words: `area code 415`, `area code 201 and 3 more`, `numbers outside +1`. */
export function describeOldestPart(oldest: NonNullable<ListSource['oldest']>): string {
  return `${describePart(oldest.part)}${oldest.parts > 1 ? ` and ${oldest.parts - 1} more` : ''}`;
}

/** A part in words: `area code 415`, `numbers outside +1`. */
export function describePart(part: string): string {
  if (part === OTHER_PART) return 'numbers outside +1';
  if (part === WHOLE_LIST_PART) return 'the list as dated before dates per area code';
  return `area code ${part}`;
}

/** Area codes a part can name: the 3 digits after +1. */
const AREA_CODES = 1000;
const PLUS = 0x2b;
const ONE = 0x31;
const ZERO = 0x30;

/**
 * The parts an import's numbers are in, collected as they are written: a flag an area
 * code, so however many numbers a file holds, what is kept does not grow.
 */
export class DataParts {
  private readonly areaCodes = new Uint8Array(AREA_CODES);
  private other = false;

  /** An E.164 number or prefix member (`+14155550100`, `+1415*`). */
  addMember(member: string): void {
    const code = areaCodeOf(member);
    if (code >= 0) this.areaCodes[code] = 1;
    else this.other = true;
  }

  /** A NANP block id (dense.ts: 1, the area code and the exchange, `1415555`). */
  addNanpBlock(block: number): void {
    this.areaCodes[Math.floor(block / 1000) % AREA_CODES] = 1;
  }

  /** The parts seen, area codes in order, then `other`. */
  names(): string[] {
    const names: string[] = [];
    for (let code = 0; code < AREA_CODES; code += 1) if (this.areaCodes[code] === 1) names.push(String(code).padStart(3, '0'));
    if (this.other) names.push(OTHER_PART);
    return names;
  }
}

/** The area code of a +1 number or prefix member, or -1 for a member of the part `other`. */
function areaCodeOf(member: string): number {
  return member.charCodeAt(0) === PLUS && member.charCodeAt(1) === ONE ? digitsAt(member, 2) : -1;
}

/** The part a number or prefix member is dated in, as an import dates it (DataParts): its area code, or `other`. */
export function partOf(member: string): string {
  const code = areaCodeOf(member);
  return code >= 0 ? String(code).padStart(3, '0') : OTHER_PART;
}

/** The date one import gave the parts it covered and no later one covered again: an entry of the info field sourceParts. */
export interface PartsDate {
  /** the file (or `stdin`) */
  name: string;
  /** ms since epoch: the date of the data */
  dataDate: number;
  from: ListSource['from'];
  parts: string[];
}

/** The date of one part of a list's data. */
export interface PartSource {
  /** the part dated: the member's area code or `other`, or `all` (a list dated before dates per part) when no import dated that part since */
  part: string;
  name: string;
  dataDate: number;
  from: ListSource['from'];
}

/**
 * The dates of a list's parts, from its info's sourceParts (date-parts-1.lua's JSON:
 * [date, from, file, parts] an entry), or, for a list dated before dates per part, its
 * date as the part `all`; empty for a list never dated. Throws on a sourceParts that is
 * not that JSON: a date made up for a number would be worse than no answer.
 */
export function partsDatesOf(info: Partial<Record<string, string | undefined>>): PartsDate[] {
  if (info.sourceParts === undefined) {
    const whole = listSourceOf(info);
    return whole ? [{ name: whole.name, dataDate: whole.dataDate, from: whole.from, parts: [WHOLE_LIST_PART] }] : [];
  }
  const entries: unknown = JSON.parse(info.sourceParts);
  if (!Array.isArray(entries)) throw new Error(`sourceParts is not a list of dates: ${info.sourceParts.slice(0, 80)}`);
  return entries.map((entry: unknown): PartsDate => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'number' || !Array.isArray(entry[3])) throw new Error(`sourceParts holds an entry that is no date: ${JSON.stringify(entry).slice(0, 80)}`);
    const [dataDate, from, name, parts] = entry as [number, unknown, unknown, unknown[]];
    return { name: String(name), dataDate, from: FROM.has(from as ListSource['from']) ? (from as ListSource['from']) : 'import', parts: parts.map(String) };
  });
}

/**
 * The date of the part `member` is in: its own part's when an import dated it, else the
 * date of `all` a list dated before dates per part keeps for every part no file has
 * dated since; undefined when neither (an entry added by hand where no import went).
 */
export function partSourceOf(dates: readonly PartsDate[], member: string): PartSource | undefined {
  const own = partOf(member);
  for (const part of [own, WHOLE_LIST_PART]) {
    const dated = dates.find((entry) => entry.parts.includes(part));
    if (dated) return { part, name: dated.name, dataDate: dated.dataDate, from: dated.from };
  }
  return undefined;
}

/** The 3-digit number at `from`, or -1 when there are not 3 digits there. */
function digitsAt(text: string, from: number): number {
  let value = 0;
  for (let i = from; i < from + 3; i += 1) {
    const digit = text.charCodeAt(i) - ZERO;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** A list's (or a part's) age at `now`, in ms; undefined for a list without a source. */
export function listAgeMs(source: Pick<ListSource, 'dataDate'> | undefined, now: number): number | undefined {
  return source === undefined ? undefined : Math.max(0, now - source.dataDate);
}

/** A list too old for a campaign: its age, its oldest part's, and that part when others are newer. */
export interface StaleList {
  list: string;
  ageMs: number;
  oldest?: ListSource['oldest'];
}

/** The lists of `names` whose data is older than `maxAgeMs` (lists without a source are never stale). */
export function staleLists(
  sources: ReadonlyMap<string, ListSource | undefined>,
  names: readonly string[],
  maxAgeMs: number,
  now: number,
): StaleList[] {
  const stale: StaleList[] = [];
  for (const list of names) {
    const source = sources.get(list);
    const ageMs = listAgeMs(source, now);
    if (ageMs !== undefined && ageMs > maxAgeMs) stale.push({ list, ageMs, ...(source?.oldest ? { oldest: source.oldest } : {}) });
  }
  return stale;
}

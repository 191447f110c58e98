import { TIME_ZONE_TABLE } from './time-zone-table.js';

/** Where a number rings, as far as its digits tell. */
export interface NumberPlace {
  /** the IANA zones it may ring in: a window must be open in all of them */
  zones: string[];
  /**
   * the US state or Canadian province of a NANP area code (`FL`); `*` for a NANP number
   * outside any region (toll-free...), to which every state rule applies; absent when none
   * is known
   */
  region?: string;
  /** the table line's prefix that matched (digits, no plus) */
  prefix: string;
}

/** The longest prefix in the table: +1 and an area code. */
const LONGEST_PREFIX = 4;

let table: ReadonlyMap<string, NumberPlace> | undefined;

function parsedTable(): ReadonlyMap<string, NumberPlace> {
  if (table) return table;
  const lines = new Map<string, NumberPlace>();
  for (const line of TIME_ZONE_TABLE.split('\n')) {
    const [prefix, region, zones] = line.trim().split(' ');
    if (prefix === undefined || prefix === '' || region === undefined || zones === undefined) continue;
    lines.set(prefix, { prefix, zones: zones.split('&'), ...(region === '-' ? {} : { region }) });
  }
  table = lines;
  return lines;
}

/** The table's line for an E.164 number (`+12125550100`), or undefined when no line covers it. */
export function placeOfNumber(e164: string): NumberPlace | undefined {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  const lines = parsedTable();
  for (let length = Math.min(LONGEST_PREFIX, digits.length); length >= 1; length--) {
    const place = lines.get(digits.slice(0, length));
    if (place) return place;
  }
  return undefined;
}

const knownZones = new Map<string, boolean>();

/** Whether the runtime knows `zone` as an IANA time zone (`America/New_York`). */
export function isTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone);
    } catch {
      // Intl throws a RangeError for a zone it does not know: that is the answer.
      known = false;
    }
    knownZones.set(zone, known);
  }
  return known;
}

/** Every line of the table, for its tests. */
export function timeZoneTableLines(): NumberPlace[] {
  return [...parsedTable().values()];
}

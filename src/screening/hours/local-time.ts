/**
 * Wall-clock time in a time zone, from the runtime's IANA data (Intl): what a calling-hours
 * window is written in. One formatter per zone, made once: building one costs far more
 * than using it.
 */

/** A day and minute on the wall clock of some zone. */
export interface LocalTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
  /** minutes since local midnight, 0-1439 */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(at: number, zone: string): WallClock {
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterOf(zone).formatToParts(at)) {
    if (part.type in clock) clock[part.type as keyof WallClock] = Number(part.value);
  }
  return clock;
}

/** The local day and minute of `at` (ms since epoch) in `zone`. */
export function localTime(at: number, zone: string): LocalTime {
  const clock = wallClock(at, zone);
  return {
    year: clock.year,
    month: clock.month,
    day: clock.day,
    weekday: new Date(Date.UTC(clock.year, clock.month - 1, clock.day)).getUTCDay(),
    minutes: clock.hour * 60 + clock.minute,
  };
}

/** How far `zone`'s wall clock is ahead of UTC at `at`, in ms. */
function offsetAt(at: number, zone: string): number {
  const clock = wallClock(at, zone);
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The instant when `zone`'s wall clock shows `minutes` after midnight of the given day.
 * A wall time that a DST change skips comes out one offset later, a repeated one at its
 * first occurrence; windows start at such hours rarely.
 */
export function instantOf(zone: string, year: number, month: number, day: number, minutes: number): number {
  const asUtc = Date.UTC(year, month - 1, day, 0, minutes);
  const guess = asUtc - offsetAt(asUtc, zone);
  return asUtc - offsetAt(guess, zone);
}

/** The calendar day `days` after the given one (any number, negative too). */
export function addDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number; weekday: number } {
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), weekday: date.getUTCDay() };
}

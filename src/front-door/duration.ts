import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';
import { isoTime } from './format.js';

/** A span written on the command line (`--for 30d`); years are calendar years. */
export interface Duration {
  amount: number;
  unit: 's' | 'm' | 'h' | 'd' | 'w' | 'y';
  text: string;
}

const UNIT_MS: Record<Exclude<Duration['unit'], 'y'>, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_PATTERN = /^(\d+)([smhdwy])$/;
const BARE_NUMBER = /^\d+$/;

/**
 * The longest duration accepted. Past it an expiry is "forever" and a report window is
 * "everything", which are written by leaving the option out; and JavaScript dates end
 * in the year 275760, so a longer --for would come out as no time at all.
 */
export const MAX_DURATION_YEARS = 100;
const MAX_DURATION_MS = MAX_DURATION_YEARS * 365.25 * 86_400_000;

/** An ISO 8601 date, or date and time (seconds, fraction and zone optional). */
const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `30m`, `12h`, `30d`, `2w`, `1y`: a whole number from 1 and one unit (m is minutes), at
 * most MAX_DURATION_YEARS. `tooLong` says what to write instead of a longer one.
 */
export function parseDuration(text: string, tooLong = `the longest duration is ${MAX_DURATION_YEARS}y`): Duration {
  const trimmed = text.trim();
  const match = DURATION_PATTERN.exec(trimmed);
  if (!match) {
    if (BARE_NUMBER.test(trimmed)) {
      throw new InvalidArgumentError(`"${text}" is not a duration: it needs a unit, e.g. ${trimmed}m or ${trimmed}d (s m h d w y)`);
    }
    throw new InvalidArgumentError(
      `"${text}" is not a duration: write a whole number and a unit, s m h d w y (e.g. 30m, 12h, 30d, 1y)`,
    );
  }
  const duration: Duration = { amount: Number(match[1]), unit: match[2] as Duration['unit'], text };
  if (duration.amount === 0) throw new InvalidArgumentError(`"${text}" is not a duration: it must be more than 0`);
  const ms = duration.unit === 'y' ? duration.amount * 365.25 * 86_400_000 : duration.amount * UNIT_MS[duration.unit];
  if (ms > MAX_DURATION_MS) throw new InvalidArgumentError(`"${text}" is too long: ${tooLong}`);
  return duration;
}

/** The instant `duration` after `from` (ms since epoch). */
export function addDuration(from: number, duration: Duration): number {
  if (duration.unit === 'y') {
    const date = new Date(from);
    date.setUTCFullYear(date.getUTCFullYear() + duration.amount);
    return date.getTime();
  }
  return from + duration.amount * UNIT_MS[duration.unit];
}

/**
 * An ISO 8601 time (`2026-12-31`, `2026-12-31T18:00:00Z`), as ms since epoch. A time
 * without a zone is local time, as JavaScript reads it; a bare date is midnight UTC.
 */
export function parseIsoTime(text: string): number {
  const trimmed = text.trim();
  const at = ISO_TIME_PATTERN.test(trimmed) && isCalendarDay(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new InvalidArgumentError(
      `"${text}" is not an ISO 8601 time: write e.g. 2026-12-31 or 2026-12-31T18:00:00Z`,
    );
  }
  return at;
}

/** Date.parse rolls a day past the month's end over (2026-02-30 is March 2): a typo would pass as another date. */
function isCalendarDay(iso: string): boolean {
  const [year, month, day] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** How far ahead of this machine's clock a date of data may be: a bare date is midnight UTC, already tomorrow east of Greenwich. */
export const SOURCE_DATE_AHEAD_MS = 86_400_000;

/**
 * A date of data (`--source-date`): an ISO 8601 time no later than a day from `now`. A
 * future date would read as fresh data until it passed, so a typo (2027 for 2026) would
 * keep a stale registry copy in use for as long as the 31-day rule forbids.
 */
export function parseSourceDate(text: string, now = Date.now()): number {
  const at = parseIsoTime(text);
  if (at > now + SOURCE_DATE_AHEAD_MS) {
    throw new InvalidArgumentError(`"${text}" is in the future: the date of a file's data is when it was published, not later than today`);
  }
  return at;
}

const DURATION_SHAPED = /^\d+[a-z]$/i;

/**
 * `--since` and `--at`: a duration (`2h`) or an ISO 8601 time, resolved against `now`
 * when the command runs: `sign` -1 counts the duration back from now, +1 forward.
 */
export function parseDurationOrTime(text: string, sign: 1 | -1): (now: number) => number {
  if (DURATION_SHAPED.test(text.trim())) {
    const duration = parseDuration(text);
    return (now) => now + sign * (addDuration(now, duration) - now);
  }
  let at: number;
  try {
    at = parseIsoTime(text);
  } catch {
    // Neither form: one message that names both.
    throw new InvalidArgumentError(`"${text}" is neither a duration (30m, 12h, 7d) nor an ISO 8601 time (2026-11-01)`);
  }
  return () => at;
}

/**
 * How far in the past `call --at` may be: a time computed by another system a moment
 * before (or on a clock a little behind) still means "now". Further back it is a mistake.
 */
export const AT_PAST_GRACE_MS = 60_000;

/** The first attempt asked for by `call --at`, refused when it lies in the past (beyond the grace). */
export function firstAttemptFrom(at: ((now: number) => number) | undefined, now: number): number | undefined {
  const when = at?.(now);
  if (when !== undefined && when < now - AT_PAST_GRACE_MS) {
    throw new UsageError(`--at ${isoTime(when)} is in the past; leave out --at to call now, nothing was queued`);
  }
  return when;
}

/**
 * The expiry asked for by `--until` or `--for`: undefined means forever. An expiry in
 * the past is refused without a grace: the entry would never match.
 */
export function expiryFrom(options: { until?: number; for?: Duration }, now: number): number | undefined {
  if (options.until !== undefined) {
    if (options.until <= now) {
      throw new UsageError(`--until ${isoTime(options.until)} is in the past; give a later time, or --for`);
    }
    return options.until;
  }
  return options.for ? addDuration(now, options.for) : undefined;
}

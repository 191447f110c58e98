import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

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

const DURATION_PATTERN = /^([1-9][0-9]{0,5})([smhdwy])$/;

/** An ISO 8601 date, or date and time (seconds, fraction and zone optional). */
const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** `30m`, `12h`, `30d`, `2w`, `1y`: a whole number and one unit (m is minutes). */
export function parseDuration(text: string): Duration {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    throw new InvalidArgumentError(
      `"${text}" is not a duration: write a whole number and a unit, s m h d w y (e.g. 30m, 12h, 30d, 1y)`,
    );
  }
  return { amount: Number(match[1]), unit: match[2] as Duration['unit'], text };
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
  const at = ISO_TIME_PATTERN.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new InvalidArgumentError(
      `"${text}" is not an ISO 8601 time: write e.g. 2026-12-31 or 2026-12-31T18:00:00Z`,
    );
  }
  return at;
}

/** The expiry asked for by `--until` or `--for`: undefined means forever. */
export function expiryFrom(options: { until?: number; for?: Duration }, now: number): number | undefined {
  if (options.until !== undefined) {
    if (options.until <= now) {
      throw new UsageError(`--until ${new Date(options.until).toISOString()} is in the past`);
    }
    return options.until;
  }
  return options.for ? addDuration(now, options.for) : undefined;
}

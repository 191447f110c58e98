import { describe, expect, it } from 'vitest';
import {
  addDuration,
  AT_PAST_GRACE_MS,
  expiryFrom,
  firstAttemptFrom,
  MAX_DURATION_YEARS,
  parseDuration,
  parseDurationOrTime,
  parseIsoTime,
  parseSourceDate,
} from '../../src/front-door/duration.js';
import { UsageError } from '../../src/front-door/errors.js';
import { describeExpiry, humanSpan, table } from '../../src/front-door/format.js';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);

describe('durations and times on the command line', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['12h', 12 * 3_600_000],
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['45s', 45_000],
  ])('%s is that long', (text, ms) => {
    expect(addDuration(NOW, parseDuration(text)) - NOW).toBe(ms);
  });

  it('a year is a calendar year', () => {
    expect(new Date(addDuration(Date.UTC(2028, 1, 29), parseDuration('1y'))).toISOString()).toBe('2029-03-01T00:00:00.000Z');
    expect(new Date(addDuration(NOW, parseDuration('1y'))).toISOString()).toBe('2027-01-31T12:00:00.000Z');
  });

  it.each(['', '30', 'd', '0d', '1.5h', '-1d', '30 days', '1M'])('%j is not a duration', (text) => {
    expect(() => parseDuration(text)).toThrow(/not a duration/);
  });

  it('says why a duration of 0 or without a unit is not one', () => {
    expect(() => parseDuration('0s')).toThrow('"0s" is not a duration: it must be more than 0');
    expect(() => parseDuration('30')).toThrow('"30" is not a duration: it needs a unit, e.g. 30m or 30d');
  });

  it(`accepts up to ${MAX_DURATION_YEARS} years in any unit and refuses longer with a range message`, () => {
    for (const text of ['100y', '36525d', '876600h', '5217w']) expect(parseDuration(text).text).toBe(text);
    for (const text of ['101y', '36526d', '285616y', '999999w', '9999999999999999999999s']) {
      expect(() => parseDuration(text)).toThrow(`"${text}" is too long: the longest duration is 100y`);
    }
  });

  it('a duration or a time is resolved when the command runs, back or forward from then', () => {
    expect(parseDurationOrTime('2h', -1)(NOW)).toBe(NOW - 7_200_000);
    expect(parseDurationOrTime('2h', 1)(NOW)).toBe(NOW + 7_200_000);
    expect(parseDurationOrTime('2026-11-01', -1)(NOW)).toBe(Date.UTC(2026, 10, 1));
    expect(() => parseDurationOrTime('yesterday', -1)).toThrow(/neither a duration .* nor an ISO 8601 time/);
  });

  it(`a first attempt in the past is refused, one within ${AT_PAST_GRACE_MS} ms of now means now`, () => {
    expect(() => firstAttemptFrom(() => NOW - AT_PAST_GRACE_MS - 1, NOW)).toThrow(UsageError);
    expect(() => firstAttemptFrom(() => NOW - AT_PAST_GRACE_MS - 1, NOW)).toThrow('is in the past');
    expect(firstAttemptFrom(() => NOW - AT_PAST_GRACE_MS, NOW)).toBe(NOW - AT_PAST_GRACE_MS);
    expect(firstAttemptFrom(undefined, NOW)).toBeUndefined();
  });

  it('reads ISO 8601 times with and without zone', () => {
    expect(parseIsoTime('2026-12-31T18:00:00Z')).toBe(Date.UTC(2026, 11, 31, 18));
    expect(parseIsoTime('2026-12-31T18:00+01:00')).toBe(Date.UTC(2026, 11, 31, 17));
    expect(parseIsoTime('2026-12-31')).toBe(Date.UTC(2026, 11, 31));
  });

  it.each(['tomorrow', '31.12.2026', '2026-13-01', '12/31/2026', '1767225600000'])('%j is not an ISO time', (text) => {
    expect(() => parseIsoTime(text)).toThrow(/not an ISO 8601 time/);
  });

  it.each(['2026-02-29', '2026-02-30T12:00:00Z', '2026-04-31', '2026-11-31'])('%j, a day past the month\'s end, is not an ISO time (not the next month)', (text) => {
    expect(() => parseIsoTime(text)).toThrow(/not an ISO 8601 time/);
  });

  it('a leap day and the last of each month are days', () => {
    expect(parseIsoTime('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    expect(parseIsoTime('2026-12-31T23:59:59+14:00')).toBe(Date.UTC(2026, 11, 31, 9, 59, 59));
  });

  it('a date of data may be today east of Greenwich, not later: a future one would read as fresh data', () => {
    expect(parseSourceDate('2026-01-31', NOW)).toBe(Date.UTC(2026, 0, 31));
    expect(parseSourceDate('2026-02-01', NOW)).toBe(Date.UTC(2026, 1, 1));
    expect(() => parseSourceDate('2026-02-02', NOW)).toThrow('"2026-02-02" is in the future');
    expect(() => parseSourceDate('2027-01-31', NOW)).toThrow(/in the future/);
    expect(() => parseSourceDate('2026-02-30', NOW)).toThrow(/not an ISO 8601 time/);
  });

  it('an expiry in the past is a usage error; none means forever', () => {
    expect(() => expiryFrom({ until: NOW - 1 }, NOW)).toThrow(UsageError);
    expect(expiryFrom({}, NOW)).toBeUndefined();
    expect(expiryFrom({ for: parseDuration('1h') }, NOW)).toBe(NOW + 3_600_000);
  });
});

describe('output for people', () => {
  it('spans show their two largest units', () => {
    expect(humanSpan(30 * 86_400_000 - 1_000)).toBe('29d 23h');
    expect(humanSpan(3_600_000)).toBe('1h');
    expect(humanSpan(90_000)).toBe('1m 30s');
    expect(humanSpan(0)).toBe('0s');
  });

  it('an expiry says forever, how far off, or expired', () => {
    expect(describeExpiry(null, NOW)).toBe('forever');
    expect(describeExpiry(NOW + 12 * 3_600_000, NOW)).toBe('2026-02-01T00:00:00Z (in 12h)');
    expect(describeExpiry(NOW - 1_000, NOW)).toBe('2026-01-31T11:59:59Z (expired)');
  });

  it('tables line up their columns and show empty cells as -', () => {
    expect(table(['A', 'LONGER'], [['xxxx', 'y'], ['z', undefined]])).toEqual(['A     LONGER', 'xxxx  y', 'z     -']);
  });
});

import { describe, expect, it } from 'vitest';
import { addDuration, expiryFrom, parseDuration, parseIsoTime } from '../../src/cli/duration.js';
import { UsageError } from '../../src/cli/errors.js';
import { describeExpiry, humanSpan, table } from '../../src/cli/format.js';

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

  it('reads ISO 8601 times with and without zone', () => {
    expect(parseIsoTime('2026-12-31T18:00:00Z')).toBe(Date.UTC(2026, 11, 31, 18));
    expect(parseIsoTime('2026-12-31T18:00+01:00')).toBe(Date.UTC(2026, 11, 31, 17));
    expect(parseIsoTime('2026-12-31')).toBe(Date.UTC(2026, 11, 31));
  });

  it.each(['tomorrow', '31.12.2026', '2026-13-01', '12/31/2026', '1767225600000'])('%j is not an ISO time', (text) => {
    expect(() => parseIsoTime(text)).toThrow(/not an ISO 8601 time/);
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

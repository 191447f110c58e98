import { describe, expect, it } from 'vitest';
import { placeOfNumber, isTimeZone, timeZoneTableLines } from '../../src/numbers/time-zones.js';
import { BUILTIN_POLICIES } from '../../src/screening/hours/builtin.js';
import { easterSunday, type HoursPolicy } from '../../src/screening/hours/policy.js';
import { formatDays, formatHoliday, HoursSyntaxError, parseDays, parseHoliday, parseWeek } from '../../src/screening/hours/syntax.js';
import { hoursAt, placesFor, type HoursVerdict } from '../../src/screening/hours/window.js';

const US = BUILTIN_POLICIES.get('us') as HoursPolicy;
const AU = BUILTIN_POLICIES.get('au') as HoursPolicy;
const NEW_YORK = '+12125550100';
const MIAMI = '+13055550100';
const DALLAS = '+12145550100';
/** 850: the Florida panhandle, Eastern and Central time */
const PANHANDLE = '+18505550100';
const SYDNEY = '+61298765432';
const AU_MOBILE = '+61412345678';

function at(iso: string): number {
  return Date.parse(iso);
}

function verdictFor(policy: HoursPolicy, e164: string, when: string, tz?: string): HoursVerdict {
  const places = placesFor(policy, e164, tz);
  if (!places.ok) throw new Error(places.reason);
  return hoursAt(policy, places.places, at(when));
}

function nextOpenIso(verdict: HoursVerdict): string | undefined {
  if (verdict.open) return 'open';
  return verdict.nextOpen === undefined ? undefined : new Date(verdict.nextOpen).toISOString();
}

describe('the time zone of a number', () => {
  it('an area code gives its state and zone', () => {
    expect(placeOfNumber(NEW_YORK)).toMatchObject({ region: 'NY', zones: ['America/New_York'] });
    expect(placeOfNumber(MIAMI)).toMatchObject({ region: 'FL', zones: ['America/New_York'] });
  });

  it('an area code spanning zones names all of them', () => {
    expect(placeOfNumber(PANHANDLE)?.zones.sort()).toEqual(['America/Chicago', 'America/New_York']);
  });

  it('a toll-free number is in every US zone and every state rule applies to it', () => {
    expect(placeOfNumber('+18005550100')).toMatchObject({ region: '*' });
    expect(placeOfNumber('+18005550100')?.zones).toEqual(expect.arrayContaining(['America/New_York', 'Pacific/Honolulu']));
  });

  it('an Australian landline and a mobile', () => {
    expect(placeOfNumber(SYDNEY)?.zones).toEqual(['Australia/Sydney']);
    expect(placeOfNumber(AU_MOBILE)?.zones).toEqual(expect.arrayContaining(['Australia/Perth', 'Australia/Sydney']));
  });

  it('a German number is in Berlin', () => {
    expect(placeOfNumber('+4930123456')?.zones).toEqual(['Europe/Berlin']);
  });

  it('every zone in the table is one the runtime knows', () => {
    const zones = new Set(timeZoneTableLines().flatMap((line) => line.zones));
    expect(zones.size).toBeGreaterThan(200);
    expect([...zones].filter((zone) => !isTimeZone(zone))).toEqual([]);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('US federal calling hours at the callee (us)', () => {
  it('a New York number may be called at 20:59 New York time', () => {
    // 2026-11-23 is a Monday; New York is UTC-5 then.
    expect(verdictFor(US, NEW_YORK, '2026-11-24T01:59:00Z')).toEqual({ open: true });
  });

  it('at 21:00 New York time it waits for 08:00 the next morning', () => {
    expect(nextOpenIso(verdictFor(US, NEW_YORK, '2026-11-24T02:00:00Z'))).toBe('2026-11-24T13:00:00.000Z');
  });

  it('before 08:00 it waits for 08:00 the same day', () => {
    expect(nextOpenIso(verdictFor(US, NEW_YORK, '2026-11-24T12:30:00Z'))).toBe('2026-11-24T13:00:00.000Z');
  });

  it('Florida ends at 20:00', () => {
    expect(verdictFor(US, MIAMI, '2026-11-24T00:59:00Z').open).toBe(true);
    expect(nextOpenIso(verdictFor(US, MIAMI, '2026-11-24T01:00:00Z'))).toBe('2026-11-24T13:00:00.000Z');
  });

  it('Texas starts at 12:00 on Sunday and at 09:00 on a weekday', () => {
    // Sunday 2026-11-29, 11:00 in Dallas (UTC-6)
    expect(nextOpenIso(verdictFor(US, DALLAS, '2026-11-29T17:00:00Z'))).toBe('2026-11-29T18:00:00.000Z');
    // Monday 08:30 in Dallas
    expect(nextOpenIso(verdictFor(US, DALLAS, '2026-11-30T14:30:00Z'))).toBe('2026-11-30T15:00:00.000Z');
  });

  it('an area code spanning two zones is called only when both are in the window', () => {
    // 08:30 Eastern is 07:30 Central: wait for 08:00 Central (09:00 Eastern)
    expect(nextOpenIso(verdictFor(US, PANHANDLE, '2026-11-24T13:30:00Z'))).toBe('2026-11-24T14:00:00.000Z');
    // 19:30 Central is 20:30 Eastern, past Florida's 20:00
    expect(verdictFor(US, PANHANDLE, '2026-11-25T01:30:00Z').open).toBe(false);
  });

  it("a request's tz moves the window to the callee's own zone, the state's rule still applying", () => {
    // 20:30 in New York is 17:30 in Los Angeles
    expect(verdictFor(US, NEW_YORK, '2026-11-24T01:30:00Z', 'America/Los_Angeles').open).toBe(true);
    expect(verdictFor(US, MIAMI, '2026-11-24T04:30:00Z', 'America/Los_Angeles').open).toBe(false);
  });

  it('the window follows daylight saving time', () => {
    // 2026-07-01: New York is UTC-4, so 21:00 local is 01:00Z
    expect(verdictFor(US, NEW_YORK, '2026-07-02T00:59:00Z').open).toBe(true);
    expect(verdictFor(US, NEW_YORK, '2026-07-02T01:00:00Z').open).toBe(false);
  });
});

describe('Australia (au)', () => {
  it('not on a Sunday: the call waits for Monday 09:00', () => {
    // Sunday 2026-11-22 10:00 in Sydney (UTC+11)
    expect(nextOpenIso(verdictFor(AU, SYDNEY, '2026-11-21T23:00:00Z'))).toBe('2026-11-22T22:00:00.000Z');
  });

  it('Saturday ends at 17:00', () => {
    expect(verdictFor(AU, SYDNEY, '2026-11-21T05:59:00Z').open).toBe(true);
    expect(verdictFor(AU, SYDNEY, '2026-11-21T06:00:00Z').open).toBe(false);
  });

  it('not on Good Friday or Easter Monday', () => {
    expect(easterSunday(2027)).toEqual({ month: 3, day: 28 });
    // Good Friday 2027-03-26 at noon in Sydney (UTC+11): next window Saturday 09:00
    expect(nextOpenIso(verdictFor(AU, SYDNEY, '2027-03-26T01:00:00Z'))).toBe('2027-03-26T22:00:00.000Z');
    // Easter Monday 2027-03-29 at noon
    expect(verdictFor(AU, SYDNEY, '2027-03-29T01:00:00Z').open).toBe(false);
  });

  it('a mobile is called only when it is 09:00 in Perth and before 20:00 in Sydney', () => {
    // Monday 2026-11-23 09:30 Sydney = 06:30 Perth (UTC+8)
    const verdict = verdictFor(AU, AU_MOBILE, '2026-11-22T22:30:00Z');
    expect(nextOpenIso(verdict)).toBe('2026-11-23T01:00:00.000Z');
  });
});

describe('custom weekly windows', () => {
  const office: HoursPolicy = {
    name: 'office',
    week: parseWeek('mon-fri=09:00-12:00+14:00-18:00'),
    holidays: [parseHoliday('12-24'), parseHoliday('2026-12-31')],
    regions: {},
    zone: 'Europe/Berlin',
  };

  it('a fixed zone reads the window there whoever is called', () => {
    expect(verdictFor(office, NEW_YORK, '2026-11-23T09:00:00Z').open).toBe(true);
    expect(nextOpenIso(verdictFor(office, NEW_YORK, '2026-11-23T11:30:00Z'))).toBe('2026-11-23T13:00:00.000Z');
  });

  it('a yearly holiday and a one-off date are closed', () => {
    expect(verdictFor(office, NEW_YORK, '2027-12-24T09:00:00Z').open).toBe(false);
    expect(nextOpenIso(verdictFor(office, NEW_YORK, '2026-12-31T09:00:00Z'))).toBe('2027-01-01T08:00:00.000Z');
  });

  it('a policy that never opens has no next window', () => {
    const never: HoursPolicy = { ...office, week: parseWeek('daily=closed') };
    expect(verdictFor(never, NEW_YORK, '2026-11-23T09:00:00Z')).toEqual({ open: false, nextOpen: undefined });
  });

  it('a number no line covers asks for a tz', () => {
    const outcome = placesFor(US, '+88213456789');
    expect(outcome.ok).toBe(false);
  });
});

describe('the written forms', () => {
  it('days and holidays round-trip', () => {
    for (const text of ['daily=08:00-21:00', 'mon-fri=09:00-20:00,sat=09:00-17:00,sun=closed', 'mon=09:00-12:00+14:00-18:00']) {
      expect(formatDays(parseDays(text))).toBe(text);
    }
    for (const text of ['12-25', '2026-12-24', 'easter', 'easter-2', 'easter+1']) expect(formatHoliday(parseHoliday(text))).toBe(text);
  });

  it('a range may wrap past Sunday, groups name several days', () => {
    expect(Object.keys(parseDays('fri-mon=10:00-11:00'))).toEqual(['fri', 'sat', 'sun', 'mon']);
    expect(Object.keys(parseDays('weekend=closed'))).toEqual(['sat', 'sun']);
  });

  it.each([
    ['mon-fri=21:00-09:00', /ends before it starts/],
    ['mon=09:00-12:00+11:00-13:00', /overlap/],
    ['mon=9-17', /not a time/],
    ['funday=09:00-10:00', /not a day/],
    ['mon=09:00-10:00,mon=11:00-12:00', /twice/],
    ['mon', /<days>=<windows>/],
  ])('%s is refused', (text, message) => {
    expect(() => parseDays(text)).toThrow(HoursSyntaxError);
    expect(() => parseDays(text)).toThrow(message);
  });

  it.each(['02-30', '13-01', 'xmas', 'easter+400'])('holiday %s is refused', (text) => {
    expect(() => parseHoliday(text)).toThrow(HoursSyntaxError);
  });
});

import type { HoursPolicy } from './policy.js';
import { parseDays, parseHolidays, parseWeek } from './syntax.js';

/**
 * The policies callguard ships, as data in the written form of `callguard hours set`.
 * `hours set us ...` stores a changed copy under the same name (which then wins), and
 * `hours rm us` goes back to this one. They are a starting point, not legal advice:
 * docs/compliance.md says what each covers and what it does not.
 */
const SHIPPED: readonly { name: string; days: string; holidays: string; regions: Record<string, string>; note: string }[] = [
  {
    name: 'us',
    // 47 CFR 64.1200(c)(1): no telephone solicitation before 8 am or after 9 pm at the called party's location.
    days: 'daily=08:00-21:00',
    holidays: 'none',
    regions: {
      FL: 'daily=08:00-20:00',
      OK: 'daily=08:00-20:00',
      MD: 'daily=08:00-20:00',
      WA: 'daily=08:00-20:00',
      WY: 'daily=08:00-20:00',
      TX: 'mon-sat=09:00-21:00,sun=12:00-21:00',
    },
    note: 'US federal 8:00-21:00 at the callee (47 CFR 64.1200(c)(1)), with state rules',
  },
  {
    name: 'au',
    // Telecommunications (Telemarketing and Research Calls) Industry Standard 2017: weekdays 9-20, Saturday 9-17, not on Sunday or a national public holiday.
    days: 'mon-fri=09:00-20:00,sat=09:00-17:00,sun=closed',
    holidays: '01-01,01-26,easter-2,easter+1,04-25,12-25,12-26',
    regions: {},
    note: 'Australia: weekdays 9:00-20:00, Saturday 9:00-17:00, never on Sunday or a national public holiday',
  },
];

export const BUILTIN_POLICIES: ReadonlyMap<string, HoursPolicy> = new Map(
  SHIPPED.map((shipped): [string, HoursPolicy] => [
    shipped.name,
    {
      name: shipped.name,
      week: parseWeek(shipped.days),
      holidays: parseHolidays(shipped.holidays),
      regions: Object.fromEntries(Object.entries(shipped.regions).map(([region, days]) => [region, { days: parseDays(days), holidays: [] }])),
      note: shipped.note,
    },
  ]),
);

/**
 * Calling-hours policies as data: when a campaign may call, on the callee's wall clock.
 * A policy is a weekly set of windows, holidays with no window at all, and rules per
 * region (a US state) that narrow it further: a number is called only when every rule
 * that applies to it allows it, so a state rule can never widen the federal one.
 */

import { LIST_NAME_PATTERN } from '../../lists/keys.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Minutes since local midnight, from (included) to (excluded); 0 <= from < to <= 1440. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** Windows per weekday; a day with none is closed. */
export type Week = Record<Weekday, TimeWindow[]>;

/** A day with no window: one date, a month and day every year, or a day counted from (Western) Easter Sunday. */
export type Holiday =
  | { kind: 'date'; year: number; month: number; day: number }
  | { kind: 'yearly'; month: number; day: number }
  | { kind: 'easter'; offset: number };

/** What a region adds: windows that narrow the weekdays it names, and holidays of its own. */
export interface RegionRule {
  days: Partial<Week>;
  holidays: Holiday[];
}

export interface HoursPolicy {
  name: string;
  week: Week;
  holidays: Holiday[];
  /** by region code (`FL`), as the time-zone table names a number's region */
  regions: Record<string, RegionRule>;
  /** a fixed zone the windows are in; absent: the callee's local time */
  zone?: string;
  /** what the policy stands for (a law, a client's wish), for people reading it */
  note?: string;
  updatedAt?: number;
  updatedBy?: string;
}

export const MINUTES_PER_DAY = 1440;

/** The list-name rule: a policy name is typed in the same places. */
export const POLICY_NAME_PATTERN = LIST_NAME_PATTERN;

export function isPolicyName(name: string): boolean {
  return POLICY_NAME_PATTERN.test(name);
}

/** Windows open in both lists: the narrower of two rules. */
export function intersectWindows(a: readonly TimeWindow[], b: readonly TimeWindow[]): TimeWindow[] {
  const both: TimeWindow[] = [];
  for (const x of a) {
    for (const y of b) {
      const from = Math.max(x.from, y.from);
      const to = Math.min(x.to, y.to);
      if (from < to) both.push({ from, to });
    }
  }
  return both.sort((p, q) => p.from - q.from);
}

/** Easter Sunday of a Gregorian year (Meeus/Jones/Butcher). */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

const DAY_MS = 86_400_000;

/** Whether the calendar day is one of the holidays. */
export function isHoliday(holidays: readonly Holiday[], year: number, month: number, day: number): boolean {
  for (const holiday of holidays) {
    switch (holiday.kind) {
      case 'date':
        if (holiday.year === year && holiday.month === month && holiday.day === day) return true;
        break;
      case 'yearly':
        if (holiday.month === month && holiday.day === day) return true;
        break;
      case 'easter': {
        const easter = easterSunday(year);
        const offset = (Date.UTC(year, month - 1, day) - Date.UTC(year, easter.month - 1, easter.day)) / DAY_MS;
        if (offset === holiday.offset) return true;
        break;
      }
    }
  }
  return false;
}

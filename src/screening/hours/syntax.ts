import { MINUTES_PER_DAY, WEEKDAYS, type Holiday, type TimeWindow, type Week, type Weekday } from './policy.js';

/**
 * The written forms of calling hours, as `callguard hours set` takes them and `hours show`
 * prints them:
 *
 *   days      mon-fri=09:00-20:00,sat=09:00-17:00,sun=closed
 *             daily=08:00-21:00   weekdays=...   weekend=...   mon=09:00-12:00+14:00-18:00
 *   holidays  12-25 (every year), 2026-12-24 (once), easter, easter-2, easter+1
 *   state     TX:mon-sat=09:00-21:00,sun=12:00-21:00
 */

export class HoursSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HoursSyntaxError';
  }
}

const DAY_GROUPS: Readonly<Record<string, readonly Weekday[]>> = {
  daily: WEEKDAYS,
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekend: ['sat', 'sun'],
};

const TIME_PATTERN = /^([01]\d|2[0-4]):([0-5]\d)$/;
const REGION_PATTERN = /^[A-Z]{2,3}$/;
const HOLIDAY_SPAN_DAYS = 366;

/** `mon-fri` (a range may wrap: `fri-mon`), `sat`, `daily`, `weekdays`, `weekend`. */
function parseDayNames(text: string): readonly Weekday[] {
  const lower = text.trim().toLowerCase();
  const group = DAY_GROUPS[lower];
  if (group) return group;
  const [first = '', last, extra] = lower.split('-');
  const from = WEEKDAYS.indexOf(first as Weekday);
  const to = last === undefined ? from : WEEKDAYS.indexOf(last as Weekday);
  if (from < 0 || to < 0 || extra !== undefined) {
    throw new HoursSyntaxError(`"${text}" is not a day: write mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, daily, weekdays or weekend`);
  }
  const days: Weekday[] = [];
  for (let i = from; ; i = (i + 1) % 7) {
    days.push(WEEKDAYS[i] as Weekday);
    if (i === to) return days;
  }
}

function parseTime(text: string, context: string): number {
  const match = TIME_PATTERN.exec(text.trim());
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!match || minutes > MINUTES_PER_DAY) throw new HoursSyntaxError(`${context}: "${text}" is not a time: write HH:MM, 00:00 to 24:00`);
  return minutes;
}

/** `09:00-20:00`, `09:00-12:00+14:00-18:00`, `closed`. */
function parseWindows(text: string, context: string): TimeWindow[] {
  if (text.trim().toLowerCase() === 'closed') return [];
  const windows = text.split('+').map((part): TimeWindow => {
    const [from = '', to, extra] = part.split('-');
    if (to === undefined || extra !== undefined) throw new HoursSyntaxError(`${context}: "${part}" is not a window: write 09:00-20:00`);
    const window = { from: parseTime(from, context), to: parseTime(to, context) };
    if (window.from >= window.to) throw new HoursSyntaxError(`${context}: "${part}" ends before it starts (a window past midnight is two: 22:00-24:00 one day, 00:00-02:00 the next)`);
    return window;
  });
  windows.sort((a, b) => a.from - b.from);
  for (let i = 1; i < windows.length; i++) {
    if ((windows[i] as TimeWindow).from < (windows[i - 1] as TimeWindow).to) throw new HoursSyntaxError(`${context}: windows "${text}" overlap`);
  }
  return windows;
}

/** `mon-fri=09:00-20:00,sat=closed`: the days named, each once. */
export function parseDays(text: string): Partial<Week> {
  const days: Partial<Week> = {};
  for (const part of text.split(',')) {
    const equals = part.indexOf('=');
    if (equals <= 0) throw new HoursSyntaxError(`"${part}" is not <days>=<windows>: write e.g. mon-fri=09:00-20:00 or sun=closed`);
    const names = parseDayNames(part.slice(0, equals));
    const windows = parseWindows(part.slice(equals + 1), `"${part}"`);
    for (const day of names) {
      if (days[day] !== undefined) throw new HoursSyntaxError(`"${text}" names ${day} twice`);
      days[day] = windows;
    }
  }
  return days;
}

/** A whole week: the days not named are closed. */
export function parseWeek(text: string): Week {
  const named = parseDays(text);
  return Object.fromEntries(WEEKDAYS.map((day) => [day, named[day] ?? []])) as Week;
}

function formatTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function formatWindows(windows: readonly TimeWindow[]): string {
  return windows.length === 0 ? 'closed' : windows.map((w) => `${formatTime(w.from)}-${formatTime(w.to)}`).join('+');
}

/**
 * The shortest written form: runs of days with the same windows as ranges (monday first),
 * `daily` when all seven agree; days not named are left out (a region rule's "as the base").
 */
export function formatDays(days: Partial<Week>): string {
  const order: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const written = order.map((day) => (days[day] === undefined ? undefined : formatWindows(days[day] as TimeWindow[])));
  if (written.every((text) => text !== undefined && text === written[0])) return `daily=${written[0] as string}`;
  const parts: string[] = [];
  for (let i = 0; i < order.length; ) {
    const text = written[i];
    let j = i;
    while (j + 1 < order.length && written[j + 1] === text) j++;
    if (text !== undefined) parts.push(`${order[i] as string}${j > i ? `-${order[j] as string}` : ''}=${text}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `12-25`, `2026-12-24`, `easter`, `easter-2`, `easter+1`. */
export function parseHoliday(text: string): Holiday {
  const trimmed = text.trim().toLowerCase();
  const easter = /^easter(?:([+-])(\d{1,3}))?$/.exec(trimmed);
  if (easter) {
    const offset = easter[2] === undefined ? 0 : Number(easter[2]) * (easter[1] === '-' ? -1 : 1);
    if (Math.abs(offset) > HOLIDAY_SPAN_DAYS / 3) throw new HoursSyntaxError(`holiday "${text}": an Easter offset is at most ${HOLIDAY_SPAN_DAYS / 3} days`);
    return { kind: 'easter', offset };
  }
  const date = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(trimmed);
  const year = date?.[1] === undefined ? 2000 : Number(date[1]);
  const month = Number(date?.[2]);
  const day = Number(date?.[3]);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (!date || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new HoursSyntaxError(`"${text}" is not a holiday: write 12-25 (every year), 2026-12-24 (once), easter, easter-2 or easter+1`);
  }
  return date[1] === undefined ? { kind: 'yearly', month, day } : { kind: 'date', year, month, day };
}

export function formatHoliday(holiday: Holiday): string {
  const two = (n: number) => String(n).padStart(2, '0');
  switch (holiday.kind) {
    case 'yearly':
      return `${two(holiday.month)}-${two(holiday.day)}`;
    case 'date':
      return `${holiday.year}-${two(holiday.month)}-${two(holiday.day)}`;
    case 'easter':
      return holiday.offset === 0 ? 'easter' : `easter${holiday.offset > 0 ? '+' : ''}${holiday.offset}`;
  }
}

/** `12-25,easter-2`; `none` or an empty text for no holidays. */
export function parseHolidays(text: string): Holiday[] {
  if (['', 'none'].includes(text.trim().toLowerCase())) return [];
  return text.split(',').map(parseHoliday);
}

/** `TX:mon-sat=09:00-21:00,sun=12:00-21:00`: the region and the days it narrows. */
export function parseRegionRule(text: string): { region: string; days: Partial<Week> } {
  const colon = text.indexOf(':');
  const region = colon < 0 ? '' : text.slice(0, colon).trim().toUpperCase();
  if (!REGION_PATTERN.test(region)) {
    throw new HoursSyntaxError(`"${text}" is not <region>:<days>: write e.g. FL:daily=08:00-20:00 (the region is a US state or Canadian province code)`);
  }
  return { region, days: parseDays(text.slice(colon + 1)) };
}

export function isRegionCode(text: string): boolean {
  return REGION_PATTERN.test(text);
}

import { isTimeZone } from '../../numbers/time-zones.js';
import { isPolicyName, MINUTES_PER_DAY, WEEKDAYS, type Holiday, type HoursPolicy, type RegionRule, type TimeWindow, type Week } from './policy.js';
import { HoursSyntaxError, isRegionCode } from './syntax.js';

const MAX_NOTE_LENGTH = 200;
const MAX_HOLIDAYS = 400;

export type PolicyValidation = { ok: true; policy: HoursPolicy } | { ok: false; reason: string };

/** Checks a policy as stored (parsed JSON) and returns a clean copy; a corrupt one is a reason, never a crash. */
export function validatePolicy(value: unknown): PolicyValidation {
  try {
    return { ok: true, policy: cleanPolicy(value) };
  } catch (error) {
    if (error instanceof HoursSyntaxError) return { ok: false, reason: error.message };
    throw error;
  }
}

function fail(reason: string): never {
  throw new HoursSyntaxError(reason);
}

function cleanPolicy(value: unknown): HoursPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('policy is not a JSON object');
  const raw = value as Record<string, unknown>;
  if (typeof raw.name !== 'string' || !isPolicyName(raw.name)) fail(`name ${JSON.stringify(raw.name)} is not a policy name (a-z, 0-9, _ and -, up to 64)`);
  const policy: HoursPolicy = {
    name: raw.name,
    week: cleanWeek(raw.week, 'week', true) as Week,
    holidays: cleanHolidays(raw.holidays, 'holidays'),
    regions: cleanRegions(raw.regions),
  };
  if (raw.zone !== undefined) {
    if (typeof raw.zone !== 'string' || !isTimeZone(raw.zone)) fail(`zone ${JSON.stringify(raw.zone)} is not an IANA time zone such as Europe/Berlin`);
    policy.zone = raw.zone;
  }
  if (raw.note !== undefined) {
    if (typeof raw.note !== 'string' || raw.note.length > MAX_NOTE_LENGTH) fail(`note is not a text of up to ${MAX_NOTE_LENGTH} characters`);
    policy.note = raw.note;
  }
  if (typeof raw.updatedAt === 'number') policy.updatedAt = raw.updatedAt;
  if (typeof raw.updatedBy === 'string') policy.updatedBy = raw.updatedBy;
  return policy;
}

function cleanWeek(value: unknown, field: string, whole: boolean): Partial<Week> {
  if (typeof value !== 'object' || value === null) fail(`${field} is not an object of weekdays`);
  const raw = value as Record<string, unknown>;
  const week: Partial<Week> = {};
  for (const key of Object.keys(raw)) if (!(WEEKDAYS as readonly string[]).includes(key)) fail(`${field} names "${key}", which is not a weekday`);
  for (const day of WEEKDAYS) {
    if (raw[day] === undefined) {
      if (whole) fail(`${field}.${day} is missing`);
      continue;
    }
    week[day] = cleanWindows(raw[day], `${field}.${day}`);
  }
  return week;
}

function cleanWindows(value: unknown, field: string): TimeWindow[] {
  if (!Array.isArray(value)) fail(`${field} is not a list of windows`);
  const windows = value.map((window: unknown): TimeWindow => {
    const w = window as Record<string, unknown> | null;
    const from = w?.from;
    const to = w?.to;
    if (!isMinute(from) || !isMinute(to) || from >= to) fail(`${field} holds ${JSON.stringify(window)}, not a window {from, to} in minutes 0-${MINUTES_PER_DAY}`);
    return { from, to };
  });
  windows.sort((a, b) => a.from - b.from);
  for (let i = 1; i < windows.length; i++) if ((windows[i] as TimeWindow).from < (windows[i - 1] as TimeWindow).to) fail(`${field}: windows overlap`);
  return windows;
}

function isMinute(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MINUTES_PER_DAY;
}

function cleanHolidays(value: unknown, field: string): Holiday[] {
  if (!Array.isArray(value) || value.length > MAX_HOLIDAYS) fail(`${field} is not a list of up to ${MAX_HOLIDAYS} holidays`);
  return value.map((holiday: unknown): Holiday => {
    const h = holiday as Record<string, unknown> | null;
    const whole = (n: unknown, min: number, max: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
    if (h?.kind === 'easter' && whole(h.offset, -122, 122)) return { kind: 'easter', offset: h.offset };
    if (h?.kind === 'yearly' && whole(h.month, 1, 12) && whole(h.day, 1, 31)) return { kind: 'yearly', month: h.month, day: h.day };
    if (h?.kind === 'date' && whole(h.year, 1970, 9999) && whole(h.month, 1, 12) && whole(h.day, 1, 31)) {
      return { kind: 'date', year: h.year, month: h.month, day: h.day };
    }
    return fail(`${field} holds ${JSON.stringify(holiday)}, which is not a holiday`);
  });
}

function cleanRegions(value: unknown): Record<string, RegionRule> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('regions is not an object');
  const regions: Record<string, RegionRule> = {};
  for (const [region, rule] of Object.entries(value as Record<string, unknown>)) {
    if (!isRegionCode(region)) fail(`regions names "${region}", which is not a region code such as FL`);
    const raw = rule as Record<string, unknown> | null;
    regions[region] = { days: cleanWeek(raw?.days, `regions.${region}.days`, false), holidays: cleanHolidays(raw?.holidays ?? [], `regions.${region}.holidays`) };
  }
  return regions;
}

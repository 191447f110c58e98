import { placeOfNumber } from '../../numbers/time-zones.js';
import { addDays, instantOf, localTime } from './local-time.js';
import { intersectWindows, isHoliday, WEEKDAYS, type HoursPolicy, type TimeWindow } from './policy.js';

/** One place a call may ring: its zone, and the region whose rules apply there. */
export interface Place {
  zone: string;
  /** a region code of the policy's rules; `*`: all of them; absent: none */
  region?: string;
}

export type PlacesOutcome = { ok: true; places: Place[] } | { ok: false; reason: string };

/**
 * Where the windows of `policy` are read for a callee: the policy's own zone when it has
 * one (the windows are a place's opening hours, whoever is called); else the request's
 * `tz` (the callee's zone, as the requester knows it, the number's region still applying);
 * else every zone the number may ring in.
 */
export function placesFor(policy: Pick<HoursPolicy, 'zone'>, e164: string, tz?: string): PlacesOutcome {
  if (policy.zone !== undefined) return { ok: true, places: [{ zone: policy.zone }] };
  const place = placeOfNumber(e164);
  const region = place?.region;
  if (tz !== undefined) return { ok: true, places: [{ zone: tz, ...(region === undefined ? {} : { region }) }] };
  if (!place) return { ok: false, reason: `no time zone is known for ${e164}; give the request a tz attribute (e.g. tz=Europe/Berlin)` };
  return { ok: true, places: place.zones.map((zone) => ({ zone, ...(region === undefined ? {} : { region }) })) };
}

/** How far ahead the next window is looked for: past any run of holidays. */
export const NEXT_WINDOW_HORIZON_DAYS = 21;

export type HoursVerdict =
  | { open: true }
  /** nextOpen: when the window opens next at every place; undefined when not within NEXT_WINDOW_HORIZON_DAYS */
  | { open: false; nextOpen: number | undefined };

/** Whether `policy` lets a call start at `at` at every one of `places`, and if not, when it does next. */
export function hoursAt(policy: HoursPolicy, places: readonly Place[], at: number): HoursVerdict {
  if (openEverywhere(policy, places, at)) return { open: true };
  const candidates: number[] = [];
  for (const place of places) {
    const today = localTime(at, place.zone);
    for (let days = 0; days <= NEXT_WINDOW_HORIZON_DAYS; days++) {
      const date = addDays(today.year, today.month, today.day, days);
      for (const window of windowsOn(policy, place, date)) {
        const start = instantOf(place.zone, date.year, date.month, date.day, window.from);
        if (start > at) candidates.push(start);
      }
    }
  }
  candidates.sort((a, b) => a - b);
  const nextOpen = candidates.find((candidate) => openEverywhere(policy, places, candidate));
  return { open: false, nextOpen };
}

function openEverywhere(policy: HoursPolicy, places: readonly Place[], at: number): boolean {
  return places.every((place) => {
    const local = localTime(at, place.zone);
    return windowsOn(policy, place, local).some((window) => window.from <= local.minutes && local.minutes < window.to);
  });
}

/** The windows of one local day at one place: none on a holiday, else the week's narrowed by the region's rules. */
function windowsOn(policy: HoursPolicy, place: Place, date: { year: number; month: number; day: number; weekday: number }): TimeWindow[] {
  const rules = regionRules(policy, place.region);
  if (isHoliday(policy.holidays, date.year, date.month, date.day)) return [];
  if (rules.some((rule) => isHoliday(rule.holidays, date.year, date.month, date.day))) return [];
  const weekday = WEEKDAYS[date.weekday] ?? 'sun';
  let windows = policy.week[weekday];
  for (const rule of rules) {
    const narrower = rule.days[weekday];
    if (narrower !== undefined) windows = intersectWindows(windows, narrower);
  }
  return windows;
}

function regionRules(policy: HoursPolicy, region: string | undefined): HoursPolicy['regions'][string][] {
  if (region === undefined) return [];
  if (region === '*') return Object.values(policy.regions);
  const rule = policy.regions[region];
  return rule ? [rule] : [];
}

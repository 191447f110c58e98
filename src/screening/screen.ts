import type { Match } from '../lists/types.js';
import { normalize } from '../numbers/normalize.js';
import { withDeadline } from './deadline.js';
import type { Route, Screening } from './types.js';

/** Looks one number up in several lists in one round trip: one result per list, in order. */
export type CheckLists = (e164: string, lists: string[]) => Promise<(Match | null)[]>;

export interface ScreenInput {
  /** the caller (or callee) number as the channel gives it */
  raw: string;
  /** CALLERID(pres) of the channel, e.g. allowed_not_screened, prohib_not_screened; absent when unknown */
  presentation?: string;
  route: Route;
  /** region for national numbers when the route names none */
  defaultRegion: string;
  check: CheckLists;
  /** how long the list check may take before the verdict is `unavailable` */
  deadlineMs: number;
}

/**
 * Asterisk's presentation values that withhold the number: `prohib`, `prohib_not_screened`,
 * `prohib_passed_screen`, `prohib_failed_screen`, `prohib_network_number`.
 */
export function isWithheld(presentation: string | undefined): boolean {
  return presentation !== undefined && presentation.trim().toLowerCase().startsWith('prohib');
}

/**
 * The verdict for one number under one route. Never rejects: a check that fails or
 * misses the deadline is the verdict `unavailable`, never "not listed".
 *
 * A withheld number that is still present (Privacy: id with an asserted identity) is
 * screened like any other unless the route says `withheld: hidden`: a blocked caller
 * must not get through by withholding the number.
 */
export async function screenNumber(input: ScreenInput): Promise<Screening> {
  const { route } = input;
  if (route.withheld === 'hidden' && isWithheld(input.presentation)) {
    return { verdict: 'hidden', detail: `number withheld (presentation ${input.presentation})` };
  }
  const normalized = normalize(input.raw, route.region ?? input.defaultRegion);
  if (normalized.kind === 'hidden') return { verdict: 'hidden' };
  if (normalized.kind === 'malformed') return { verdict: 'malformed', detail: normalized.reason };
  const { e164 } = normalized;

  const lists = [...route.allow, ...route.block];
  if (lists.length === 0) return { verdict: 'clear', e164 };
  const outcome = await withDeadline(() => input.check(e164, lists), input.deadlineMs);
  if (!outcome.ok) return { verdict: 'unavailable', e164, detail: outcome.reason };
  const results = outcome.value;
  if (results.length !== lists.length) {
    return { verdict: 'unavailable', e164, detail: `the check answered ${results.length} results for ${lists.length} lists` };
  }
  const allowMatch = firstMatch(results.slice(0, route.allow.length));
  if (allowMatch) return { verdict: 'allowed', e164, match: allowMatch };
  const blockMatch = firstMatch(results.slice(route.allow.length));
  if (blockMatch) return { verdict: 'blocked', e164, match: blockMatch };
  return { verdict: 'clear', e164 };
}

function firstMatch(results: (Match | null)[]): Match | undefined {
  return results.find((result): result is Match => result !== null);
}

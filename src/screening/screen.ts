import type { CountedCheck, Match } from '../lists/types.js';
import { normalize } from '../numbers/normalize.js';
import { AUTO_BLOCK_ACTOR, autoBlockCounters, autoBlockReason, crossedRule } from './auto-block.js';
import { withDeadline } from './deadline.js';
import { observes } from './observe.js';
import { checkedLists } from './route.js';
import { unverifiedReason, type CallerIdentity } from './stir-shaken.js';
import type { Route, Screening } from './types.js';
import type { CallCounter } from '../lists/types.js';

/** Looks one number up in several lists in one round trip: one result per list, in order. */
export type CheckLists = (e164: string, lists: string[]) => Promise<(Match | null)[]>;

/** The same, counting the call for auto-block rules inside the check (ListStore.checkCounting). */
export type CheckAndCount = (e164: string, lists: string[], counters: CallCounter[]) => Promise<CountedCheck>;

export interface ScreenInput {
  /** the caller (or callee) number as the channel gives it */
  raw: string;
  /** CALLERID(pres) of the channel, e.g. allowed_not_screened, prohib_not_screened; absent when unknown */
  presentation?: string;
  route: Route;
  /** region for national numbers when the route names none */
  defaultRegion: string;
  check: CheckLists;
  /** the check for a route with auto-block rules; without it (or a channel id) the rules count nothing */
  checkCounting?: CheckAndCount;
  /** the call's channel id, which the auto-block counters count */
  channelId?: string;
  /**
   * the caller id's STIR/SHAKEN verification, as the dialplan reported it, or being read
   * from the channel meanwhile: awaited beside the list check, it never rejects
   */
  identity?: CallerIdentity | Promise<CallerIdentity | undefined>;
  /** how long the list check may take before the verdict is `unavailable` */
  deadlineMs: number;
  /** when an auto-block ends is counted from this clock; Date.now when absent */
  now?: () => number;
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
 *
 * What wins, in order: an allow list; a block list; an auto-block rule the call crosses
 * (counted in the same round trip as the lists are read); the route's STIR/SHAKEN rule.
 * A rule in observe mode does not block: the first such rule gives `would-block`, unless
 * a rule after it that is enforced blocks.
 */
export async function screenNumber(input: ScreenInput): Promise<Screening> {
  // The verification matters only after the lists: a read of it runs beside their check.
  const [screening, identity] = await Promise.all([screenOnLists(input), input.identity]);
  const ruled = withStirRule(screening, input.route, identity);
  return identity === undefined ? ruled : { ...ruled, identity };
}

/** The verdict of the lists and auto-block rules alone: clear or would-block when none of them decided. */
async function screenOnLists(input: ScreenInput): Promise<Screening> {
  const { route } = input;
  if (route.withheld === 'hidden' && isWithheld(input.presentation)) {
    return { verdict: 'hidden', detail: `number withheld (presentation ${input.presentation})` };
  }
  const normalized = normalize(input.raw, route.region ?? input.defaultRegion);
  if (normalized.kind === 'hidden') return { verdict: 'hidden' };
  if (normalized.kind === 'malformed') return { verdict: 'malformed', detail: normalized.reason };
  const { e164 } = normalized;

  const { allow, block } = checkedLists(route);
  const lists = [...allow, ...block];
  const rules = route.autoBlock ?? [];
  const { checkCounting, channelId } = input;
  const counters = rules.length > 0 && checkCounting !== undefined && channelId !== undefined ? autoBlockCounters(rules, route.name, channelId) : [];
  let observed: Screening | undefined;
  if (lists.length > 0) {
    const outcome = await withDeadline(
      (): Promise<CountedCheck> =>
        counters.length > 0 && checkCounting
          ? checkCounting(e164, lists, counters)
          : input.check(e164, lists).then((results) => ({ results, counts: [] })),
      input.deadlineMs,
    );
    if (!outcome.ok) return { verdict: 'unavailable', e164, detail: outcome.reason };
    const { results, counts } = outcome.value;
    if (results.length !== lists.length) {
      return { verdict: 'unavailable', e164, detail: `the check answered ${results.length} results for ${lists.length} lists` };
    }
    const allowMatch = firstMatch(results.slice(0, allow.length));
    if (allowMatch) return { verdict: 'allowed', e164, match: allowMatch };
    const blocks = results.slice(allow.length).filter((result): result is Match => result !== null);
    const enforced = blocks.find((match) => !observes(route.observe, match.list));
    if (enforced) return { verdict: 'blocked', e164, match: enforced };
    if (blocks[0]) observed = { verdict: 'would-block', e164, match: blocks[0], wouldBe: 'blocked' };

    const crossed = counters.length > 0 ? crossedRule(rules, counts) : undefined;
    if (crossed && !blocks.some((match) => match.list === crossed.list)) {
      const reason = autoBlockReason(crossed);
      const expiresAt = (input.now ?? Date.now)() + crossed.forMs;
      const match: Match = { list: crossed.list, member: e164, kind: 'exact', expiresAt, reason, by: AUTO_BLOCK_ACTOR };
      if (!observes(route.observe, crossed.list)) {
        return { verdict: 'blocked', e164, match, autoBlock: { list: crossed.list, expiresAt, reason } };
      }
      observed ??= { verdict: 'would-block', e164, match, wouldBe: 'blocked' };
    }
  }

  return observed ?? { verdict: 'clear', e164 };
}

/**
 * The route's STIR/SHAKEN rule, after the lists: it refuses only a call they let go on
 * (clear, or would-block by a rule in observe mode, which an enforced rule overrides).
 */
function withStirRule(screening: Screening, route: Route, identity: CallerIdentity | undefined): Screening {
  if (screening.verdict !== 'clear' && screening.verdict !== 'would-block') return screening;
  const unverified = route.stir === undefined ? undefined : unverifiedReason(route.stir, identity);
  if (unverified === undefined) return screening;
  const { e164 } = screening;
  if (!observes(route.observe)) return { verdict: 'unverified', e164, detail: unverified };
  return screening.verdict === 'clear' ? { verdict: 'would-block', e164, detail: unverified, wouldBe: 'unverified' } : screening;
}

function firstMatch(results: (Match | null)[]): Match | undefined {
  return results.find((result): result is Match => result !== null);
}

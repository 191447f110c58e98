import type { CallCounter, CheckGuard, CountedCheck, GuardedCheck } from '../lists/types.js';
import type { CachedRoute } from './routes.js';
import type { CheckAndCount, CheckLists } from './screen.js';

/** A check that reads a route in the same round trip (ListStore.checkGuarded). */
export type CheckGuardedBy = (guard: CheckGuard, e164: string, lists: string[], counters: CallCounter[]) => Promise<GuardedCheck>;

/** What the guarded check of one call learnt of its route. */
export type RouteSeen =
  | { kind: 'not-asked' }
  | { kind: 'no-answer' }
  | { kind: 'unchanged' }
  | { kind: 'changed'; text: string | null };

/**
 * A call screened on the route as this process last read it, with checks that read the
 * route in the same round trip: the route read and the check as ONE round trip. When the
 * route changed, the screening made on the old one is to be dropped (`seen` says so) and
 * the call screened again on the route as it is now; such a check answers no match and
 * counted nothing (check-guarded.lua), so nothing of it leaks into the second screening.
 */
export class RouteGuardedChecks {
  private asked = false;
  private answer: RouteSeen | undefined;

  constructor(
    readonly cached: CachedRoute,
    private readonly checkGuarded: CheckGuardedBy,
  ) {}

  readonly check: CheckLists = async (e164, lists) => (await this.checkCounting(e164, lists, [])).results;

  readonly checkCounting: CheckAndCount = async (e164, lists, counters): Promise<CountedCheck> => {
    this.asked = true;
    const reply = await this.checkGuarded(this.cached.guard, e164, lists, counters);
    if (reply.unchanged) {
      this.answer = { kind: 'unchanged' };
      return reply.check;
    }
    this.answer = { kind: 'changed', text: reply.text };
    return { results: lists.map(() => null), counts: counters.map(() => []) };
  };

  /** Read once the screening is done: a check that answered after its deadline counts as no answer. */
  seen(): RouteSeen {
    if (!this.asked) return { kind: 'not-asked' };
    return this.answer ?? { kind: 'no-answer' };
  }
}

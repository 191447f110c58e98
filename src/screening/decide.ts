import { CHANNEL_VARIABLES, screeningVariables } from './channel-variables.js';
import { DEFAULT_UNVERIFIED_ACTION } from './route.js';
import type { Action, Decision, LoggedVerdict, Route, Screening } from './types.js';

/**
 * The route's action for the verdict, and the variables to set first: the four verdict
 * variables always (channel-variables.ts), empty when they do not apply. The queue
 * priority is set for allowed callers only, and only when the route gives one.
 *
 * A would-block call goes on as clear: the clear action, CALLGUARD_VERDICT `clear`, and
 * on a route in observe mode CALLGUARD_WOULD_BLOCK naming what would have blocked it.
 */
export function decide(screening: Screening, route: Route): Decision {
  const wouldBlock = screening.verdict === 'would-block';
  const variables = screeningVariables(wouldBlock ? 'clear' : screening.verdict, screening);
  if (screening.verdict === 'allowed' && route.vipPriority !== undefined) {
    variables[CHANNEL_VARIABLES.queuePriority] = String(route.vipPriority);
  }
  if (route.observe !== undefined) {
    variables[CHANNEL_VARIABLES.wouldBlock] = wouldBlock ? (screening.match?.list ?? screening.wouldBe ?? '') : '';
  }
  return { verdict: screening.verdict, action: actionFor(screening.verdict, route), variables };
}

function actionFor(verdict: LoggedVerdict, route: Route): Action {
  switch (verdict) {
    case 'unverified':
      return route.stir?.onUnverified ?? DEFAULT_UNVERIFIED_ACTION;
    case 'would-block':
      return route.actions.clear;
    // Outbound refusals; a route never gives them, and a refusal is a block.
    case 'outside-hours':
    case 'capped':
    case 'no-consent':
      return route.actions.blocked;
    default:
      return route.actions[verdict];
  }
}

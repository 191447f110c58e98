import { DEFAULT_UNVERIFIED_ACTION } from './route.js';
import type { Action, Decision, LoggedVerdict, Route, Screening } from './types.js';

/** Channel variables callguard sets before it acts, for the dialplan and the CDR. */
export const CHANNEL_VARIABLES = {
  verdict: 'CALLGUARD_VERDICT',
  list: 'CALLGUARD_LIST',
  reason: 'CALLGUARD_REASON',
  number: 'CALLGUARD_NUMBER',
  queuePriority: 'CALLGUARD_QUEUE_PRIORITY',
  /** on a route in observe mode: the list (or `unverified`) that would have blocked the call, else empty */
  wouldBlock: 'CALLGUARD_WOULD_BLOCK',
} as const;

/** Long enough for an operator's note, short enough for a CDR column. */
const MAX_VARIABLE_LENGTH = 128;

/**
 * The route's action for the verdict, and the variables to set first. Verdict, list,
 * reason and number are always set (empty when they do not apply), so a channel that
 * passes callguard twice never keeps a stale value from the first pass. The queue
 * priority is set for allowed callers only, and only when the route gives one.
 *
 * A would-block call goes on as clear: the clear action, CALLGUARD_VERDICT `clear`, and
 * on a route in observe mode CALLGUARD_WOULD_BLOCK naming what would have blocked it.
 */
export function decide(screening: Screening, route: Route): Decision {
  const wouldBlock = screening.verdict === 'would-block';
  const variables: Record<string, string> = {
    [CHANNEL_VARIABLES.verdict]: wouldBlock ? 'clear' : screening.verdict,
    [CHANNEL_VARIABLES.list]: wouldBlock ? '' : (screening.match?.list ?? ''),
    [CHANNEL_VARIABLES.reason]: wouldBlock ? '' : variableText(reasonOf(screening)),
    [CHANNEL_VARIABLES.number]: screening.e164 ?? '',
  };
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

/** The entry's reason for a list match; why the number is malformed or the store unavailable otherwise. */
function reasonOf(screening: Screening): string {
  if (screening.match) return screening.match.reason ?? '';
  return screening.detail ?? '';
}

/**
 * Reasons are free text typed by operators: control characters are dropped so a value
 * cannot break a log line or an AMI/CDR record, and the length is bounded.
 */
export function variableText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_VARIABLE_LENGTH);
}

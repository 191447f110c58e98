import type { Decision, Route, Screening } from './types.js';

/** Channel variables callguard sets before it acts, for the dialplan and the CDR. */
export const CHANNEL_VARIABLES = {
  verdict: 'CALLGUARD_VERDICT',
  list: 'CALLGUARD_LIST',
  reason: 'CALLGUARD_REASON',
  number: 'CALLGUARD_NUMBER',
  queuePriority: 'CALLGUARD_QUEUE_PRIORITY',
} as const;

/** Long enough for an operator's note, short enough for a CDR column. */
const MAX_VARIABLE_LENGTH = 128;

/**
 * The route's action for the verdict, and the variables to set first. Verdict, list,
 * reason and number are always set (empty when they do not apply), so a channel that
 * passes callguard twice never keeps a stale value from the first pass. The queue
 * priority is set for allowed callers only, and only when the route gives one.
 */
export function decide(screening: Screening, route: Route): Decision {
  const variables: Record<string, string> = {
    [CHANNEL_VARIABLES.verdict]: screening.verdict,
    [CHANNEL_VARIABLES.list]: screening.match?.list ?? '',
    [CHANNEL_VARIABLES.reason]: variableText(reasonOf(screening)),
    [CHANNEL_VARIABLES.number]: screening.e164 ?? '',
  };
  if (screening.verdict === 'allowed' && route.vipPriority !== undefined) {
    variables[CHANNEL_VARIABLES.queuePriority] = String(route.vipPriority);
  }
  return { verdict: screening.verdict, action: route.actions[screening.verdict], variables };
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
function variableText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_VARIABLE_LENGTH);
}

import type { LoggedVerdict, Screening } from './types.js';

/**
 * Every channel variable callguard sets or reads, defined once: for the dialplan and the
 * CDR (docs/routes.md, "Channel variables"; docs/outbound.md). Screening owns the names,
 * not the call side, because decide() already names them when it decides.
 */
export const CHANNEL_VARIABLES = {
  verdict: 'CALLGUARD_VERDICT',
  list: 'CALLGUARD_LIST',
  reason: 'CALLGUARD_REASON',
  /** the screened number in E.164; on a dialler's call the callee's */
  number: 'CALLGUARD_NUMBER',
  queuePriority: 'CALLGUARD_QUEUE_PRIORITY',
  /** on a route in observe mode: the list (or `unverified`) that would have blocked the call, else empty */
  wouldBlock: 'CALLGUARD_WOULD_BLOCK',
  /** FastAGI: the route's action in its written form, for the dialplan to carry out ([callguard-action]) */
  action: 'CALLGUARD_ACTION',
  /** FastAGI: what a feature came to (listed, cancelled, not-permitted ...), for the dialplan to play */
  featureResult: 'CALLGUARD_FEATURE_RESULT',
  /** the other party's number, which the shipped [queues] hands on to the agent's channel */
  peerNumber: 'CALLGUARD_PEER_NUMBER',
  /** a campaign's call: the dial request, the campaign, the attempt */
  request: 'CALLGUARD_REQUEST',
  campaign: 'CALLGUARD_CAMPAIGN',
  attempt: 'CALLGUARD_ATTEMPT',
  /** one per request attribute whose name can be a variable name: CALLGUARD_ATTR_crm */
  attrPrefix: 'CALLGUARD_ATTR_',
} as const;

/** Long enough for an operator's note, short enough for a CDR column. */
const MAX_VARIABLE_LENGTH = 128;

/** What a screened call's four verdict variables say; absent fields are set empty. */
export interface VerdictFacts {
  verdict: LoggedVerdict;
  list?: string | undefined;
  reason?: string | undefined;
  number?: string | undefined;
}

/**
 * The variables set on every screened call, inbound and outbound, whatever it came to:
 * verdict, list, reason and number, empty when they do not apply, so a channel that
 * passes callguard twice never keeps a stale value from the first pass.
 */
export function verdictVariables(facts: VerdictFacts): Record<string, string> {
  return {
    [CHANNEL_VARIABLES.verdict]: facts.verdict,
    [CHANNEL_VARIABLES.list]: facts.list ?? '',
    [CHANNEL_VARIABLES.reason]: variableText(facts.reason ?? ''),
    [CHANNEL_VARIABLES.number]: facts.number ?? '',
  };
}

/**
 * The verdict variables of a screening, under the verdict the call is acted on by (a
 * would-block call goes on as `clear`, with no list or reason): the list entry's reason
 * for a list match, else why the number was malformed, unavailable or refused.
 */
export function screeningVariables(verdict: LoggedVerdict, screening: Screening): Record<string, string> {
  const number = screening.e164;
  if (screening.verdict === 'would-block') return verdictVariables({ verdict, number });
  const reason = screening.match ? screening.match.reason : screening.detail;
  return verdictVariables({ verdict, list: screening.match?.list, reason, number });
}

/**
 * Reasons are free text typed by operators: control characters are dropped so a value
 * cannot break a log line or an AMI/CDR record, and the length is bounded.
 */
function variableText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_VARIABLE_LENGTH);
}

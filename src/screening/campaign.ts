import { LIST_NAME_PATTERN } from '../lists/keys.js';
import { copyAction, invalidActionReason } from './actions.js';
import { invalidEndpointReason } from './endpoint-template.js';
import { isPolicyName } from './hours/policy.js';
import { invalidObserveReason, type Observe } from './observe.js';
import { isRate, type Rate } from './rate.js';
import { COMPLIANCE_VERDICTS, type Action, type ComplianceVerdict } from './types.js';
import { CAUSES } from './causes.js';

/**
 * Campaign names go into the dialplan as `Stasis(callguard,outbound,<campaign>)` and into
 * Redis key names, so they follow the list-name rule.
 */
export const CAMPAIGN_NAME_PATTERN = LIST_NAME_PATTERN;

/** What one dial of a clear number ended with. */
export type DialOutcome = 'ANSWERED' | 'BUSY' | 'NO_ANSWER' | 'FAILED';
export const DIAL_OUTCOMES: readonly DialOutcome[] = ['ANSWERED', 'BUSY', 'NO_ANSWER', 'FAILED'];

/** Outcomes a campaign may retry, each with its own delay. */
export type RetryOutcome = Exclude<DialOutcome, 'ANSWERED'>;

/**
 * Verdicts on which an agent's outbound call is not dialled, each with its action: a
 * listed number, no number, the lists unreadable, and the compliance rules (outside the
 * campaign's calling hours, the number's cap reached, no consent on record).
 */
export type NotDialledVerdict = 'blocked' | 'hidden' | 'malformed' | 'unavailable' | ComplianceVerdict;
export const NOT_DIALLED_VERDICTS: readonly NotDialledVerdict[] = ['blocked', 'hidden', 'malformed', 'unavailable', 'outside-hours', 'capped', 'no-consent'];

/** Where an answered call continues in the dialplan: the agents' context, or a queue. */
export interface DialplanTarget {
  context: string;
  extension: string;
  priority: number;
}

/** Outbound screening and dialling rules, stored in Redis and read at every attempt. */
export interface Campaign {
  name: string;
  /** lists that block, checked in this order at every attempt */
  block: string[];
  /** region for national numbers (ISO 3166 alpha-2); the service default when absent */
  region?: string;
  /** the channel to originate, with `${NUMBER}`, `${DIGITS}` or `${NATIONAL}` in it */
  endpoint: string;
  callerId?: string;
  /** present a caller id taken from this list at each attempt instead (E.164 numbers only) */
  callerIdList?: CallerIdList;
  dialTimeoutMs: number;
  /** where an answered campaign call continues */
  agent: DialplanTarget;
  /** attempts per request, the first one included */
  maxAttempts: number;
  /** delay before the next attempt per outcome, ms; null: that outcome is not retried */
  retry: Record<RetryOutcome, number | null>;
  /** attempts in progress at once, across every callguard instance */
  maxConcurrent: number;
  /** when the lists cannot be read: `closed` does not dial (and tries again later), `open` dials */
  fail: 'closed' | 'open';
  /** how long a request waits after a check that could not be made before it is tried again */
  unavailableRetryMs: number;
  /** what an agent who dialled a number that is not dialled hears (announce or hang up) */
  actions: Record<NotDialledVerdict, Action>;
  /** a calling-hours policy (`callguard hours`): outside its window nothing is dialled */
  hours?: string;
  /** at most so many attempts to one number within the window, counting every campaign's */
  maxPerNumber?: Rate;
  /** a number not on this list is not dialled */
  requireConsent?: string;
  /** rules computed and recorded as would-block, but not acted on */
  observe?: Observe;
  /**
   * the oldest a block list's data may be (its data date, its oldest part's: source-date.ts):
   * past it nothing is dialled (result LIST_STALE) until the list is loaded again
   */
  maxListAgeMs?: number;
  updatedAt?: number;
  updatedBy?: string;
}

/** A list of the numbers a campaign presents, one taken per attempt in turn or at random. */
export interface CallerIdList {
  list: string;
  order: CallerIdOrder;
}
export const CALLER_ID_ORDERS = ['round-robin', 'random'] as const;
export type CallerIdOrder = (typeof CALLER_ID_ORDERS)[number];

const REGION_PATTERN = /^[A-Z]{2}$/;
/** A caller id as Asterisk takes it: `+4930123456` or `"Sales" <+4930123456>`; one printable line. */
const CALLER_ID_PATTERN = /^[^\x00-\x1f\x7f]{1,80}$/;
const CONTEXT_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;
const EXTENSION_PATTERN = /^[A-Za-z0-9_+*#][A-Za-z0-9_+*#.-]{0,79}$/;

export const MAX_ATTEMPTS_LIMIT = 100;
export const MAX_CONCURRENT_LIMIT = 10_000;
/** Dial timeouts Asterisk accepts for an originate, 1 s to 10 min. */
export const MIN_DIAL_TIMEOUT_MS = 1_000;
export const MAX_DIAL_TIMEOUT_MS = 600_000;
/** Longest retry delay: a year, so a typo such as 5y fails loudly rather than parking a request forever. */
export const MAX_RETRY_DELAY_MS = 366 * 86_400_000;
/** The ages --max-list-age takes: a minute up to the longest delay. */
export const MIN_LIST_AGE_MS = 60_000;
export const MAX_LIST_AGE_MS = MAX_RETRY_DELAY_MS;

export const DEFAULT_CAMPAIGN: Readonly<Omit<Campaign, 'name' | 'endpoint' | 'agent'>> = {
  block: [],
  dialTimeoutMs: 30_000,
  maxAttempts: 3,
  retry: { BUSY: 5 * 60_000, NO_ANSWER: 30 * 60_000, FAILED: 10 * 60_000 },
  maxConcurrent: 1,
  fail: 'closed',
  unavailableRetryMs: 60_000,
  actions: {
    blocked: { type: 'hangup', cause: CAUSES.callRejected },
    hidden: { type: 'hangup', cause: CAUSES.invalidNumberFormat },
    malformed: { type: 'hangup', cause: CAUSES.invalidNumberFormat },
    unavailable: { type: 'hangup', cause: CAUSES.noCircuitAvailable },
    'outside-hours': { type: 'hangup', cause: CAUSES.callRejected },
    capped: { type: 'hangup', cause: CAUSES.callRejected },
    'no-consent': { type: 'hangup', cause: CAUSES.callRejected },
  },
};

export function isCampaignName(name: string): boolean {
  return CAMPAIGN_NAME_PATTERN.test(name);
}

export type CampaignValidation = { ok: true; campaign: Campaign } | { ok: false; reason: string };

/**
 * Checks a campaign as stored (parsed JSON) field by field and returns a clean copy, so a
 * hand-edited or corrupt hash entry becomes a reason to log instead of a wrong dial.
 */
export function validateCampaign(value: unknown): CampaignValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'campaign is not a JSON object' };
  }
  const raw = value as Record<string, unknown>;
  const problem = firstProblem(raw);
  if (problem !== undefined) return { ok: false, reason: problem };
  const retry = raw.retry as Record<RetryOutcome, number | null>;
  const agent = raw.agent as DialplanTarget;
  const actions = raw.actions as Record<NotDialledVerdict, Action>;
  const campaign: Campaign = {
    name: raw.name as string,
    block: [...(raw.block as string[])],
    endpoint: raw.endpoint as string,
    dialTimeoutMs: raw.dialTimeoutMs as number,
    agent: { context: agent.context, extension: agent.extension, priority: agent.priority },
    maxAttempts: raw.maxAttempts as number,
    retry: { BUSY: retry.BUSY, NO_ANSWER: retry.NO_ANSWER, FAILED: retry.FAILED },
    maxConcurrent: raw.maxConcurrent as number,
    fail: raw.fail as Campaign['fail'],
    unavailableRetryMs: raw.unavailableRetryMs as number,
    actions: Object.fromEntries(
      NOT_DIALLED_VERDICTS.map((verdict) => [verdict, copyAction(actions[verdict] ?? DEFAULT_CAMPAIGN.actions[verdict])]),
    ) as Record<NotDialledVerdict, Action>,
  };
  if (typeof raw.hours === 'string') campaign.hours = raw.hours;
  if (raw.maxPerNumber !== undefined) {
    const cap = raw.maxPerNumber as Rate;
    campaign.maxPerNumber = { count: cap.count, windowMs: cap.windowMs };
  }
  if (typeof raw.requireConsent === 'string') campaign.requireConsent = raw.requireConsent;
  if (raw.observe !== undefined) campaign.observe = raw.observe === 'all' ? 'all' : [...(raw.observe as string[])];
  if (typeof raw.region === 'string') campaign.region = raw.region;
  if (typeof raw.callerId === 'string') campaign.callerId = raw.callerId;
  if (typeof raw.maxListAgeMs === 'number') campaign.maxListAgeMs = raw.maxListAgeMs;
  if (raw.callerIdList !== undefined) {
    const pool = raw.callerIdList as CallerIdList;
    campaign.callerIdList = { list: pool.list, order: pool.order };
  }
  if (typeof raw.updatedAt === 'number') campaign.updatedAt = raw.updatedAt;
  if (typeof raw.updatedBy === 'string') campaign.updatedBy = raw.updatedBy;
  return { ok: true, campaign };
}

function firstProblem(raw: Record<string, unknown>): string | undefined {
  if (typeof raw.name !== 'string' || !isCampaignName(raw.name)) {
    return `name ${JSON.stringify(raw.name)} is not a campaign name (a-z, 0-9, _ and -, up to 64)`;
  }
  if (!Array.isArray(raw.block) || raw.block.some((name) => typeof name !== 'string' || !LIST_NAME_PATTERN.test(name))) {
    return `block ${JSON.stringify(raw.block)} is not a list of list names`;
  }
  if (raw.region !== undefined && (typeof raw.region !== 'string' || !REGION_PATTERN.test(raw.region))) {
    return `region ${JSON.stringify(raw.region)} is not a two-letter region code`;
  }
  if (typeof raw.endpoint !== 'string') return 'endpoint is not a string';
  const endpointProblem = invalidEndpointReason(raw.endpoint);
  if (endpointProblem !== undefined) return `endpoint: ${endpointProblem}`;
  if (raw.callerId !== undefined && (typeof raw.callerId !== 'string' || !CALLER_ID_PATTERN.test(raw.callerId))) {
    return `callerId ${JSON.stringify(raw.callerId)} is not one printable line of up to 80 characters`;
  }
  if (raw.callerIdList !== undefined) {
    const pool = raw.callerIdList as Partial<Record<string, unknown>> | null;
    if (typeof pool !== 'object' || pool === null || typeof pool.list !== 'string' || !LIST_NAME_PATTERN.test(pool.list)) {
      return `callerIdList ${JSON.stringify(raw.callerIdList)} does not name a list`;
    }
    if (!(CALLER_ID_ORDERS as readonly unknown[]).includes(pool.order)) {
      return `callerIdList.order ${JSON.stringify(pool.order)} is neither ${CALLER_ID_ORDERS.join(' nor ')}`;
    }
  }
  if (!isWhole(raw.dialTimeoutMs, MIN_DIAL_TIMEOUT_MS, MAX_DIAL_TIMEOUT_MS)) {
    return `dialTimeoutMs ${JSON.stringify(raw.dialTimeoutMs)} is not ${MIN_DIAL_TIMEOUT_MS}-${MAX_DIAL_TIMEOUT_MS} ms`;
  }
  const agentProblem = invalidTargetReason(raw.agent);
  if (agentProblem !== undefined) return `agent: ${agentProblem}`;
  if (!isWhole(raw.maxAttempts, 1, MAX_ATTEMPTS_LIMIT)) {
    return `maxAttempts ${JSON.stringify(raw.maxAttempts)} is not a whole number 1-${MAX_ATTEMPTS_LIMIT}`;
  }
  if (typeof raw.retry !== 'object' || raw.retry === null) return 'retry is not an object';
  const retry = raw.retry as Record<string, unknown>;
  for (const outcome of ['BUSY', 'NO_ANSWER', 'FAILED'] as const) {
    const delay = retry[outcome];
    if (delay !== null && !isWhole(delay, 0, MAX_RETRY_DELAY_MS)) {
      return `retry.${outcome} ${JSON.stringify(delay)} is neither null nor a delay of 0-${MAX_RETRY_DELAY_MS} ms`;
    }
  }
  if (!isWhole(raw.maxConcurrent, 1, MAX_CONCURRENT_LIMIT)) {
    return `maxConcurrent ${JSON.stringify(raw.maxConcurrent)} is not a whole number 1-${MAX_CONCURRENT_LIMIT}`;
  }
  if (raw.fail !== 'closed' && raw.fail !== 'open') return `fail ${JSON.stringify(raw.fail)} is neither "closed" nor "open"`;
  if (!isWhole(raw.unavailableRetryMs, 1_000, MAX_RETRY_DELAY_MS)) {
    return `unavailableRetryMs ${JSON.stringify(raw.unavailableRetryMs)} is not 1000-${MAX_RETRY_DELAY_MS} ms`;
  }
  if (raw.maxListAgeMs !== undefined && !isWhole(raw.maxListAgeMs, MIN_LIST_AGE_MS, MAX_LIST_AGE_MS)) {
    return `maxListAgeMs ${JSON.stringify(raw.maxListAgeMs)} is not ${MIN_LIST_AGE_MS}-${MAX_LIST_AGE_MS} ms`;
  }
  if (typeof raw.actions !== 'object' || raw.actions === null) return 'actions is not an object';
  const actions = raw.actions as Record<string, unknown>;
  for (const verdict of NOT_DIALLED_VERDICTS) {
    // Campaigns stored before the compliance rules have no action for them: the default applies.
    if (actions[verdict] === undefined && (COMPLIANCE_VERDICTS as readonly string[]).includes(verdict)) continue;
    const reason = invalidActionReason(actions[verdict]);
    if (reason !== undefined) return `actions.${verdict}: ${reason}`;
  }
  if (raw.hours !== undefined && (typeof raw.hours !== 'string' || !isPolicyName(raw.hours))) {
    return `hours ${JSON.stringify(raw.hours)} is not a calling-hours policy name`;
  }
  if (raw.maxPerNumber !== undefined && !isRate(raw.maxPerNumber)) {
    return `maxPerNumber ${JSON.stringify(raw.maxPerNumber)} is not {count, windowMs} within the limits`;
  }
  if (raw.requireConsent !== undefined && (typeof raw.requireConsent !== 'string' || !LIST_NAME_PATTERN.test(raw.requireConsent))) {
    return `requireConsent ${JSON.stringify(raw.requireConsent)} is not a list name`;
  }
  if (raw.observe !== undefined) return invalidObserveReason(raw.observe);
  return undefined;
}

export function invalidTargetReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const target = value as Record<string, unknown>;
  if (typeof target.context !== 'string' || !CONTEXT_PATTERN.test(target.context)) {
    return `context ${JSON.stringify(target.context)} is not a dialplan context name`;
  }
  if (typeof target.extension !== 'string' || !EXTENSION_PATTERN.test(target.extension)) {
    return `extension ${JSON.stringify(target.extension)} is not a dialplan extension`;
  }
  if (!isWhole(target.priority, 1, 999_999)) return `priority ${JSON.stringify(target.priority)} is not a whole number from 1`;
  return undefined;
}

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}


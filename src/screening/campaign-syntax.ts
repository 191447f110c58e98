import {
  DEFAULT_CAMPAIGN,
  validateCampaign,
  type CallerIdList,
  type Campaign,
  type DialplanTarget,
  type NotDialledVerdict,
  type RetryOutcome,
} from './campaign.js';
import { formatAction } from './actions.js';
import { CampaignSyntaxError, formatDelay, parseDelay } from './delay-syntax.js';
import type { Observe } from './observe.js';
import type { Rate } from './rate.js';
import type { Action } from './types.js';

/**
 * The written forms of a campaign's settings, as `callguard campaign set` takes them:
 *
 *   --retry busy=5m,noanswer=30m,failed=none   delays per outcome; none = not retried
 *   --context agents[,<exten>[,<priority>]]    where an answered call continues (s, 1)
 *   delays: 0, 30s, 5m, 2h, 1d
 */

// The delay and its error live in a module of their own, which the rules' written forms
// (rate, auto-block) read without importing the campaign's.
export { CampaignSyntaxError, formatDelay, parseDelay };

const RETRY_NAMES: Readonly<Record<string, RetryOutcome>> = {
  busy: 'BUSY',
  noanswer: 'NO_ANSWER',
  'no-answer': 'NO_ANSWER',
  no_answer: 'NO_ANSWER',
  failed: 'FAILED',
};
const RETRY_WRITTEN: Readonly<Record<RetryOutcome, string>> = { BUSY: 'busy', NO_ANSWER: 'noanswer', FAILED: 'failed' };

/** `busy=5m,noanswer=30m,failed=none`: only the outcomes named change. */
export function parseRetrySpec(text: string): Partial<Record<RetryOutcome, number | null>> {
  const spec: Partial<Record<RetryOutcome, number | null>> = {};
  for (const part of text.split(',')) {
    const [name = '', delay, extra] = part.split('=');
    const outcome = RETRY_NAMES[name.trim().toLowerCase()];
    if (!outcome || delay === undefined || extra !== undefined) {
      throw new CampaignSyntaxError(`"${part}" in --retry: write busy=<delay>, noanswer=<delay> or failed=<delay>`);
    }
    spec[outcome] = parseDelay(delay);
  }
  return spec;
}

export function formatRetrySpec(retry: Record<RetryOutcome, number | null>): string {
  return (Object.keys(RETRY_WRITTEN) as RetryOutcome[])
    .map((outcome) => `${RETRY_WRITTEN[outcome]}=${formatDelay(retry[outcome])}`)
    .join(',');
}

/** `agents`, `agents,s`, `queues,sales,1`: a missing extension is `s`, a missing priority 1. */
export function parseDialplanTarget(text: string): DialplanTarget {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length > 3 || parts.some((part) => part === '')) {
    throw new CampaignSyntaxError(`"${text}" is not a dialplan target: write <context>[,<exten>[,<priority>]]`);
  }
  const [context = '', extension = 's', priority = '1'] = parts;
  if (!/^[1-9][0-9]{0,5}$/.test(priority)) throw new CampaignSyntaxError(`priority "${priority}" in "${text}" is not a whole number from 1`);
  return { context, extension, priority: Number(priority) };
}

export function formatDialplanTarget(target: DialplanTarget): string {
  return `${target.context},${target.extension},${target.priority}`;
}

/** What one `campaign set` changes; absent fields keep their value. */
export interface CampaignChanges {
  block?: string[];
  region?: string | null;
  endpoint?: string;
  callerId?: string | null;
  /** the list, the order, or both; null removes the caller id list */
  callerIdList?: Partial<CallerIdList> | null;
  dialTimeoutMs?: number;
  agent?: DialplanTarget;
  maxAttempts?: number;
  retry?: Partial<Record<RetryOutcome, number | null>>;
  maxConcurrent?: number;
  fail?: Campaign['fail'];
  unavailableRetryMs?: number;
  /** null: no age limit */
  maxListAgeMs?: number | null;
  actions?: Partial<Record<NotDialledVerdict, Action>>;
  /** null: no calling-hours policy */
  hours?: string | null;
  maxPerNumber?: Rate | null;
  requireConsent?: string | null;
  observe?: Observe | null;
}

/**
 * The campaign after `changes`: merged onto `existing`, or onto the defaults for a new
 * one (which must name its endpoint and agent context). Throws CampaignSyntaxError with
 * the first invalid field; nothing is stored here.
 */
export function applyCampaignChanges(
  name: string,
  existing: Campaign | undefined,
  changes: CampaignChanges,
  stamp: { at: number; by: string },
): Campaign {
  for (const [verdict, action] of Object.entries(changes.actions ?? {})) {
    // An agent's call to a blocked number, or one that cannot be checked, must not go out: only hidden and malformed may continue.
    if (action.type === 'continue' && verdict !== 'hidden' && verdict !== 'malformed') {
      throw new CampaignSyntaxError(`on ${verdict} ${formatAction(action)}: a number that is not dialled gets hangup or announce`);
    }
  }
  const endpoint = changes.endpoint ?? existing?.endpoint;
  const agent = changes.agent ?? existing?.agent;
  if (endpoint === undefined || agent === undefined) {
    throw new CampaignSyntaxError(`campaign ${name} is new: give it --endpoint and --context`);
  }
  const base = existing ?? { ...DEFAULT_CAMPAIGN, name, endpoint, agent };
  const merged: Campaign = {
    ...base,
    name,
    block: changes.block ?? base.block,
    endpoint,
    agent,
    dialTimeoutMs: changes.dialTimeoutMs ?? base.dialTimeoutMs,
    maxAttempts: changes.maxAttempts ?? base.maxAttempts,
    retry: { ...base.retry, ...changes.retry },
    maxConcurrent: changes.maxConcurrent ?? base.maxConcurrent,
    fail: changes.fail ?? base.fail,
    unavailableRetryMs: changes.unavailableRetryMs ?? base.unavailableRetryMs,
    actions: { ...base.actions, ...changes.actions },
    updatedAt: stamp.at,
    updatedBy: stamp.by,
  };
  if (changes.region === null) delete merged.region;
  else if (changes.region !== undefined) merged.region = changes.region;
  if (changes.callerId === null) delete merged.callerId;
  else if (changes.callerId !== undefined) merged.callerId = changes.callerId;
  if (changes.maxListAgeMs === null) delete merged.maxListAgeMs;
  else if (changes.maxListAgeMs !== undefined) merged.maxListAgeMs = changes.maxListAgeMs;
  if (changes.callerIdList === null) delete merged.callerIdList;
  else if (changes.callerIdList !== undefined) {
    const list = changes.callerIdList.list ?? base.callerIdList?.list;
    if (list === undefined) throw new CampaignSyntaxError(`campaign ${name}: a caller id order needs a caller id list (--caller-id-list)`);
    merged.callerIdList = { list, order: changes.callerIdList.order ?? base.callerIdList?.order ?? 'round-robin' };
  }
  for (const field of ['hours', 'maxPerNumber', 'requireConsent', 'observe'] as const) {
    if (changes[field] === null) delete merged[field];
    else if (changes[field] !== undefined) Object.assign(merged, { [field]: changes[field] });
  }
  if (merged.requireConsent !== undefined && merged.block.includes(merged.requireConsent)) {
    throw new CampaignSyntaxError(`campaign ${name}: list ${merged.requireConsent} cannot both block and hold consent`);
  }
  const checked = validateCampaign(merged);
  if (!checked.ok) throw new CampaignSyntaxError(`campaign ${name}: ${checked.reason}`);
  return checked.campaign;
}

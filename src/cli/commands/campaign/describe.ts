import { NOT_DIALLED_VERDICTS, type Campaign } from '../../../screening/campaign.js';
import { formatDelay, formatDialplanTarget, formatRetrySpec } from '../../../screening/campaign-syntax.js';
import { CampaignStore } from '../../../screening/campaigns.js';
import { formatObserve } from '../../../screening/observe.js';
import { formatRate } from '../../../screening/rate.js';
import { CliError } from '../../../front-door/errors.js';
import { describeAction, fields, isoTime } from '../../../front-door/format.js';
import type { CliContext } from '../../context.js';

export async function readCampaign(context: CliContext, name: string): Promise<Campaign> {
  const lookup = await new CampaignStore(await context.redis(), context.namespace).get(name);
  if (lookup.kind === 'missing') throw new CliError(`no campaign named ${name} (see: callguard campaign list)`);
  if (lookup.kind === 'invalid') {
    throw new CliError(`campaign ${name} is stored but invalid: ${lookup.reason} (fix it with: callguard campaign set ${name} ...)`);
  }
  return lookup.campaign;
}

/** The lines of `campaign show` (and of `campaign set`'s answer). */
export function describeCampaign(campaign: Campaign, missing: string[], extra: [string, string][] = []): string[] {
  const block =
    campaign.block.length === 0 ? 'none' : campaign.block.map((list) => (missing.includes(list) ? `${list} (missing: nothing is dialled)` : list)).join(', ');
  return fields([
    ['campaign', campaign.name],
    ['block', block],
    ['region', campaign.region ?? "serve's default"],
    ['endpoint', campaign.endpoint],
    ['caller id', campaign.callerId ?? "trunk's default"],
    ['caller id list', campaign.callerIdList === undefined ? undefined : `${campaign.callerIdList.list} (${campaign.callerIdList.order}; the caller id above when it has no number)`],
    ['dial timeout', formatDelay(campaign.dialTimeoutMs)],
    ['answered go to', formatDialplanTarget(campaign.agent)],
    ['max attempts', String(campaign.maxAttempts)],
    ['retry', formatRetrySpec(campaign.retry)],
    ['max concurrent', String(campaign.maxConcurrent)],
    ['lists unreadable', campaign.fail === 'closed' ? `not dialled, tried again after ${formatDelay(campaign.unavailableRetryMs)}` : 'dialled within the calling hours and the cap (fails open)'],
    ['calling hours', campaign.hours ?? 'none'],
    ['max per number', campaign.maxPerNumber === undefined ? 'none' : `${formatRate(campaign.maxPerNumber)} (every campaign's attempts count)`],
    ['consent', campaign.requireConsent === undefined ? 'not required' : `required: list ${missing.includes(campaign.requireConsent) ? `${campaign.requireConsent} (missing: nothing is dialled)` : campaign.requireConsent}`],
    ['observe', formatObserve(campaign.observe)],
    ['max list age', campaign.maxListAgeMs === undefined ? 'none' : `${formatDelay(campaign.maxListAgeMs)} (older: LIST_STALE, not dialled)`],
    ...NOT_DIALLED_VERDICTS.map((verdict): [string, string] => [`agent on ${verdict}`, describeAction(campaign.actions[verdict])]),
    ['updated', campaign.updatedAt === undefined ? undefined : `${isoTime(campaign.updatedAt)} by ${campaign.updatedBy ?? 'unknown'}`],
    ...extra,
  ]);
}

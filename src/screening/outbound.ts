import { staleLists, type ListSource } from '../lists/source-date.js';
import type { Match } from '../lists/types.js';
import { normalize } from '../numbers/normalize.js';
import type { Campaign, NotDialledVerdict } from './campaign.js';
import { withDeadline } from './deadline.js';
import { renderEndpoint } from './endpoint-template.js';
import type { Action, Screening } from './types.js';

/**
 * How long an outbound check waits for Redis. Nobody is ringing yet, so it can be more
 * patient than the inbound 150 ms; past it the verdict is `unavailable` and the campaign
 * fails closed (not dialled) unless it says otherwise.
 */
export const DEFAULT_OUTBOUND_CHECK_DEADLINE_MS = 2_000;

/** The part of ListStore a check needs: one result per list, in one round trip; and the lists' data dates. */
export interface BlockListReader {
  checkEach(e164: string, lists: string[]): Promise<(Match | null)[]>;
  sources(lists: string[]): Promise<Map<string, ListSource | undefined>>;
}

/**
 * The block lists of a campaign whose data is older than its --max-list-age, in campaign
 * order; empty without a limit. The law counts the age of the copy a number is dialled
 * against, so a stale list stops the campaign whatever it says of the number (fail
 * closed, also for a campaign that fails open when the lists cannot be read).
 */
export async function staleBlockLists(
  campaign: Pick<Campaign, 'block' | 'maxListAgeMs'>,
  lists: BlockListReader,
  now: number,
): Promise<{ list: string; ageMs: number }[]> {
  if (campaign.maxListAgeMs === undefined || campaign.block.length === 0) return [];
  return staleLists(await lists.sources(campaign.block), campaign.block, campaign.maxListAgeMs, now);
}

/** Why a campaign does not dial now, for its result and `campaign show`. */
export function describeStale(stale: { list: string; ageMs: number }[], maxListAgeMs: number): string {
  const day = 86_400_000;
  const ages = stale.map(({ list, ageMs }) => `${list} is ${(ageMs / day).toFixed(1)} days old`).join(', ');
  return `${ages}: older than --max-list-age ${(maxListAgeMs / day).toFixed(0)}d; nothing is dialled until it is loaded again`;
}

/**
 * Screens a callee against a campaign's block lists as they are now. Outbound has no
 * allow lists: the verdict is clear, blocked (first list in campaign order that matches),
 * hidden, malformed, or unavailable — when Redis fails or is late, and also when a block
 * list does not exist, because dialling around a missing do-not-call list is the failure
 * that must not happen. Never rejects.
 */
export async function screenCallee(
  number: string,
  campaign: Pick<Campaign, 'block' | 'region'>,
  lists: Pick<BlockListReader, 'checkEach'>,
  options: { defaultRegion?: string; deadlineMs?: number } = {},
): Promise<Screening> {
  const normalized = normalize(number, campaign.region ?? options.defaultRegion);
  if (normalized.kind === 'hidden') return { verdict: 'hidden' };
  if (normalized.kind === 'malformed') return { verdict: 'malformed', detail: normalized.reason };
  const e164 = normalized.e164;
  if (campaign.block.length === 0) return { verdict: 'clear', e164 };
  const checked = await withDeadline(
    () => lists.checkEach(e164, campaign.block),
    options.deadlineMs ?? DEFAULT_OUTBOUND_CHECK_DEADLINE_MS,
  );
  if (!checked.ok) return { verdict: 'unavailable', e164, detail: checked.reason };
  const match = checked.value.find((found): found is Match => found !== null);
  return match ? { verdict: 'blocked', e164, match } : { verdict: 'clear', e164 };
}

/** What an agent's outbound call gets: the channel to originate, or the action instead. */
export type AgentCallDecision =
  | { kind: 'dial'; e164: string; endpoint: string; verdict: 'clear' | 'unavailable' }
  | { kind: 'refuse'; verdict: NotDialledVerdict; action: Action };

/**
 * The pure decision for an agent dialling out through `Stasis(callguard,outbound,<campaign>)`:
 * dial a clear number (and, when the campaign fails open, one whose lists could not be
 * read); otherwise the campaign's action for the verdict (announce or hang up).
 */
export function decideAgentCall(screening: Screening, campaign: Pick<Campaign, 'endpoint' | 'fail' | 'actions'>): AgentCallDecision {
  const { verdict, e164 } = screening;
  if (e164 !== undefined && (verdict === 'clear' || (verdict === 'unavailable' && campaign.fail === 'open'))) {
    return { kind: 'dial', e164, endpoint: renderEndpoint(campaign.endpoint, e164), verdict };
  }
  const refused: NotDialledVerdict =
    verdict === 'blocked' || verdict === 'hidden' || verdict === 'malformed' ? verdict : 'unavailable';
  return { kind: 'refuse', verdict: refused, action: campaign.actions[refused] };
}

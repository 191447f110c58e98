import type { ListStore } from '../lists/store.js';
import type { Actor, EntryMember } from '../lists/types.js';
import type { Campaign } from './campaign.js';

export interface CampaignCancellation {
  lists: { list: string; cancelled: EntryMember[]; notListed: EntryMember[] }[];
  /** block lists of the campaign that do not exist (skipped) */
  missingLists: string[];
}

/**
 * Cancels `members` on every block list of a campaign, as WombatDialer's
 * cancelBlacklist with a campaign does. A list that does not exist is reported and
 * skipped rather than ending the work half-way.
 */
export async function cancelOnCampaign(
  store: ListStore,
  campaign: Campaign,
  members: EntryMember[],
  actor: Actor & { reason: string },
): Promise<CampaignCancellation> {
  const result: CampaignCancellation = { lists: [], missingLists: [] };
  for (const list of campaign.block) {
    if (await store.hasList(list)) result.lists.push({ list, ...(await store.cancel(list, members, actor)) });
    else result.missingLists.push(list);
  }
  return result;
}

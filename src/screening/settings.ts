import type { ListStore } from '../lists/store.js';
import { applyCampaignChanges, type CampaignChanges } from './campaign-syntax.js';
import type { Campaign } from './campaign.js';
import type { CampaignStore } from './campaigns.js';
import { applyRouteChanges, type RouteChanges } from './route.js';
import type { RouteStore } from './routes.js';
import type { Route } from './types.js';

/**
 * `route set` and `campaign set` for every front door: read what is stored, refuse
 * lists that do not exist (unless allowed), merge the changes, validate, store.
 */

/** A route or campaign names lists that do not exist, and missing lists were not allowed; nothing was saved. */
export class MissingListsError extends Error {
  constructor(readonly lists: string[]) {
    super(`no list named ${lists.join(', ')}`);
    this.name = 'MissingListsError';
  }
}

/** Those of `lists` that do not exist, in their order. */
export async function missingLists(store: ListStore, lists: readonly string[]): Promise<string[]> {
  if (lists.length === 0) return [];
  const exists = await Promise.all(lists.map((list) => store.hasList(list)));
  return lists.filter((_, i) => !exists[i]);
}

export interface SetOutcome<T> {
  created: boolean;
  /** why the stored version could not be read (it was replaced, starting from the defaults) */
  replacedInvalid?: string;
  saved: T;
  /** lists named by the change that do not exist (saved anyway: allowMissingLists) */
  missing: string[];
}

/** Creates or changes a route; throws MissingListsError or RouteChangeError, saving nothing. */
export async function setRoute(
  routes: RouteStore,
  store: ListStore,
  name: string,
  changes: RouteChanges,
  options: { allowMissingLists: boolean },
): Promise<SetOutcome<Route>> {
  const existing = await routes.get(name);
  const missing = await missingLists(store, [...(changes.block ?? []), ...(changes.allow ?? [])]);
  if (missing.length > 0 && !options.allowMissingLists) throw new MissingListsError(missing);
  const saved = applyRouteChanges(name, existing.kind === 'found' ? existing.route : undefined, changes);
  await routes.set(saved);
  return { created: existing.kind !== 'found', ...(existing.kind === 'invalid' ? { replacedInvalid: existing.reason } : {}), saved, missing };
}

/** Creates or changes a campaign; throws MissingListsError or CampaignSyntaxError, saving nothing. */
export async function setCampaign(
  campaigns: CampaignStore,
  store: ListStore,
  name: string,
  changes: CampaignChanges,
  options: { allowMissingLists: boolean; at: number; by: string },
): Promise<SetOutcome<Campaign>> {
  const existing = await campaigns.get(name);
  const callerIds = changes.callerIdList?.list === undefined ? [] : [changes.callerIdList.list];
  const missing = await missingLists(store, [...(changes.block ?? []), ...callerIds]);
  if (missing.length > 0 && !options.allowMissingLists) throw new MissingListsError(missing);
  const saved = applyCampaignChanges(name, existing.kind === 'found' ? existing.campaign : undefined, changes, { at: options.at, by: options.by });
  await campaigns.set(saved);
  return { created: existing.kind !== 'found', ...(existing.kind === 'invalid' ? { replacedInvalid: existing.reason } : {}), saved, missing };
}

import type { ListStore } from '../lists/store.js';
import { applyCampaignChanges, type CampaignChanges } from './campaign-syntax.js';
import type { Campaign } from './campaign.js';
import type { CampaignStore } from './campaigns.js';
import type { PolicyLookup } from './hours/store.js';
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
  const filled = (changes.autoBlock ?? []).map((rule) => rule.list);
  const missing = await missingLists(store, [...new Set([...(changes.block ?? []), ...(changes.allow ?? []), ...filled])]);
  if (missing.length > 0 && !options.allowMissingLists) throw new MissingListsError(missing);
  const saved = applyRouteChanges(name, existing.kind === 'found' ? existing.route : undefined, changes);
  await routes.set(saved);
  return { created: existing.kind !== 'found', ...(existing.kind === 'invalid' ? { replacedInvalid: existing.reason } : {}), saved, missing };
}

/** A campaign names a calling-hours policy that does not exist, or a consent list that does not record consent; nothing was saved. */
export class CampaignRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignRuleError';
  }
}

/**
 * Creates or changes a campaign; throws MissingListsError, CampaignRuleError or
 * CampaignSyntaxError, saving nothing. `policies` reads calling-hours policies, so a
 * campaign never names one that does not exist; without it the dialer finds out (and
 * dials nothing) at the first attempt.
 */
export async function setCampaign(
  campaigns: CampaignStore,
  store: ListStore,
  name: string,
  changes: CampaignChanges,
  options: { allowMissingLists: boolean; at: number; by: string; policies?: (name: string) => Promise<PolicyLookup> },
): Promise<SetOutcome<Campaign>> {
  const existing = await campaigns.get(name);
  const consent = changes.requireConsent ?? undefined;
  const callerIds = changes.callerIdList?.list === undefined ? [] : [changes.callerIdList.list];
  const missing = await missingLists(store, [...(changes.block ?? []), ...callerIds, ...(consent === undefined ? [] : [consent])]);
  if (missing.length > 0 && !options.allowMissingLists) throw new MissingListsError(missing);
  if (consent !== undefined && !missing.includes(consent) && !(await store.listSettings(consent)).consent) {
    throw new CampaignRuleError(`list ${consent} does not record consent: mark it with callguard list set ${consent} --consent (every add then needs --ref, and its audit is kept)`);
  }
  if (typeof changes.hours === 'string' && options.policies) {
    const policy = await options.policies(changes.hours);
    if (policy.kind === 'missing') throw new CampaignRuleError(`no calling-hours policy named ${changes.hours} (see: callguard hours list)`);
    if (policy.kind === 'invalid') throw new CampaignRuleError(`calling-hours policy ${changes.hours} is stored but invalid: ${policy.reason}`);
  }
  const saved = applyCampaignChanges(name, existing.kind === 'found' ? existing.campaign : undefined, changes, { at: options.at, by: options.by });
  await campaigns.set(saved);
  return { created: existing.kind !== 'found', ...(existing.kind === 'invalid' ? { replacedInvalid: existing.reason } : {}), saved, missing };
}

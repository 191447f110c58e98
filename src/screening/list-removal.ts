import type { RedisClient } from '../redis/connect.js';
import { ListStore } from '../lists/store.js';
import type { Actor } from '../lists/types.js';
import { CampaignStore } from './campaigns.js';
import { RouteStore } from './routes.js';

/** A route or campaign that names a list, and as what. */
export interface ListUse {
  kind: 'route' | 'campaign';
  name: string;
  as: 'block' | 'allow';
}

/**
 * Removing a list that a route or campaign still names does not stop that route or
 * campaign: a route's block list then matches nothing (its callers get through), and a
 * campaign dials nothing until the list exists again. So removal is refused while a list
 * is named, unless forced.
 */
export class ListInUseError extends Error {
  constructor(
    readonly list: string,
    readonly uses: ListUse[],
  ) {
    super(`list ${list} is named by ${uses.map((use) => `${use.kind} ${use.name} (${use.as})`).join(', ')}`);
    this.name = 'ListInUseError';
  }
}

/** Every route and campaign that names `list`: routes first, each in name order (as the stores list them). */
export async function listUses(redis: RedisClient, namespace: string, list: string): Promise<ListUse[]> {
  const [routes, campaigns] = await Promise.all([new RouteStore(redis, namespace).list(), new CampaignStore(redis, namespace).list()]);
  const uses: ListUse[] = [];
  for (const route of routes.routes) {
    if (route.block.includes(list)) uses.push({ kind: 'route', name: route.name, as: 'block' });
    if (route.allow.includes(list)) uses.push({ kind: 'route', name: route.name, as: 'allow' });
  }
  for (const campaign of campaigns.campaigns) {
    if (campaign.block.includes(list)) uses.push({ kind: 'campaign', name: campaign.name, as: 'block' });
  }
  return uses;
}

/**
 * The uses of `list`; throws ListInUseError when there are any and the removal is not
 * forced. A front door that asks for confirmation calls it first, so nobody confirms a
 * removal that is then refused.
 */
export async function assertRemovable(redis: RedisClient, namespace: string, list: string, options: { force: boolean }): Promise<ListUse[]> {
  const uses = await listUses(redis, namespace, list);
  if (uses.length > 0 && !options.force) throw new ListInUseError(list, uses);
  return uses;
}

/**
 * Removes a list with its entries and cancellations (its audit stream stays). Refuses
 * with ListInUseError while a route or campaign names it, unless `force`; returns the
 * uses left naming a list that is gone.
 */
export async function removeList(
  redis: RedisClient,
  namespace: string,
  list: string,
  actor: Actor,
  options: { force: boolean },
): Promise<ListUse[]> {
  const uses = await assertRemovable(redis, namespace, list, options);
  await new ListStore(redis, namespace).removeList(list, actor);
  return uses;
}

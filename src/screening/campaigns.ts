import type { RedisClient } from '../redis/connect.js';
import { globalKeys } from '../lists/keys.js';
import { isCampaignName, validateCampaign, type Campaign } from './campaign.js';
import { CapCounter } from './caps.js';

/** What reading a campaign gave; a corrupt campaign is a value to log, never an exception. */
export type CampaignLookup =
  | { kind: 'found'; campaign: Campaign }
  | { kind: 'missing' }
  | { kind: 'invalid'; reason: string };

export interface CampaignListing {
  campaigns: Campaign[];
  invalid: { name: string; reason: string }[];
}

export class CampaignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignError';
  }
}

/**
 * Campaigns in one Redis hash (`<ns>:campaigns`, name -> JSON). The dialer reads them at
 * every attempt, so a `campaign set` applies to the next attempt without a restart.
 */
export class CampaignStore {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
  ) {
    this.key = globalKeys(namespace).campaigns;
  }

  /** Rejects only when Redis fails. */
  async get(name: string): Promise<CampaignLookup> {
    const text = await this.redis.hget(this.key, name);
    if (text === null) return { kind: 'missing' };
    return parseStoredCampaign(name, text);
  }

  /** Stores the campaign as given (replacing any), after checking it. */
  async set(campaign: Campaign): Promise<void> {
    const checked = validateCampaign(campaign);
    if (!checked.ok) throw new CampaignError(`campaign ${JSON.stringify(campaign.name)} is not valid: ${checked.reason}`);
    await this.redis.hset(this.key, campaign.name, JSON.stringify(checked.campaign));
    await this.refreshCapHorizon();
  }

  /** True when the campaign existed. */
  async remove(name: string): Promise<boolean> {
    const removed = (await this.redis.hdel(this.key, name)) === 1;
    if (removed) await this.refreshCapHorizon();
    return removed;
  }

  /**
   * Attempts are counted for as long as the longest cap of any campaign, so every write of
   * a campaign sets that horizon again (a cap removed lets Redis forget attempts sooner).
   */
  private async refreshCapHorizon(): Promise<void> {
    const { campaigns } = await this.list();
    const longest = Math.max(0, ...campaigns.map((campaign) => campaign.maxPerNumber?.windowMs ?? 0));
    await new CapCounter(this.redis, this.namespace).setHorizon(longest);
  }

  /** Every campaign by name; corrupt ones are listed apart with their reason. */
  async list(): Promise<CampaignListing> {
    const all = await this.redis.hgetall(this.key);
    const listing: CampaignListing = { campaigns: [], invalid: [] };
    for (const name of Object.keys(all).sort()) {
      const lookup = parseStoredCampaign(name, all[name] ?? '');
      if (lookup.kind === 'found') listing.campaigns.push(lookup.campaign);
      else if (lookup.kind === 'invalid') listing.invalid.push({ name, reason: lookup.reason });
    }
    return listing;
  }
}

export function parseStoredCampaign(name: string, text: string): CampaignLookup {
  if (!isCampaignName(name)) return { kind: 'invalid', reason: `${JSON.stringify(name)} is not a campaign name` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `stored campaign is not JSON: ${(error as Error).message}` };
  }
  const checked = validateCampaign(parsed);
  if (!checked.ok) return { kind: 'invalid', reason: checked.reason };
  if (checked.campaign.name !== name) {
    return { kind: 'invalid', reason: `stored under ${JSON.stringify(name)} but named ${JSON.stringify(checked.campaign.name)}` };
  }
  return { kind: 'found', campaign: checked.campaign };
}

import { CampaignSyntaxError } from '../screening/campaign-syntax.js';
import { RouteChangeError } from '../screening/route.js';
import { MissingListsError } from '../screening/settings.js';
import { UsageError } from './errors.js';

/**
 * The usage error of a `route set` or `campaign set` that saved nothing: a list that does
 * not exist, or a change that does not make a valid route or campaign.
 */
export function setUsageError(error: unknown): unknown {
  if (error instanceof MissingListsError) {
    return new UsageError(`${error.message}: create it first (callguard list create <name>) or pass --allow-missing-lists; nothing was saved`);
  }
  if (error instanceof RouteChangeError || error instanceof CampaignSyntaxError) return new UsageError(`${error.message}; nothing was saved`);
  return error;
}

import { CampaignSyntaxError } from '../screening/campaign-syntax.js';
import { RouteChangeError } from '../screening/route.js';
import { MissingListsError } from '../screening/settings.js';
import type { CliContext } from './context.js';
import { UsageError } from '../front-door/errors.js';
import { existingListNames, withSuggestions } from './missing-list.js';

/**
 * The usage error of a `route set` or `campaign set` that saved nothing: a list that does
 * not exist (with the close existing names: a typo is the usual cause), or a change that
 * does not make a valid route or campaign.
 */
export async function setUsageError(error: unknown, context: CliContext): Promise<unknown> {
  if (error instanceof MissingListsError) {
    // A suggestion is a courtesy: if the names cannot be read, the lists are named as they are.
    const named = withSuggestions(error.lists, await existingListNames(context).catch(() => []));
    return new UsageError(`no list named ${named}: create it first (callguard list create <name>) or pass --allow-missing-lists; nothing was saved`);
  }
  if (error instanceof RouteChangeError || error instanceof CampaignSyntaxError) return new UsageError(`${error.message}; nothing was saved`);
  return error;
}

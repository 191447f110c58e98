import type { Command } from 'commander';
import { CampaignStore } from '../../../screening/campaigns.js';
import { table } from '../../../front-door/format.js';
import { campaignJson } from '../../../front-door/json-shapes.js';
import type { CliIo } from '../../context.js';
import { withContext } from '../../with-context.js';

export function registerCampaignList(campaign: Command, io: CliIo): void {
  campaign
    .command('list')
    .description('list every campaign')
    .addHelpText('after', '\nExample:\n  $ callguard campaign list\n\nJSON: {"campaigns":[{...as campaign show}],"invalid":[{"name","reason"}]}')
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const listing = await new CampaignStore(await context.redis(), context.namespace).list();
        const lines =
          listing.campaigns.length === 0 && listing.invalid.length === 0
            ? ['no campaigns yet (create one with: callguard campaign set <name> --endpoint ... --context ...)']
            : table(
                ['CAMPAIGN', 'BLOCK', 'REGION', 'ENDPOINT', 'ATTEMPTS', 'CONCURRENT'],
                [
                  ...listing.campaigns.map((c) => [c.name, c.block.join(','), c.region, c.endpoint, String(c.maxAttempts), String(c.maxConcurrent)]),
                  ...listing.invalid.map((bad) => [bad.name, `INVALID: ${bad.reason}`]),
                ],
              );
        context.print(lines, { campaigns: listing.campaigns.map(campaignJson), invalid: listing.invalid });
      }),
    );
}

import type { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { registerCampaignList } from './list.js';
import { registerCampaignReport } from './report.js';
import { registerCampaignRm } from './rm.js';
import { registerCampaignSet } from './set.js';
import { registerCampaignShow } from './show.js';

/** `callguard campaign`: one file per subcommand in this folder. */
export function registerCampaign(program: Command, io: CliIo): void {
  const campaign = program
    .command('campaign')
    .description('outbound campaigns: block lists, endpoint, retries and pacing of dial requests')
    .addHelpText(
      'after',
      `
Every attempt checks the callee against the campaign's block lists as they are then;
a blocked number is never dialled (result BLACKLISTED). A change applies to the next
attempt; serve needs no restart. Syntax and semantics: docs/outbound.md`,
    );
  registerCampaignSet(campaign, io);
  registerCampaignShow(campaign, io);
  registerCampaignRm(campaign, io);
  registerCampaignList(campaign, io);
  registerCampaignReport(campaign, io);
}

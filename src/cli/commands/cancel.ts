import { Option, type Command } from 'commander';
import { cancelOnCampaign } from '../../screening/campaign-cancel.js';
import { CampaignStore } from '../../screening/campaigns.js';
import type { CliContext, CliIo } from '../context.js';
import { CliError, EXIT_NOTHING_CANCELLED, UsageError } from '../../front-door/errors.js';
import { existingListNames, withSuggestions } from '../missing-list.js';
import { extensionNotes, readEntries } from '../../front-door/number-input.js';
import { byOption, defaultActor, parseCampaignName, parseListName, reasonOption, regionOption } from '../options.js';
import { withContext } from '../with-context.js';
import { requireReplicas } from '../replication.js';

interface CancelOptions {
  list?: string;
  campaign?: string;
  reason: string;
  by?: string;
  region?: string;
}

export function registerCancel(program: Command, io: CliIo): void {
  program
    .command('cancel')
    .description('cancel entries of a list: they stop matching, the cancellation stays visible')
    .argument('<numbers...>', 'numbers or prefixes (ending in *), as they were added')
    .addOption(new Option('-l, --list <name>', 'the list to cancel from (or --campaign)').argParser(parseListName).conflicts('campaign'))
    .addOption(
      new Option('-c, --campaign <name>', "cancel on every block list of this campaign (WombatDialer's cancelBlacklist)")
        .argParser(parseCampaignName)
        .conflicts('list'),
    )
    .addOption(reasonOption('why, shown by show (required)').makeOptionMandatory())
    .addOption(byOption())
    .addOption(regionOption())
    .addHelpText(
      'after',
      `
A number that is not on the list is reported and left alone. Exit code 0 when at
least one entry was cancelled, 4 when none of them was listed (nothing changed),
2 for an invalid number (nothing cancelled), 5 when no replica confirmed the
cancellation in time (Redis Sentinel or Cluster, see --redis-wait-replicas: it is
in effect, but a failover could undo it). Adding a cancelled number again works.

With --campaign, the numbers are cancelled on each of the campaign's block lists (a
list that does not exist is reported and skipped); national numbers are read with the
campaign's region unless --region says otherwise. Exit code 4 when no list had any of
them.

Examples:
  $ callguard cancel +4930123456 --list dnc --reason "consent given 2026-11-02"
  $ callguard cancel '+1900*' --list premium --reason "range reassigned" --by alice
  $ callguard cancel '030 1234567' --campaign sales --reason "customer asked to be called"

JSON: {"list","cancelled":[member...],"notListed":[member...]}
  with --campaign: {"campaign","lists":[{"list","cancelled","notListed"}...],"missingLists":[name...]}`,
    )
    .action(async (inputs: string[], options: CancelOptions, command: Command) => {
      if (options.campaign !== undefined) {
        const campaign = options.campaign;
        await withContext(command, io, (context) => cancelForCampaign(context, campaign, inputs, options));
        return;
      }
      if (options.list === undefined) throw new UsageError('name the list to cancel from (--list) or a campaign (--campaign)');
      const list = options.list;
      const entries = readEntries(inputs, options.region);
      await withContext(command, io, async (context) => {
        const store = await context.store();
        const result = await store.cancel(
          list,
          entries.map((entry) => entry.member),
          { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' },
        );
        context.print(
          [
            ...result.cancelled.map((member) => `cancelled ${member} on ${list}`),
            ...result.notListed.map((member) => `not listed ${member} on ${list} (nothing to cancel)`),
          ],
          { list, ...result },
        );
        for (const note of extensionNotes(entries)) io.err(`callguard: note: ${note}`);
        if (result.cancelled.length === 0) {
          throw new CliError(`nothing cancelled: none of the numbers is listed on ${list}`, EXIT_NOTHING_CANCELLED);
        }
        requireReplicas([{ list, ...result }]);
      });
    });
}

async function cancelForCampaign(context: CliContext, name: string, inputs: string[], options: CancelOptions): Promise<void> {
  const redis = await context.redis();
  const lookup = await new CampaignStore(redis, context.namespace).get(name);
  if (lookup.kind === 'missing') throw new CliError(`no campaign named ${name} (see: callguard campaign list)`);
  if (lookup.kind === 'invalid') throw new CliError(`campaign ${name} is stored but invalid: ${lookup.reason}`);
  const entries = readEntries(inputs, options.region ?? lookup.campaign.region);
  const members = entries.map((entry) => entry.member);
  const actor = { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' as const };
  const { lists, missingLists } = await cancelOnCampaign(await context.store(), lookup.campaign, members, actor);
  context.print(
    [
      ...lists.flatMap((result) => [
        ...result.cancelled.map((member) => `cancelled ${member} on ${result.list}`),
        ...result.notListed.map((member) => `not listed ${member} on ${result.list} (nothing to cancel)`),
      ]),
      ...(missingLists.length === 0 ? [] : await missingListLines(context, name, missingLists)),
    ],
    { campaign: name, lists, missingLists },
  );
  for (const note of extensionNotes(entries)) context.io.err(`callguard: note: ${note}`);
  if (lists.every((result) => result.cancelled.length === 0)) {
    throw new CliError(`nothing cancelled: none of the numbers is listed on a block list of campaign ${name}`, EXIT_NOTHING_CANCELLED);
  }
  requireReplicas(lists);
}

async function missingListLines(context: CliContext, campaign: string, missing: string[]): Promise<string[]> {
  const existing = await existingListNames(context);
  return missing.map((list) => `list ${withSuggestions([list], existing)} of campaign ${campaign} does not exist (skipped)`);
}

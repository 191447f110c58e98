import type { Command } from 'commander';
import { DialQueue } from '../../../dialer/queue.js';
import { CampaignStore } from '../../../screening/campaigns.js';
import { CliError } from '../../../front-door/errors.js';
import { count } from '../../../front-door/format.js';
import type { CliIo } from '../../context.js';
import { parseCampaignName } from '../../options.js';
import { withContext } from '../../with-context.js';

export function registerCampaignRm(campaign: Command, io: CliIo): void {
  campaign
    .command('rm')
    .description('remove a campaign; its waiting requests stay and resume if it is set again')
    .argument('<name>', 'campaign name', parseCampaignName)
    .addHelpText('after', '\nExample:\n  $ callguard campaign rm spring-promo\n\nJSON: {"removed":"<name>","waiting":n}')
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const campaigns = new CampaignStore(await context.redis(), context.namespace);
        if (!(await campaigns.remove(name))) throw new CliError(`no campaign named ${name}`);
        const { waiting } = await new DialQueue(await context.redis(), context.namespace).counts(name);
        const note = waiting > 0 ? ` (${count(waiting, 'request waits', 'requests wait')}; they resume if campaign ${name} is set again)` : '';
        context.print(`campaign ${name} removed${note}`, { removed: name, waiting });
      }),
    );
}

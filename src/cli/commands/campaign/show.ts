import type { Command } from 'commander';
import { DialQueue } from '../../../dialer/queue.js';
import { describeStale, staleBlockLists } from '../../../screening/outbound.js';
import { missingLists } from '../../../screening/settings.js';
import { describeListAge } from '../../../front-door/format.js';
import { campaignJson, listSourceJson } from '../../../front-door/json-shapes.js';
import type { CliIo } from '../../context.js';
import { parseCampaignName } from '../../options.js';
import { withContext } from '../../with-context.js';
import { describeCampaign, readCampaign } from './describe.js';

export function registerCampaignShow(campaign: Command, io: CliIo): void {
  campaign
    .command('show')
    .description('show one campaign and how many of its requests wait or are being dialled')
    .argument('<name>', 'campaign name', parseCampaignName)
    .addHelpText(
      'after',
      `
Example:
  $ callguard campaign show sales

JSON: {"campaign":{"name","block":[...],"region":CC|null,"endpoint","callerId":s|null,
       "callerIdList":{"list","order":"round-robin"|"random"}|null,
       "dialTimeout":"30s","context":"agents,s,1","maxAttempts":n,
       "retry":{"busy":"5m","noanswer":"30m","failed":"none"},"maxConcurrent":n,
       "fail":"closed"|"open","unavailableRetry":"1m","actions":{"blocked":"hangup:21",...},
       "maxListAge":"31d"|null,"updatedAt","updatedBy"},"missingLists":[...],
       "lists":[{"list","file","dataDate","ageSeconds","from","oldest","stale"}],"stale":bool,
       "waiting":n,"inFlight":n}
A campaign with --max-list-age dials nothing while a block list's data (its
--source-date or file date; of a list loaded per area code, its oldest area code's,
"oldest" in the JSON) is older: each attempt is recorded as
LIST_STALE and tried again after --unavailable-retry; "NOT DIALLING" says which.`,
    )
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const found = await readCampaign(context, name);
        const store = await context.store();
        const missing = await missingLists(store, [...found.block, ...(found.requireConsent === undefined ? [] : [found.requireConsent])]);
        const counts = await new DialQueue(await context.redis(), context.namespace).counts(name);
        const now = Date.now();
        const sources = await store.sources(found.block);
        const stale = await staleBlockLists(found, store, now);
        const freshness = found.block.map((list) => {
          const data = listSourceJson(sources.get(list), now);
          return { list, ...(data ?? {}), stale: stale.some((entry) => entry.list === list) };
        });
        context.print(
          describeCampaign(found, missing, [
            ...found.block.map((list): [string, string] => [`data of ${list}`, describeListAge(sources.get(list), now)]),
            ...(stale.length > 0 ? [['NOT DIALLING', describeStale(stale, found.maxListAgeMs as number)] as [string, string]] : []),
            ['waiting', `${counts.waiting} (requests serve has taken; new ones may still be in the stream)`],
            ['dialling', String(counts.inFlight)],
          ]),
          { campaign: campaignJson(found), missingLists: missing, lists: freshness, stale: stale.length > 0, ...counts },
        );
      }),
    );
}

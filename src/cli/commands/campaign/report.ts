import { Option, type Command } from 'commander';
import { campaignReport, DEFAULT_REPORT_SCAN } from '../../../dialer/campaign-report.js';
import { DialQueue } from '../../../dialer/queue.js';
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../../../dialer/types.js';
import { isoTime, table } from '../../../front-door/format.js';
import { resultJson } from '../../../front-door/json-shapes.js';
import type { CliIo } from '../../context.js';
import { parseCampaignName, sinceOption } from '../../options.js';
import { withContext } from '../../with-context.js';
import { wholeOption } from './options.js';

export function registerCampaignReport(campaign: Command, io: CliIo): void {
  campaign
    .command('report')
    .description("a campaign's attempts, newest first, with totals per outcome")
    .argument('<name>', 'campaign name', parseCampaignName)
    .addOption(sinceOption('attempts'))
    .addOption(new Option('--outcome <outcome>', 'only attempts with this outcome').choices([...ATTEMPT_OUTCOMES]))
    .addOption(new Option('--limit <n>', 'attempts listed at most (totals count all read)').argParser(wholeOption).default(50))
    .addHelpText(
      'after',
      `
Reads up to ${DEFAULT_REPORT_SCAN} of the newest results of all campaigns.

Examples:
  $ callguard campaign report sales --since 24h
  $ callguard campaign report sales --outcome BLACKLISTED --json

JSON: {"campaign","attempts":[{"request","number","e164","attempt","outcome","list","member",
       "reason","at","final","retryAt","wouldBlock","attrs"}],"totals":{"ANSWERED":n,...},
       "finished":{"ANSWERED":n,...},"wouldBlock":{"BLACKLISTED":n,...},"waiting":n,"inFlight":n}`,
    )
    .action(async (name: string, options: { since?: (now: number) => number; outcome?: AttemptOutcome; limit: number }, command: Command) =>
      withContext(command, io, async (context) => {
        const report = await campaignReport(new DialQueue(await context.redis(), context.namespace), name, {
          limit: options.limit,
          ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
          ...(options.since === undefined ? {} : { since: options.since(Date.now()) }),
        });
        const { attempts: shown, totals, finished, wouldBlock, ...counts } = report;
        const lines =
          shown.length === 0
            ? [`no attempts of campaign ${name}${options.since ? ' in that time' : ''}`]
            : [
                ...table(
                  ['TIME', 'REQUEST', 'NUMBER', 'TRY', 'OUTCOME', 'LIST', 'REASON', 'NEXT'],
                  shown.map((r) => [
                    isoTime(r.at) ?? '',
                    r.request,
                    r.e164 ?? r.number,
                    String(r.attempt),
                    r.wouldBlock === undefined ? r.outcome : `${r.outcome} (would-block: ${r.wouldBlock})`,
                    r.list,
                    r.reason,
                    r.final ? 'final' : (isoTime(r.retryAt) ?? ''),
                  ]),
                ),
                '',
                `totals: ${formatCounts(totals)}`,
                `finished requests: ${formatCounts(finished)}`,
                ...(Object.keys(wouldBlock).length === 0 ? [] : [`would-block (observe mode, dialled): ${formatCounts(wouldBlock)}`]),
              ];
        lines.push(`waiting: ${counts.waiting}, dialling: ${counts.inFlight}`);
        context.print(lines, { campaign: name, attempts: shown.map(resultJson), totals, finished, wouldBlock, ...counts });
      }),
    );
}

function formatCounts(counts: Partial<Record<AttemptOutcome, number>>): string {
  const parts = ATTEMPT_OUTCOMES.filter((outcome) => counts[outcome]).map((outcome) => `${outcome} ${counts[outcome]}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

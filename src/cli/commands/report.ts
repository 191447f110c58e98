import { InvalidArgumentError, Option, type Command } from 'commander';
import { readCallLog, DEFAULT_REPORT_LIMIT, type LoggedCall } from '../../screening/call-log.js';
import { isRouteName } from '../../screening/route.js';
import { VERDICTS, type Verdict } from '../../screening/types.js';
import type { CliIo } from '../context.js';
import { parseDurationOrTime } from '../../front-door/duration.js';
import { count, isoTime, table } from '../../front-door/format.js';
import { callJson } from '../../front-door/json-shapes.js';
import { positiveInteger } from '../options.js';
import { withContext } from '../with-context.js';

const MAX_LIMIT = 100_000;

interface ReportOptions {
  since?: (now: number) => number;
  verdict?: Verdict;
  route?: string;
  limit: number;
}

export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('screened calls from the call log, newest first, with counts per verdict')
    .addOption(
      new Option('--since <when>', 'only calls of the last 30m, 12h, 7d... or since an ISO 8601 time').argParser(parseSince),
    )
    .addOption(new Option('--verdict <verdict>', 'only calls with this verdict').choices([...VERDICTS]))
    .addOption(new Option('--route <name>', 'only calls of this inbound route').argParser(parseRouteFilter))
    .addOption(
      new Option('--limit <n>', 'show at most n calls (the counts cover all)')
        .argParser(positiveInteger(MAX_LIMIT))
        .default(DEFAULT_REPORT_LIMIT),
    )
    .addHelpText(
      'after',
      `
The counts at the end cover every call of the window (--since, --route), whatever
--verdict and --limit say, so "3 blocked of 1,200" reads at a glance. Without --since
the report reads the whole call log (about the last million calls).

Examples:
  $ callguard report --since 1h
  $ callguard report --since 7d --verdict blocked --route support
  $ callguard report --since 2026-11-01 --json | jq '.counts'

JSON: {"since":ISO|null,"total":n,"counts":{"blocked":n,...},
       "calls":[{"id","time","channel","direction","raw","e164","presentation","route",
                 "campaign","verdict","list","reason","action","outcome","feature",
                 "endpoint","via","decisionMs"}]}
An ACTION marked "(caller gone)" was decided, but the caller hung up before it ran
to its end ("outcome":"caller-gone"; "done" when it did, null in older entries).
A route marked "(agi)" was screened over FastAGI. DIRECTION feature: an agent's *9
or feature code (*30, *31, *32), shown as "<code> by <endpoint>", with the list it
wrote to and ACTION list:<list>, cancel:<list> or why nothing changed (not-permitted
...); these are not counted as calls.`,
    )
    .action(async (options: ReportOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const since = options.since?.(Date.now());
        const report = await readCallLog(await context.redis(), context.namespace, {
          limit: options.limit,
          ...(since === undefined ? {} : { since }),
          ...(options.verdict === undefined ? {} : { verdict: options.verdict }),
          ...(options.route === undefined ? {} : { route: options.route }),
        });
        const window = since === undefined ? '' : ` since ${isoTime(since)}`;
        const counts = VERDICTS.map((verdict) => `${verdict} ${report.counts[verdict]}`).join(' · ');
        const lines =
          report.entries.length === 0
            ? [`no ${options.verdict === undefined ? '' : `${options.verdict} `}calls${window}`]
            : table(
                // REASON last: free text of any length would push the columns after it apart.
                ['TIME', 'DIRECTION', 'VERDICT', 'NUMBER', 'RAW', 'ROUTE', 'LIST', 'ACTION', 'MS', 'CHANNEL', 'REASON'],
                report.entries.map((call) => [
                  isoTime(call.time) ?? '',
                  call.direction,
                  call.verdict,
                  call.e164,
                  printable(call.raw),
                  routeColumn(call),
                  call.list,
                  call.outcome === 'caller-gone' ? `${call.action} (caller gone)` : call.action,
                  Number.isFinite(call.decisionMs) ? call.decisionMs.toFixed(2) : undefined,
                  call.channel,
                  call.reason,
                ]),
              );
        context.print([...lines, '', `${count(report.total, 'call', 'calls')}${window}: ${counts}`], {
          since: isoTime(since),
          total: report.total,
          counts: report.counts,
          calls: report.entries.map(callJson),
        });
      }),
    );
}

/** `1h` back from now, or an ISO time; resolved when the command runs. */
function parseSince(text: string): (now: number) => number {
  return parseDurationOrTime(text, -1);
}

function parseRouteFilter(name: string): string {
  if (!isRouteName(name)) throw new InvalidArgumentError(`"${name}" is not a route name`);
  return name;
}

/** A raw caller comes from a SIP header anyone can write: no control characters to the terminal. */
function printable(raw: string): string {
  const visible = raw.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return visible === '' ? '(empty)' : visible;
}

/** The route, the campaign, or for an agent's *9 / feature code what was used and by whom. */
function routeColumn(call: LoggedCall): string | undefined {
  if (call.route !== undefined) return call.via === undefined ? call.route : `${call.route} (${call.via})`;
  if (call.campaign !== undefined) return `campaign ${call.campaign}`;
  if (call.feature !== undefined) return `${call.feature} by ${call.endpoint ?? 'unknown'}`;
  return undefined;
}

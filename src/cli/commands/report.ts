import { Option, type Command } from 'commander';
import { readCallLog, DEFAULT_REPORT_LIMIT, type LoggedCall } from '../../screening/call-log.js';
import { ATTESTATIONS, VERIFICATIONS } from '../../screening/stir-shaken.js';
import { LOGGED_VERDICTS, VERDICTS, type LoggedVerdict } from '../../screening/types.js';
import type { CliIo } from '../context.js';
import { count, isoTime, table } from '../../front-door/format.js';
import { callJson } from '../../front-door/json-shapes.js';
import { parseRouteName, positiveInteger, sinceOption } from '../options.js';
import { withContext } from '../with-context.js';

const MAX_LIMIT = 100_000;

interface ReportOptions {
  since?: (now: number) => number;
  verdict?: LoggedVerdict;
  route?: string;
  limit: number;
}

export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('screened calls from the call log, newest first, with counts per verdict')
    .addOption(sinceOption('calls'))
    .addOption(new Option('--verdict <verdict>', 'only calls with this verdict').choices([...LOGGED_VERDICTS]))
    .addOption(new Option('--route <name>', 'only calls of this inbound route').argParser(parseRouteName))
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

Verdicts beside those of routes: would-block (a rule in observe mode would have blocked;
the call went on as clear), unverified (STIR/SHAKEN), and for agents' outbound calls
outside-hours, capped, no-consent. STIR/SHAKEN verification and attestation, where the
call reported them, are counted on a line of their own.

JSON: {"since":ISO|null,"total":n,"counts":{"blocked":n,...,"would-block":n,...},
       "stir":{"verification":{"passed":n,"failed":n,"not-verified":n},"attestation":{"A":n,"B":n,"C":n}},
       "calls":[{"id","time","channel","direction","raw","e164","presentation","route",
                 "campaign","verdict","wouldBe","list","reason","action","outcome",
                 "verification","attestation","feature","endpoint","via","decisionMs"}]}
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
        // The route verdicts always, the others when any call had them.
        const counts = LOGGED_VERDICTS.filter((verdict) => (VERDICTS as readonly string[]).includes(verdict) || report.counts[verdict] > 0)
          .map((verdict) => `${verdict} ${report.counts[verdict]}`)
          .join(' · ');
        const verified = VERIFICATIONS.reduce((sum, verification) => sum + report.stir.verification[verification], 0);
        const stir =
          verified === 0
            ? []
            : [
                `stir/shaken: ${VERIFICATIONS.map((verification) => `${verification} ${report.stir.verification[verification]}`).join(' · ')}` +
                  ` (attestation ${ATTESTATIONS.map((level) => `${level} ${report.stir.attestation[level]}`).join(' · ')})`,
              ];
        const lines =
          report.entries.length === 0
            ? [`no ${options.verdict === undefined ? '' : `${options.verdict} `}calls${window}`]
            : table(
                // REASON last: free text of any length would push the columns after it apart.
                ['TIME', 'DIRECTION', 'VERDICT', 'NUMBER', 'RAW', 'ROUTE', 'LIST', 'ACTION', 'MS', 'CHANNEL', 'REASON'],
                report.entries.map((call) => [
                  isoTime(call.time) ?? '',
                  call.direction,
                  call.wouldBe === undefined ? call.verdict : `${call.verdict} (${call.wouldBe})`,
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
        context.print([...lines, '', `${count(report.total, 'call', 'calls')}${window}: ${counts}`, ...stir], {
          since: isoTime(since),
          total: report.total,
          counts: report.counts,
          stir: report.stir,
          calls: report.entries.map(callJson),
        });
      }),
    );
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

import { InvalidArgumentError, Option, type Command } from 'commander';
import { DialQueue } from '../../dialer/queue.js';
import { DialRequestError, queueCall } from '../../dialer/queue-call.js';
import { MAX_ALTERNATES, MAX_ATTRS_LENGTH, REQUEST_ID_PATTERN } from '../../dialer/request-fields.js';
import { CampaignStore } from '../../screening/campaigns.js';
import { HoursStore } from '../../screening/hours/store.js';
import type { CliIo } from '../context.js';
import { AT_PAST_GRACE_MS, firstAttemptFrom, parseDurationOrTime } from '../../front-door/duration.js';
import { CliError, UsageError } from '../../front-door/errors.js';
import { humanSpan, isoTime } from '../../front-door/format.js';
import { extensionNote, withRegionHint } from '../../front-door/number-input.js';
import { parseCampaignName, regionOption } from '../options.js';
import { withContext } from '../with-context.js';

interface CallOptions {
  campaign: string;
  alt: string[];
  at?: (now: number) => number;
  attr: Record<string, string>;
  id?: string;
  region?: string;
}

export function registerCall(program: Command, io: CliIo): void {
  program
    .command('call')
    .description("ask a campaign to call a number: queued for serve's dialer, checked again at every attempt")
    .argument('<number>', 'the number to call: E.164, or national with the campaign region')
    .addOption(new Option('-c, --campaign <name>', 'the campaign that calls').argParser(parseCampaignName).makeOptionMandatory())
    .addOption(
      new Option('--at <when>', 'first attempt no earlier than: in 30m, 2h... or an ISO 8601 time, not in the past').argParser(parseAt),
    )
    .addOption(new Option('--attr <key=value>', 'kept with the request and every result (repeatable)').argParser(parseAttr).default({}))
    .addOption(
      new Option('--alt <number>', `another number of the same person (home, mobile...), tried in turn; up to ${MAX_ALTERNATES} (repeatable)`)
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .addOption(regionOption().makeOptionMandatory(false))
    .addOption(new Option('--id <id>', 'your own request id (letters, digits . _ : @ -); the stream id otherwise').argParser(parseRequestId))
    .addHelpText(
      'after',
      `
The request goes to a Redis stream that serve reads (other systems may write to it
directly: docs/outbound.md). Each attempt checks the number against the campaign's
block lists as they are then; see the outcomes with: callguard campaign report <name>
An --at time in the past is refused (exit 2), except within ${humanSpan(AT_PAST_GRACE_MS)} of now (clocks
differ a little): that means now. An --at outside the campaign's calling hours at the
callee (campaign set --hours) is moved to the next window start, and said so.
--attr tz=<zone> gives the callee's time zone when the number does not tell it.

Examples:
  $ callguard call +4930123456 --campaign sales
  $ callguard call '030 1234567' --campaign sales --at 2h --attr crm=4711 --attr agent=anna
  $ callguard call +4930123456 --campaign sales --at 2027-03-01T09:00:00+01:00 --id crm-4711
  $ callguard call +4930123456 --alt +4915112345678 --alt '040 987654' --campaign sales

With --alt, attempt 1 dials the number, attempt 2 the first --alt, and so on in turn
(--max-attempts of the campaign counts them all). Every number is checked at every
attempt; a blocked alternate is passed over, and a block on the first number stops
them all (BLACKLISTED).

JSON: {"request","entry","campaign","number","e164","alternates":[...],"at":ISO|null,"movedFrom":ISO|null}`,
    )
    .action(async (number: string, options: CallOptions, command: Command) => {
      const at = firstAttemptFrom(options.at, Date.now());
      await withContext(command, io, async (context) => {
        const redis = await context.redis();
        const lookup = await new CampaignStore(redis, context.namespace).get(options.campaign);
        if (lookup.kind === 'missing') throw new CliError(`no campaign named ${options.campaign} (see: callguard campaign list)`);
        if (lookup.kind === 'invalid') throw new CliError(`campaign ${options.campaign} is stored but invalid: ${lookup.reason}`);
        let queued;
        const hours = new HoursStore(redis, context.namespace);
        try {
          queued = await queueCall(
            new DialQueue(redis, context.namespace),
            {
              campaign: lookup.campaign,
              number,
              attrs: options.attr,
              ...(options.alt.length === 0 ? {} : { alternates: options.alt }),
              ...(options.region === undefined ? {} : { region: options.region }),
              ...(at === undefined ? {} : { at }),
              ...(options.id === undefined ? {} : { id: options.id }),
            },
            (policy) => hours.get(policy),
          );
        } catch (error) {
          if (error instanceof DialRequestError) throw new UsageError(callErrorMessage(error, number, options));
          throw error;
        }
        const { request, entry } = queued;
        const when = queued.at === undefined ? 'now' : `at ${isoTime(queued.at)}`;
        const moved = queued.movedFrom === undefined ? '' : ` (moved from ${isoTime(queued.movedFrom)}: outside calling hours ${lookup.campaign.hours ?? ''})`;
        const then = queued.alternates.length === 0 ? '' : ` (then ${queued.alternates.join(', ')} in turn)`;
        context.print(`queued request ${request}: campaign ${options.campaign} calls ${queued.e164}${then} ${when}${moved}`, {
          request,
          entry,
          campaign: options.campaign,
          number,
          e164: queued.e164,
          alternates: queued.alternates,
          at: isoTime(queued.at),
          movedFrom: isoTime(queued.movedFrom),
        });
        const note = extensionNote(number, queued.e164);
        if (note !== undefined) io.err(`callguard: note: ${note}`);
      });
    });
}

/** `30m`, `2h` (from now) or an ISO 8601 time. */
function parseAt(text: string): (now: number) => number {
  return parseDurationOrTime(text, 1);
}

function parseAttr(text: string, previous: Record<string, string>): Record<string, string> {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`"${text}" is not key=value`);
  return { ...previous, [text.slice(0, equals)]: text.slice(equals + 1) };
}

function parseRequestId(text: string): string {
  if (!REQUEST_ID_PATTERN.test(text)) throw new InvalidArgumentError(`"${text}" is not a request id: letters, digits . _ : @ -, up to 128`);
  return text;
}

/** The CLI's words for a request that cannot be queued: its flags, and how to give a missing region. */
function callErrorMessage(error: DialRequestError, number: string, options: CallOptions): string {
  if (error.field === 'attrs') return error.why === undefined ? `--attr values exceed ${MAX_ATTRS_LENGTH} characters in all` : `--attr ${error.message}`;
  if (error.field === 'alternates') return `--alt given ${options.alt.length} times; at most ${MAX_ALTERNATES}`;
  if (error.why === undefined) return error.message;
  const hint = `give the campaign a region (callguard campaign set ${options.campaign} --region DE) or use --region`;
  return `${JSON.stringify(error.input ?? number)} cannot be dialled: ${withRegionHint(error.why, options.region, hint)}; nothing was queued`;
}

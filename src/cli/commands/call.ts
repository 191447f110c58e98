import { InvalidArgumentError, Option, type Command } from 'commander';
import { DialQueue } from '../../dialer/queue.js';
import { DialRequestError, queueCall } from '../../dialer/queue-call.js';
import { MAX_ATTRS_LENGTH, REQUEST_ID_PATTERN } from '../../dialer/request-fields.js';
import { isCampaignName } from '../../screening/campaign.js';
import { CampaignStore } from '../../screening/campaigns.js';
import type { CliIo } from '../context.js';
import { addDuration, parseDuration, parseIsoTime } from '../duration.js';
import { CliError, UsageError } from '../errors.js';
import { isoTime } from '../format.js';
import { regionOption } from '../options.js';
import { withContext } from '../program.js';

interface CallOptions {
  campaign: string;
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
    .addOption(new Option('--at <when>', 'first attempt no earlier than: in 30m, 2h... or an ISO 8601 time').argParser(parseAt))
    .addOption(new Option('--attr <key=value>', 'kept with the request and every result (repeatable)').argParser(parseAttr).default({}))
    .addOption(regionOption().makeOptionMandatory(false))
    .addOption(new Option('--id <id>', 'your own request id (letters, digits . _ : @ -); the stream id otherwise').argParser(parseRequestId))
    .addHelpText(
      'after',
      `
The request goes to a Redis stream that serve reads (other systems may write to it
directly: docs/outbound.md). Each attempt checks the number against the campaign's
block lists as they are then; see the outcomes with: callguard campaign report <name>

Examples:
  $ callguard call +4930123456 --campaign sales
  $ callguard call '030 1234567' --campaign sales --at 2h --attr crm=4711 --attr agent=anna
  $ callguard call +4930123456 --campaign sales --at 2026-12-01T09:00:00+01:00 --id crm-4711

JSON: {"request","entry","campaign","number","e164","at":ISO|null}`,
    )
    .action(async (number: string, options: CallOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const redis = await context.redis();
        const lookup = await new CampaignStore(redis, context.namespace).get(options.campaign);
        if (lookup.kind === 'missing') throw new CliError(`no campaign named ${options.campaign} (see: callguard campaign list)`);
        if (lookup.kind === 'invalid') throw new CliError(`campaign ${options.campaign} is stored but invalid: ${lookup.reason}`);
        const at = options.at?.(Date.now());
        let queued;
        try {
          queued = await queueCall(new DialQueue(redis, context.namespace), {
            campaign: lookup.campaign,
            number,
            attrs: options.attr,
            ...(options.region === undefined ? {} : { region: options.region }),
            ...(at === undefined ? {} : { at }),
            ...(options.id === undefined ? {} : { id: options.id }),
          });
        } catch (error) {
          if (error instanceof DialRequestError) {
            throw new UsageError(error.field === 'attrs' ? `--attr values exceed ${MAX_ATTRS_LENGTH} characters in all` : error.message);
          }
          throw error;
        }
        const { request, entry } = queued;
        const when = at === undefined ? 'now' : `at ${isoTime(at)}`;
        context.print(`queued request ${request}: campaign ${options.campaign} calls ${queued.e164} ${when}`, {
          request,
          entry,
          campaign: options.campaign,
          number,
          e164: queued.e164,
          at: isoTime(at),
        });
      }),
    );
}

function parseCampaignName(name: string): string {
  if (!isCampaignName(name)) throw new InvalidArgumentError(`"${name}" is not a campaign name`);
  return name;
}

/** `30m`, `2h` (from now) or an ISO 8601 time. */
function parseAt(text: string): (now: number) => number {
  if (/^\d+[smhdwy]$/.test(text.trim())) {
    const duration = parseDuration(text);
    return (now) => addDuration(now, duration);
  }
  const at = parseIsoTime(text);
  return () => at;
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

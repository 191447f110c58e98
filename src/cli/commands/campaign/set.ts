import { Option, type Command } from 'commander';
import { formatAction, parseAction } from '../../../screening/actions.js';
import { CALLER_ID_ORDERS, type CallerIdOrder, type Campaign, DEFAULT_CAMPAIGN, NOT_DIALLED_VERDICTS, type NotDialledVerdict } from '../../../screening/campaign.js';
import { parseDialplanTarget, parseRetrySpec, type CampaignChanges } from '../../../screening/campaign-syntax.js';
import { CampaignStore } from '../../../screening/campaigns.js';
import { HoursStore } from '../../../screening/hours/store.js';
import { parseObserve, type Observe } from '../../../screening/observe.js';
import { parseRate, type Rate } from '../../../screening/rate.js';
import { setCampaign, type SetOutcome } from '../../../screening/settings.js';
import type { Action } from '../../../screening/types.js';
import { campaignJson } from '../../../front-door/json-shapes.js';
import {
  allowMissingContextOption,
  ariUrlOption,
  ariUsernameOption,
  checkCampaignContext,
  type ContextCheckFlags,
} from '../../campaign-context-check.js';
import type { CliIo } from '../../context.js';
import { byOption, defaultActor, nameParser, parseCampaignName, parseListName, parseListNames, parseRegion, syntaxOption } from '../../options.js';
import { setUsageError } from '../../set-errors.js';
import { withContext } from '../../with-context.js';
import { describeCampaign } from './describe.js';
import { delayOption, listAgeOption, wholeOption } from './options.js';

interface CampaignSetOptions extends ContextCheckFlags {
  block?: string[] | false;
  region?: string | false;
  endpoint?: string;
  callerId?: string | false;
  callerIdList?: string | false;
  callerIdOrder?: CallerIdOrder;
  dialTimeout?: number;
  context?: Campaign['agent'];
  maxAttempts?: number;
  retry?: CampaignChanges['retry'];
  maxConcurrent?: number;
  fail?: Campaign['fail'];
  unavailableRetry?: number;
  maxListAge?: number | false;
  onBlocked?: Action;
  onHidden?: Action;
  onMalformed?: Action;
  onUnavailable?: Action;
  onOutsideHours?: Action;
  onCapped?: Action;
  onNoConsent?: Action;
  hours?: string | false;
  maxPerNumber?: Rate | false;
  requireConsent?: string | false;
  observe?: Observe | false;
  allowMissingLists?: boolean;
  by?: string;
}

const ACTION_OPTION: Record<NotDialledVerdict, keyof CampaignSetOptions> = {
  blocked: 'onBlocked',
  hidden: 'onHidden',
  malformed: 'onMalformed',
  unavailable: 'onUnavailable',
  'outside-hours': 'onOutsideHours',
  capped: 'onCapped',
  'no-consent': 'onNoConsent',
};

export function registerCampaignSet(campaign: Command, io: CliIo): void {
  campaign
    .command('set')
    .description('create a campaign or change it: only the options given change')
    .argument('<name>', 'campaign name (a-z, 0-9, _ and -)', parseCampaignName)
    .addOption(new Option('--block <lists>', 'block lists, a,b,c in check order (replaces the current ones)').argParser(parseListNames))
    .addOption(new Option('--no-block', 'no block lists'))
    .addOption(new Option('--region <CC>', 'region for national callee numbers, e.g. DE').argParser(parseRegion))
    .addOption(new Option('--no-region', "use serve's default region"))
    .addOption(new Option('--endpoint <template>', 'channel to originate, e.g. PJSIP/${NUMBER}@trunk (new campaigns: required)'))
    .addOption(new Option('--caller-id <id>', 'caller id of the outbound leg, e.g. +4930123456 or "Sales" <+4930123456>'))
    .addOption(new Option('--no-caller-id', "the trunk's default caller id"))
    .addOption(
      new Option('--caller-id-list <list>', 'present a caller id from this list at each attempt (its E.164 numbers; --caller-id when it has none)').argParser(
        parseListName,
      ),
    )
    .addOption(new Option('--no-caller-id-list', 'present --caller-id again'))
    .addOption(new Option('--caller-id-order <order>', 'how --caller-id-list is drawn from (new: round-robin)').choices([...CALLER_ID_ORDERS]))
    .addOption(new Option('--dial-timeout <delay>', 'how long the far end may ring (new: 30s)').argParser(delayOption))
    .addOption(
      new Option('--context <context[,exten[,prio]]>', 'where an answered call continues, e.g. queues,sales,1 (the shipped sales queue) (new: required)').argParser(
        syntaxOption(parseDialplanTarget),
      ),
    )
    .addOption(new Option('--max-attempts <n>', 'attempts per request, the first included (new: 3)').argParser(wholeOption))
    .addOption(
      new Option('--retry <spec>', 'delay before the next attempt per outcome (new: busy=5m,noanswer=30m,failed=10m)').argParser(
        syntaxOption(parseRetrySpec),
      ),
    )
    .addOption(new Option('--max-concurrent <n>', 'attempts at once across all serve instances (new: 1)').argParser(wholeOption))
    .addOption(new Option('--fail <mode>', 'when the lists cannot be read: closed = do not dial (new), open = dial within the calling hours and the cap').choices(['closed', 'open']))
    .addOption(new Option('--unavailable-retry <delay>', 'wait before trying a request again after its lists could not be read (new: 1m)').argParser(delayOption))
    .addOption(
      new Option('--max-list-age <age>', "dial only while every block list's data is at most this old, 1m to 366d, e.g. 31d (new: no limit)").argParser(
        listAgeOption,
      ),
    )
    .addOption(new Option('--no-max-list-age', 'dial whatever the age of the block lists'))
    .addOption(actionOption('blocked'))
    .addOption(actionOption('hidden'))
    .addOption(actionOption('malformed'))
    .addOption(actionOption('unavailable'))
    .addOption(new Option('--hours <policy>', 'calling hours at the callee: us, au or a policy of callguard hours; outside them nothing is dialled').argParser(parsePolicyName))
    .addOption(new Option('--no-hours', 'no calling-hours policy'))
    .addOption(new Option('--max-per-number <calls/window>', 'at most so many attempts to one number within the window, across all campaigns, e.g. 3/24h').argParser(syntaxOption(parseRate)))
    .addOption(new Option('--no-max-per-number', 'no cap per number'))
    .addOption(new Option('--require-consent <list>', 'dial only numbers on this consent list (callguard list set <list> --consent)').argParser(parseListName))
    .addOption(new Option('--no-require-consent', 'dial without a consent list'))
    .addOption(new Option('--observe <lists|all>', "record would-block for these lists (or every rule) but dial anyway").argParser(syntaxOption(parseObserve)))
    .addOption(new Option('--no-observe', 'enforce every rule'))
    .addOption(actionOption('outside-hours'))
    .addOption(actionOption('capped'))
    .addOption(actionOption('no-consent'))
    .option('--allow-missing-lists', 'save even when a block list does not exist yet; NOTHING is dialled until it does')
    .addOption(byOption())
    .addOption(allowMissingContextOption())
    .addOption(ariUrlOption())
    .addOption(ariUsernameOption())
    .addHelpText(
      'after',
      `
Delays: 0, 30s, 5m, 2h, 1d; none = that outcome is not retried.
Endpoint placeholders: \${NUMBER} (E.164, +4930123456), \${DIGITS} (4930123456),
\${NATIONAL} (national form of the callee's country, 030123456).
--on-* actions are for agents dialling out through Stasis(callguard,outbound,<campaign>):
hangup:<cause> or announce:<sound>[:<cause>], as for routes.

Compliance (docs/compliance.md; a tool, not legal advice):
  --hours us           US federal 8:00-21:00 at the callee, with state rules (FL 20:00...);
                       au: Australia's weekday/Saturday windows and national holidays;
                       outside the window: OUTSIDE_HOURS, due again at the next window start
  --max-per-number 3/24h   a 4th attempt within 24 h (any campaign) waits: CAPPED
  --require-consent <list> a number not on it is never dialled: NO_CONSENT
  --observe all|<lists>    computed and recorded as would-block, dialled all the same

--context is checked against Asterisk's dialplan when ARI_USERNAME and ARI_PASSWORD are
set (ARI_URL, default http://127.0.0.1:8088): a context it lacks is refused, since every
answered callee would be hung up on. serve checks it again before each dial.

Examples:
  $ callguard campaign set sales --block dnc,national-dnc --endpoint 'PJSIP/\${NUMBER}@trunk' \\
      --caller-id +4930123456 --context queues,sales,1 --max-attempts 3 \\
      --retry busy=5m,noanswer=30m,failed=10m --max-concurrent 10 --region DE
  $ callguard campaign set sales --max-concurrent 20
  $ callguard campaign set sales --retry failed=none --dial-timeout 45s
  $ callguard campaign set sales --on-blocked announce:custom/do-not-call:rejected
  $ callguard campaign set us-leads --hours us --max-per-number 3/24h
  $ callguard campaign set de-promo --require-consent consent-de --observe national-dnc

JSON: {"created":bool,"campaign":{...as campaign show}}`,
    )
    .action(async (name: string, options: CampaignSetOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const campaigns = new CampaignStore(await context.redis(), context.namespace);
        const changes = changesFrom(options);
        // Asked before anything is saved: a context the dialplan lacks hangs up on every answered callee.
        const contextWarnings = changes.agent === undefined ? [] : await checkCampaignContext(changes.agent, options, process.env);
        let outcome: SetOutcome<Campaign>;
        try {
          const hours = new HoursStore(await context.redis(), context.namespace);
          outcome = await setCampaign(campaigns, await context.store(), name, changes, {
            allowMissingLists: Boolean(options.allowMissingLists),
            at: Date.now(),
            by: options.by ?? defaultActor(),
            policies: (policy) => hours.get(policy),
          });
        } catch (error) {
          throw await setUsageError(error, context);
        }
        const { created, saved: updated, missing } = outcome;
        if (outcome.replacedInvalid !== undefined) {
          io.err(`callguard: warning: stored campaign ${name} was invalid (${outcome.replacedInvalid}); starting from the defaults`);
        }
        for (const list of missing) {
          io.err(
            list === updated.callerIdList?.list && !updated.block.includes(list)
              ? `callguard: warning: caller id list ${list} does not exist; the campaign's --caller-id is presented until it does`
              : `callguard: warning: list ${list} does not exist; nothing is dialled until it does`,
          );
        }
        for (const warning of contextWarnings) io.err(warning);
        context.print([`campaign ${name} ${created ? 'created' : 'changed'}`, ...describeCampaign(updated, missing)], {
          created,
          campaign: campaignJson(updated),
        });
      }),
    );
}

const parsePolicyName = nameParser('calling-hours policy', ' (see: callguard hours list)');

/** `--on-<verdict>`, its default for a new campaign shown from DEFAULT_CAMPAIGN. */
function actionOption(verdict: NotDialledVerdict): Option {
  const fallback = formatAction(DEFAULT_CAMPAIGN.actions[verdict]);
  return new Option(`--on-${verdict} <action>`, `what an agent dialling a ${verdict} number gets (new: ${fallback})`).argParser(
    syntaxOption(parseAction),
  );
}

function changesFrom(options: CampaignSetOptions): CampaignChanges {
  const changes: CampaignChanges = {};
  if (options.callerIdList === false) changes.callerIdList = null;
  else if (options.callerIdList !== undefined || options.callerIdOrder !== undefined) {
    changes.callerIdList = {
      ...(options.callerIdList === undefined ? {} : { list: options.callerIdList }),
      ...(options.callerIdOrder === undefined ? {} : { order: options.callerIdOrder }),
    };
  }
  if (options.block !== undefined) changes.block = options.block === false ? [] : options.block;
  if (options.region !== undefined) changes.region = options.region === false ? null : options.region;
  if (options.endpoint !== undefined) changes.endpoint = options.endpoint;
  if (options.callerId !== undefined) changes.callerId = options.callerId === false ? null : options.callerId;
  if (options.dialTimeout !== undefined) changes.dialTimeoutMs = options.dialTimeout;
  if (options.context !== undefined) changes.agent = options.context;
  if (options.maxAttempts !== undefined) changes.maxAttempts = options.maxAttempts;
  if (options.retry !== undefined) changes.retry = options.retry;
  if (options.maxConcurrent !== undefined) changes.maxConcurrent = options.maxConcurrent;
  if (options.fail !== undefined) changes.fail = options.fail;
  if (options.unavailableRetry !== undefined) changes.unavailableRetryMs = options.unavailableRetry;
  if (options.hours !== undefined) changes.hours = options.hours === false ? null : options.hours;
  if (options.maxPerNumber !== undefined) changes.maxPerNumber = options.maxPerNumber === false ? null : options.maxPerNumber;
  if (options.requireConsent !== undefined) changes.requireConsent = options.requireConsent === false ? null : options.requireConsent;
  if (options.observe !== undefined) changes.observe = options.observe === false ? null : options.observe;
  if (options.maxListAge !== undefined) changes.maxListAgeMs = options.maxListAge === false ? null : options.maxListAge;
  const actions: Partial<Record<NotDialledVerdict, Action>> = {};
  for (const verdict of NOT_DIALLED_VERDICTS) {
    const action = options[ACTION_OPTION[verdict]] as Action | undefined;
    if (action !== undefined) actions[verdict] = action;
  }
  changes.actions = actions;
  return changes;
}


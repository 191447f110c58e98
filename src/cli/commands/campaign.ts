import { InvalidArgumentError, Option, type Command } from 'commander';
import { campaignReport, DEFAULT_REPORT_SCAN } from '../../dialer/campaign-report.js';
import { DialQueue } from '../../dialer/queue.js';
import { ATTEMPT_OUTCOMES, type AttemptOutcome } from '../../dialer/types.js';
import { ActionSyntaxError, causeName, formatAction, parseAction } from '../../screening/actions.js';
import {
  CALLER_ID_ORDERS,
  type CallerIdOrder,
  type Campaign,
  isCampaignName,
  NOT_DIALLED_VERDICTS,
  type NotDialledVerdict,
} from '../../screening/campaign.js';
import {
  CampaignSyntaxError,
  formatDelay,
  formatDialplanTarget,
  formatRetrySpec,
  parseDelay,
  parseDialplanTarget,
  parseRetrySpec,
  type CampaignChanges,
} from '../../screening/campaign-syntax.js';
import { CampaignStore } from '../../screening/campaigns.js';
import { isPolicyName } from '../../screening/hours/policy.js';
import { HoursStore } from '../../screening/hours/store.js';
import { formatObserve, parseObserve, type Observe } from '../../screening/observe.js';
import { describeStale, staleBlockLists } from '../../screening/outbound.js';
import { formatRate, parseRate, type Rate } from '../../screening/rate.js';
import { missingLists, setCampaign, type SetOutcome } from '../../screening/settings.js';
import type { Action } from '../../screening/types.js';
import {
  allowMissingContextOption,
  ariUrlOption,
  ariUsernameOption,
  checkCampaignContext,
  type ContextCheckFlags,
} from '../campaign-context-check.js';
import type { CliContext, CliIo } from '../context.js';
import { parseDurationOrTime } from '../../front-door/duration.js';
import { CliError } from '../../front-door/errors.js';
import { count, describeListAge, fields, isoTime, table } from '../../front-door/format.js';
import { setUsageError } from '../set-errors.js';
import { campaignJson, listSourceJson, resultJson } from '../../front-door/json-shapes.js';
import { byOption, defaultActor, parseListName, parseListNames, parseRegion, syntaxOption } from '../options.js';
import { withContext } from '../with-context.js';


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
    .addOption(new Option('--fail <mode>', 'when the lists cannot be read: closed = do not dial (new), open = dial').choices(['closed', 'open']))
    .addOption(new Option('--unavailable-retry <delay>', 'wait before trying a request again after its lists could not be read (new: 1m)').argParser(delayOption))
    .addOption(
      new Option('--max-list-age <age>', "dial only while every block list's data is at most this old, e.g. 31d (new: no limit)").argParser(
        delayOption,
      ),
    )
    .addOption(new Option('--no-max-list-age', 'dial whatever the age of the block lists'))
    .addOption(actionOption('blocked', 'hangup:21'))
    .addOption(actionOption('hidden', 'hangup:28'))
    .addOption(actionOption('malformed', 'hangup:28'))
    .addOption(actionOption('unavailable', 'hangup:34'))
    .addOption(new Option('--hours <policy>', 'calling hours at the callee: us, au or a policy of callguard hours; outside them nothing is dialled').argParser(parsePolicyName))
    .addOption(new Option('--no-hours', 'no calling-hours policy'))
    .addOption(new Option('--max-per-number <calls/window>', 'at most so many attempts to one number within the window, across all campaigns, e.g. 3/24h').argParser(syntaxOption(parseRate)))
    .addOption(new Option('--no-max-per-number', 'no cap per number'))
    .addOption(new Option('--require-consent <list>', 'dial only numbers on this consent list (callguard list set <list> --consent)').argParser(parseListName))
    .addOption(new Option('--no-require-consent', 'dial without a consent list'))
    .addOption(new Option('--observe <lists|all>', "record would-block for these lists (or every rule) but dial anyway").argParser(syntaxOption(parseObserve)))
    .addOption(new Option('--no-observe', 'enforce every rule'))
    .addOption(actionOption('outside-hours', 'hangup:21'))
    .addOption(actionOption('capped', 'hangup:21'))
    .addOption(actionOption('no-consent', 'hangup:21'))
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
       "lists":[{"list","file","dataDate","ageSeconds","from","stale"}],"stale":bool,
       "waiting":n,"inFlight":n}
A campaign with --max-list-age dials nothing while a block list's data (its last
import's --source-date or file date) is older: each attempt is recorded as
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

  campaign
    .command('list')
    .description('list every campaign')
    .addHelpText('after', '\nExample:\n  $ callguard campaign list\n\nJSON: {"campaigns":[{...as campaign show}],"invalid":[{"name","reason"}]}')
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const listing = await new CampaignStore(await context.redis(), context.namespace).list();
        const lines =
          listing.campaigns.length === 0 && listing.invalid.length === 0
            ? ['no campaigns yet (create one with: callguard campaign set <name> --endpoint ... --context ...)']
            : table(
                ['CAMPAIGN', 'BLOCK', 'REGION', 'ENDPOINT', 'ATTEMPTS', 'CONCURRENT'],
                [
                  ...listing.campaigns.map((c) => [c.name, c.block.join(','), c.region, c.endpoint, String(c.maxAttempts), String(c.maxConcurrent)]),
                  ...listing.invalid.map((bad) => [bad.name, `INVALID: ${bad.reason}`]),
                ],
              );
        context.print(lines, { campaigns: listing.campaigns.map(campaignJson), invalid: listing.invalid });
      }),
    );

  campaign
    .command('report')
    .description("a campaign's attempts, newest first, with totals per outcome")
    .argument('<name>', 'campaign name', parseCampaignName)
    .addOption(new Option('--since <when>', 'only attempts of the last 30m, 12h, 7d... or since an ISO 8601 time').argParser(parseSince))
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

function parseCampaignName(name: string): string {
  if (!isCampaignName(name)) {
    throw new InvalidArgumentError(`"${name}" is not a campaign name: 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit`);
  }
  return name;
}

function parsePolicyName(name: string): string {
  if (!isPolicyName(name)) throw new InvalidArgumentError(`"${name}" is not a calling-hours policy name (see: callguard hours list)`);
  return name;
}

function delayOption(text: string): number {
  const delay = syntaxOption(parseDelay)(text);
  if (delay === null) throw new InvalidArgumentError(`"${text}": give a delay such as 30s or 5m`);
  return delay;
}

/** `--since 12h` (that long ago) or `--since 2026-11-01` (an ISO 8601 time). */
function parseSince(text: string): (now: number) => number {
  return parseDurationOrTime(text, -1);
}

function wholeOption(text: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a whole number from 1`);
  return Number(text);
}

function actionOption(verdict: NotDialledVerdict, fallback: string): Option {
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

async function readCampaign(context: CliContext, name: string): Promise<Campaign> {
  const lookup = await new CampaignStore(await context.redis(), context.namespace).get(name);
  if (lookup.kind === 'missing') throw new CliError(`no campaign named ${name} (see: callguard campaign list)`);
  if (lookup.kind === 'invalid') {
    throw new CliError(`campaign ${name} is stored but invalid: ${lookup.reason} (fix it with: callguard campaign set ${name} ...)`);
  }
  return lookup.campaign;
}


function describeAction(action: Action): string {
  const name = action.type === 'continue' ? undefined : causeName(action.cause);
  return name ? `${formatAction(action)}  (${name})` : formatAction(action);
}

function describeCampaign(campaign: Campaign, missing: string[], extra: [string, string][] = []): string[] {
  const block =
    campaign.block.length === 0 ? 'none' : campaign.block.map((list) => (missing.includes(list) ? `${list} (missing: nothing is dialled)` : list)).join(', ');
  return fields([
    ['campaign', campaign.name],
    ['block', block],
    ['region', campaign.region ?? "serve's default"],
    ['endpoint', campaign.endpoint],
    ['caller id', campaign.callerId ?? "trunk's default"],
    ['caller id list', campaign.callerIdList === undefined ? undefined : `${campaign.callerIdList.list} (${campaign.callerIdList.order}; the caller id above when it has no number)`],
    ['dial timeout', formatDelay(campaign.dialTimeoutMs)],
    ['answered go to', formatDialplanTarget(campaign.agent)],
    ['max attempts', String(campaign.maxAttempts)],
    ['retry', formatRetrySpec(campaign.retry)],
    ['max concurrent', String(campaign.maxConcurrent)],
    ['lists unreadable', campaign.fail === 'closed' ? `not dialled, tried again after ${formatDelay(campaign.unavailableRetryMs)}` : 'dialled (fails open)'],
    ['calling hours', campaign.hours ?? 'none'],
    ['max per number', campaign.maxPerNumber === undefined ? 'none' : `${formatRate(campaign.maxPerNumber)} (every campaign's attempts count)`],
    ['consent', campaign.requireConsent === undefined ? 'not required' : `required: list ${missing.includes(campaign.requireConsent) ? `${campaign.requireConsent} (missing: nothing is dialled)` : campaign.requireConsent}`],
    ['observe', formatObserve(campaign.observe)],
    ['max list age', campaign.maxListAgeMs === undefined ? 'none' : `${formatDelay(campaign.maxListAgeMs)} (older: LIST_STALE, not dialled)`],
    ...NOT_DIALLED_VERDICTS.map((verdict): [string, string] => [`agent on ${verdict}`, describeAction(campaign.actions[verdict])]),
    ['updated', campaign.updatedAt === undefined ? undefined : `${isoTime(campaign.updatedAt)} by ${campaign.updatedBy ?? 'unknown'}`],
    ...extra,
  ]);
}


function formatCounts(counts: Partial<Record<AttemptOutcome, number>>): string {
  const parts = ATTEMPT_OUTCOMES.filter((outcome) => counts[outcome]).map((outcome) => `${outcome} ${counts[outcome]}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

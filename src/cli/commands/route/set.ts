import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatAction, parseAction } from '../../../screening/actions.js';
import { MAX_AUTO_BLOCK_RULES, parseAutoBlock, type AutoBlockRule } from '../../../screening/auto-block.js';
import { parseObserve, type Observe } from '../../../screening/observe.js';
import { DEFAULT_ACTIONS, MAX_VIP_PRIORITY, type RouteChanges } from '../../../screening/route.js';
import { RouteStore } from '../../../screening/routes.js';
import { missingLists, setRoute, type SetOutcome } from '../../../screening/settings.js';
import { ATTESTATIONS, type Attestation } from '../../../screening/stir-shaken.js';
import { VERDICTS, type Action, type Route, type Verdict } from '../../../screening/types.js';
import { routeJson } from '../../../front-door/json-shapes.js';
import type { CliIo } from '../../context.js';
import { byOption, defaultActor, parseListNames, parseRegion, parseRouteName, syntaxOption } from '../../options.js';
import { setUsageError } from '../../set-errors.js';
import { withContext } from '../../with-context.js';
import { describeRoute, listsOf } from './describe.js';

interface RouteSetOptions {
  block?: string[] | false;
  allow?: string[] | false;
  region?: string | false;
  withheld?: Route['withheld'];
  vipPriority?: number | false;
  onBlocked?: Action;
  onAllowed?: Action;
  onClear?: Action;
  onHidden?: Action;
  onMalformed?: Action;
  onUnavailable?: Action;
  autoBlock?: AutoBlockRule[] | false;
  onUnverified?: Action;
  minAttestation?: Attestation | false;
  /** false with --no-stir */
  stir?: boolean;
  observe?: Observe | false;
  allowMissingLists?: boolean;
  by?: string;
}

const ACTION_OPTION: Record<Verdict, keyof RouteSetOptions> = {
  blocked: 'onBlocked',
  allowed: 'onAllowed',
  clear: 'onClear',
  hidden: 'onHidden',
  malformed: 'onMalformed',
  unavailable: 'onUnavailable',
};

export function registerRouteSet(route: Command, io: CliIo): void {
  route
    .command('set')
    .description('create a route or change it: only the options given change')
    .argument('<name>', 'route name (a-z, 0-9, _ and -)', parseRouteName)
    .addOption(new Option('--block <lists>', 'block lists, a,b,c in check order (replaces the current ones)').argParser(parseListNames))
    .addOption(new Option('--no-block', 'no block lists'))
    .addOption(new Option('--allow <lists>', 'allow (VIP) lists, a,b,c; an allow match wins over any block').argParser(parseListNames))
    .addOption(new Option('--no-allow', 'no allow lists'))
    .addOption(new Option('--region <CC>', 'region for national caller numbers, e.g. DE').argParser(parseRegion))
    .addOption(new Option('--no-region', "use serve's default region"))
    .addOption(
      new Option('--withheld <how>', 'a withheld but present number: screen it, or treat the caller as hidden').choices([
        'screen',
        'hidden',
      ]),
    )
    .addOption(new Option('--vip-priority <n>', 'CALLGUARD_QUEUE_PRIORITY for allowed callers').argParser(parseVipPriority))
    .addOption(new Option('--no-vip-priority', 'set no queue priority for allowed callers'))
    .addOption(actionOption('blocked'))
    .addOption(actionOption('allowed'))
    .addOption(actionOption('clear'))
    .addOption(actionOption('hidden'))
    .addOption(actionOption('malformed'))
    .addOption(actionOption('unavailable'))
    .addOption(
      new Option('--auto-block <calls/window:list:for>', 'list a repeat caller: 7/15m:harassment:1h (repeatable; replaces the current rules)').argParser(parseAutoBlockOption),
    )
    .addOption(new Option('--no-auto-block', 'no auto-block rules'))
    .addOption(new Option('--on-unverified <action>', 'what a caller whose id fails STIR/SHAKEN verification gets (turns the rule on; default hangup:21)').argParser(syntaxOption(parseAction)))
    .addOption(new Option('--min-attestation <level>', 'also take callers verified below this attestation (or not at all) for unverified').choices([...ATTESTATIONS]))
    .addOption(new Option('--no-min-attestation', 'no minimum attestation'))
    .addOption(new Option('--no-stir', 'STIR/SHAKEN off: no unverified branch'))
    .addOption(new Option('--observe <lists|all>', 'log would-block for these lists (or every rule) but let the call through').argParser(syntaxOption(parseObserve)))
    .addOption(new Option('--no-observe', 'enforce every rule'))
    .option('--allow-missing-lists', 'save even when a list named does not exist (yet); it matches nothing until created')
    .addOption(byOption())
    .addHelpText(
      'after',
      `
Actions:
  hangup:<cause>                       hang up with a Q.850 cause: a code 1-127 or
                                       busy(17) congestion(34) rejected(21) normal(16)
                                       noanswer(19) unallocated(1)
  announce:<sound>[:<cause>]           play a sound, then hang up (cause default 21)
  continue:<context>,<exten>[,<prio>]  go on in the dialplan (priority default 1):
                                       queue, redirect or error branch

A new route starts from the defaults shown for each --on-* option, no lists and
--withheld screen. A list named that does not exist is refused (exit 2) unless
--allow-missing-lists; a list may not both block and allow.

Compliance (docs/compliance.md; a tool, not legal advice):
  --auto-block 7/15m:harassment:1h   the 7th call of a number within 15 minutes is blocked
                                     and the number listed on harassment for 1 hour, by
                                     "callguard"; counted in the same Redis round trip as
                                     the check. The list blocks on this route too.
  --on-unverified <action>           caller id verification failed (verstat
                                     TN-Validation-Failed): verdict unverified
  --min-attestation B                a caller verified C, or not verified, is unverified too
                                     (allow lists still win; calls reporting nothing are
                                     never unverified)
  --observe all|<lists>              would-block in the call log, the call goes on as clear

Examples:
  $ callguard route set support --block dnc,spam --allow vip --region DE --vip-priority 10
  $ callguard route set support --on-blocked hangup:busy
  $ callguard route set support --on-blocked announce:custom/blocked:rejected
  $ callguard route set support --withheld hidden --on-hidden continue:anonymous,s,1
  $ callguard route set night --block dnc --on-clear continue:voicemail,s,1 --no-region
  $ callguard route set support --auto-block 7/15m:harassment:1h --auto-block 15/24h:harassment:1d
  $ callguard route set support --on-unverified continue:anonymous,s,1 --min-attestation B
  $ callguard route set support --observe spam-2026

JSON: {"created":bool,"route":{...as route show}}`,
    )
    .action(async (name: string, options: RouteSetOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const routes = new RouteStore(await context.redis(), context.namespace);
        const store = await context.store();
        let outcome: SetOutcome<Route>;
        try {
          outcome = await setRoute(routes, store, name, changesFrom(options), { allowMissingLists: Boolean(options.allowMissingLists) });
        } catch (error) {
          throw await setUsageError(error, context);
        }
        const { created, saved: route } = outcome;
        if (outcome.replacedInvalid !== undefined) {
          io.err(`callguard: warning: stored route ${name} was invalid (${outcome.replacedInvalid}); starting from the defaults`);
        }
        for (const list of outcome.missing) io.err(`callguard: warning: list ${list} does not exist; it matches nothing until created`);
        context.print(
          [`route ${name} ${created ? 'created' : 'changed'}`, ...describeRoute(route, await missingLists(store, listsOf(route)))],
          { created, route: routeJson(route) },
        );
      }),
    );
}

function parseVipPriority(text: string): number {
  const value = Number(text);
  if (!/^\d{1,7}$/.test(text) || value > MAX_VIP_PRIORITY) {
    throw new InvalidArgumentError(`"${text}" is not a queue priority: a whole number from 0 to ${MAX_VIP_PRIORITY}`);
  }
  return value;
}

/** `--on-<verdict>`, its default for a new route shown from DEFAULT_ACTIONS. */
function actionOption(verdict: Verdict): Option {
  const fallback = formatAction(DEFAULT_ACTIONS[verdict]);
  return new Option(`--on-${verdict} <action>`, `what ${/^[aeiou]/.test(verdict) ? 'an' : 'a'} ${verdict} call gets (new routes: ${fallback})`).argParser(
    syntaxOption(parseAction),
  );
}

function changesFrom(options: RouteSetOptions): RouteChanges {
  const changes: RouteChanges = { updatedBy: options.by ?? defaultActor(), updatedAt: Date.now() };
  if (options.block !== undefined) changes.block = options.block === false ? [] : options.block;
  if (options.allow !== undefined) changes.allow = options.allow === false ? [] : options.allow;
  if (options.region !== undefined) changes.region = options.region === false ? null : options.region;
  if (options.withheld !== undefined) changes.withheld = options.withheld;
  if (options.vipPriority !== undefined) changes.vipPriority = options.vipPriority === false ? null : options.vipPriority;
  const actions: Partial<Record<Verdict, Action>> = {};
  for (const verdict of VERDICTS) {
    const action = options[ACTION_OPTION[verdict]] as Action | undefined;
    if (action !== undefined) actions[verdict] = action;
  }
  changes.actions = actions;
  if (options.autoBlock !== undefined) changes.autoBlock = options.autoBlock === false ? [] : options.autoBlock;
  if (options.stir === false) changes.stir = null;
  else if (options.onUnverified !== undefined || options.minAttestation !== undefined) {
    changes.stir = {
      ...(options.onUnverified === undefined ? {} : { onUnverified: options.onUnverified }),
      ...(options.minAttestation === undefined ? {} : { minAttestation: options.minAttestation === false ? null : options.minAttestation }),
    };
  }
  if (options.observe !== undefined) changes.observe = options.observe === false ? null : options.observe;
  return changes;
}

function parseAutoBlockOption(text: string, previous: AutoBlockRule[] | false | undefined): AutoBlockRule[] {
  const rules = Array.isArray(previous) ? previous : [];
  if (rules.length >= MAX_AUTO_BLOCK_RULES) throw new InvalidArgumentError(`at most ${MAX_AUTO_BLOCK_RULES} --auto-block rules`);
  return [...rules, syntaxOption(parseAutoBlock)(text)];
}

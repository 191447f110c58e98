import { InvalidArgumentError, Option, type Command } from 'commander';
import { ActionSyntaxError, causeName, formatAction, parseAction } from '../../screening/actions.js';
import { isRouteName, type RouteChanges } from '../../screening/route.js';
import { RouteStore } from '../../screening/routes.js';
import { missingLists, setRoute, type SetOutcome } from '../../screening/settings.js';
import { VERDICTS, type Action, type Route, type Verdict } from '../../screening/types.js';
import type { CliContext, CliIo } from '../context.js';
import { CliError } from '../../front-door/errors.js';
import { setUsageError } from '../set-errors.js';
import { fields, isoTime, table } from '../../front-door/format.js';
import { routeJson } from '../../front-door/json-shapes.js';
import { byOption, defaultActor, parseListNames, parseRegion } from '../options.js';
import { withContext } from '../with-context.js';

const MAX_VIP_PRIORITY = 1_000_000;

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

export function registerRoute(program: Command, io: CliIo): void {
  const route = program
    .command('route')
    .description('inbound routes: which lists screen a call and what each verdict does')
    .addHelpText(
      'after',
      `
The dialplan sends a call to a route with Stasis(callguard,inbound,<route>).
A change applies to the next call; serve needs no restart.
Syntax of actions, verdicts and channel variables: docs/routes.md`,
    );

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
    .addOption(actionOption('blocked', 'hangup:21'))
    .addOption(actionOption('allowed', 'continue:queues,support,1'))
    .addOption(actionOption('clear', 'continue:queues,support,1'))
    .addOption(actionOption('hidden', 'continue:anonymous,s,1'))
    .addOption(actionOption('malformed', 'continue:anonymous,s,1'))
    .addOption(actionOption('unavailable', 'continue:queues,support,1'))
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

Examples:
  $ callguard route set support --block dnc,spam --allow vip --region DE --vip-priority 10
  $ callguard route set support --on-blocked hangup:busy
  $ callguard route set support --on-blocked announce:custom/blocked:rejected
  $ callguard route set support --withheld hidden --on-hidden continue:anonymous,s,1
  $ callguard route set night --block dnc --on-clear continue:voicemail,s,1 --no-region

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

  route
    .command('show')
    .description('show one route: its lists, region and the action for each verdict')
    .argument('<name>', 'route name', parseRouteName)
    .addHelpText(
      'after',
      `
Examples:
  $ callguard route show support
  $ callguard route show support --json | jq -r .route.actions.blocked

JSON: {"route":{"name","block":[...],"allow":[...],"region":CC|null,"withheld":"screen"|"hidden",
       "vipPriority":n|null,"actions":{"blocked":"hangup:21",...},"updatedAt","updatedBy"},
       "missingLists":[...]}`,
    )
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const found = await readRoute(context, name);
        const missing = await missingLists(await context.store(), listsOf(found));
        context.print(describeRoute(found, missing), { route: routeJson(found), missingLists: missing });
      }),
    );

  route
    .command('rm')
    .description('remove a route; calls sent to it then get the default action of serve')
    .argument('<name>', 'route name', parseRouteName)
    .addHelpText('after', '\nExample:\n  $ callguard route rm night\n\nJSON: {"removed":"<name>"}')
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const routes = new RouteStore(await context.redis(), context.namespace);
        if (!(await routes.remove(name))) throw new CliError(`no route named ${name}`);
        context.print(`route ${name} removed`, { removed: name });
      }),
    );

  route
    .command('list')
    .description('list every route')
    .addHelpText(
      'after',
      `
Example:
  $ callguard route list

JSON: {"routes":[{...as route show}],"invalid":[{"name","reason"}]}`,
    )
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const listing = await new RouteStore(await context.redis(), context.namespace).list();
        const lines =
          listing.routes.length === 0 && listing.invalid.length === 0
            ? ['no routes yet (create one with: callguard route set <name> --block <lists>)']
            : table(
                ['ROUTE', 'BLOCK', 'ALLOW', 'REGION', 'ON BLOCKED', 'ON CLEAR'],
                [
                  ...listing.routes.map((r) => [
                    r.name,
                    r.block.join(','),
                    r.allow.join(','),
                    r.region,
                    formatAction(r.actions.blocked),
                    formatAction(r.actions.clear),
                  ]),
                  ...listing.invalid.map((bad) => [bad.name, `INVALID: ${bad.reason}`]),
                ],
              );
        context.print(lines, { routes: listing.routes.map(routeJson), invalid: listing.invalid });
      }),
    );
}

function parseRouteName(name: string): string {
  if (!isRouteName(name)) {
    throw new InvalidArgumentError(
      `"${name}" is not a route name: 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit`,
    );
  }
  return name;
}

function parseVipPriority(text: string): number {
  const value = Number(text);
  if (!/^\d{1,7}$/.test(text) || value > MAX_VIP_PRIORITY) {
    throw new InvalidArgumentError(`"${text}" is not a queue priority: a whole number from 0 to ${MAX_VIP_PRIORITY}`);
  }
  return value;
}

function parseActionOption(text: string): Action {
  try {
    return parseAction(text);
  } catch (error) {
    if (error instanceof ActionSyntaxError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function actionOption(verdict: Verdict, fallback: string): Option {
  return new Option(`--on-${verdict} <action>`, `what ${/^[aeiou]/.test(verdict) ? 'an' : 'a'} ${verdict} call gets (new routes: ${fallback})`).argParser(
    parseActionOption,
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
  return changes;
}

async function readRoute(context: CliContext, name: string): Promise<Route> {
  const lookup = await new RouteStore(await context.redis(), context.namespace).get(name);
  if (lookup.kind === 'missing') throw new CliError(`no route named ${name} (see: callguard route list)`);
  if (lookup.kind === 'invalid') {
    throw new CliError(`route ${name} is stored but invalid: ${lookup.reason} (fix it with: callguard route set ${name} ...)`);
  }
  return lookup.route;
}

function listsOf(route: Route): string[] {
  return [...route.block, ...route.allow];
}


function describeAction(action: Action): string {
  const name = action.type === 'continue' ? undefined : causeName(action.cause);
  return name ? `${formatAction(action)}  (${name})` : formatAction(action);
}

function describeRoute(route: Route, missing: string[]): string[] {
  const marked = (lists: string[]) =>
    lists.length === 0 ? 'none' : lists.map((list) => (missing.includes(list) ? `${list} (missing)` : list)).join(', ');
  return fields([
    ['route', route.name],
    ['block', marked(route.block)],
    ['allow', marked(route.allow)],
    ['region', route.region ?? "serve's default"],
    ['withheld', route.withheld === 'screen' ? 'screen (a withheld but present number is checked)' : 'hidden'],
    ['vip priority', route.vipPriority === undefined ? 'none' : String(route.vipPriority)],
    ...VERDICTS.map((verdict): [string, string] => [`on ${verdict}`, describeAction(route.actions[verdict])]),
    ['updated', route.updatedAt === undefined ? undefined : `${isoTime(route.updatedAt)} by ${route.updatedBy ?? 'unknown'}`],
  ]);
}

import { InvalidArgumentError, Option, type Command } from 'commander';
import { DENSE_PLANS, type DensePlanName } from '../../lists/dense.js';
import { configureList, type ListSettingChanges } from '../../lists/list-settings.js';
import { createAsItWas, describeLeftBehind, holdsAnything } from '../../lists/left-behind.js';
import { noSuchList } from '../../lists/names.js';
import { RECOUNT_TRIES } from '../../lists/recount.js';
import { assertRemovable, ListInUseError, removeList, type ListUse } from '../../screening/list-removal.js';
import { processIo, type CliContext, type CliIo } from '../context.js';
import { addDuration, parseDuration } from '../../front-door/duration.js';
import { CliError, UsageError } from '../../front-door/errors.js';
import { count, retentionText } from '../../front-door/format.js';
import { byOption, defaultActor, parseListName, reasonOption } from '../options.js';
import { startProgress } from '../progress.js';
import { withContext } from '../with-context.js';

interface ListChangeOptions {
  by?: string;
  reason?: string;
  dense?: DensePlanName;
  generation?: string;
}

interface ListSettingOptions extends ListChangeOptions {
  consent?: boolean;
  auditRetention?: number | null;
}

interface ListRemoveOptions extends ListChangeOptions {
  yes?: boolean;
  force?: boolean;
  leftBehind?: boolean;
}

type ListAction = 'created' | 'enabled' | 'disabled';

const SUBCOMMANDS: { name: string; action: ListAction; description: string; example: string }[] = [
  { name: 'create', action: 'created', description: 'create an empty, enabled list', example: 'create dnc --by alice' },
  { name: 'enable', action: 'enabled', description: 'let a disabled list match again', example: 'enable vip' },
  {
    name: 'disable',
    action: 'disabled',
    description: 'keep a list but let it match nothing',
    example: 'disable vip --reason "campaign over"',
  },
];

const YES = /^y(es)?$/i;

export function registerList(program: Command, io: CliIo): void {
  const list = program
    .command('list')
    .description('create, remove, enable, disable or recount a list')
    .addHelpText(
      'after',
      `
A list name is 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit.

Examples:
  $ callguard list create dnc
  $ callguard list disable vip --reason "campaign over"
  $ callguard list rm test --by ops --yes
  $ callguard list recount dnc --reason "evicted; the rest is what we have"

JSON: {"list":"dnc","action":"created|removed|removed-left-behind|enabled|disabled"}; a
create that kept entries left behind adds "leftBehind":n,"adopted":"<generation>"|null`,
    );

  for (const sub of SUBCOMMANDS) {
    const command = list
      .command(sub.name)
      .description(sub.description)
      .argument('<name>', 'the list', parseListName)
      .addOption(byOption())
      .addOption(reasonOption('why, kept in the audit stream'));
    if (sub.action === 'created') {
      command
        .addOption(
          new Option('--dense <plan>', 'keep the numbers of a national plan as bitmaps, ~1 bit a possible number (a national registry)').choices(
            Object.keys(DENSE_PLANS),
          ),
        )
        .addOption(new Option('--generation <id>', 'with --dense: the generation of bitmaps left behind to read, when its lost info left several'))
        .addHelpText(
          'after',
          `
--dense nanp (+1 and 10 digits) or uk (+44 and 10 digits) stores the list's
never-expiring numbers of that plan as one bitmap per 10,000 numbers (1250 bytes):
the whole US do-not-call registry (258.5M numbers) fits in ~330 MB instead of ~15 GB.
Other numbers, timed entries and prefixes are kept as in any list. A bitmap costs
1250 bytes from its first number, so a dense list pays off from ~25 numbers per
10,000-number block: for national registries, not for a list of a few thousand.
The choice is made at create: to change it, create a new list and import into it.

A list whose info Redis lost (eviction, a DEL, a failover) leaves its entries behind;
checks answer "no such list" meanwhile. Created again, the list keeps what it reads: an
ordinary list its numbers, timed entries and prefixes; a dense list also the bitmaps
left behind, counted again (one BITCOUNT a bitmap). What it would not read is refused,
nothing written, as its numbers would read as not listed: bitmaps under a list created
without --dense, numbers of the plan kept outside the bitmaps under one created with it,
bitmaps of another plan, bitmaps whose index is lost too (alone or beside others),
several generations of bitmaps (a replace was under way) unless --generation names one.
The refusal names what is left and the two ways out: create it as it was, or remove
what is left with list rm <name> --left-behind. No record can say that nothing is left
(it can be lost with the info), so every create of a name without info looks for
bitmaps by their keys' names: a walk of every key in Redis, about 1 s for 1.3M keys.

Example:
  $ callguard list create us-dnc --dense nanp --reason "FTC National DNC Registry"`,
        );
    }
    command.addHelpText('after', `\nExample:\n  $ callguard list ${sub.example}`);
    if (sub.action === 'created') addSettingOptions(command, false);
    command.action(async (name: string, options: ListSettingOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const store = await context.store();
        const actor = { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' };
        let created: Awaited<ReturnType<typeof store.createList>> | undefined;
        if (sub.action === 'created') {
          if (options.generation !== undefined && options.dense === undefined) {
            throw new UsageError('list create: --generation names bitmaps a dense list reads: give --dense <plan> with it; nothing was created');
          }
          created = await store.createList(name, actor, {
            ...(options.dense ? { dense: options.dense } : {}),
            ...(options.generation === undefined ? {} : { generation: options.generation }),
          });
        } else await store.setEnabled(name, sub.action === 'enabled', actor);
        const changes = settingChanges(options);
        const settings = changes === undefined ? undefined : await configureList(await context.redis(), context.namespace, name, changes, actor);
        const kept = created === undefined || created.leftBehind === 0 ? undefined : created;
        const adopted = kept?.adopted === undefined ? '' : ` (bitmaps of generation ${kept.adopted})`;
        const heading = kept === undefined ? `list ${name} ${sub.action}` : `list ${name} ${sub.action}, keeping the ${count(kept.leftBehind, 'entry', 'entries')} its lost info left behind${adopted}`;
        context.print([heading, ...(settings === undefined ? [] : [describeSettings(name, settings)])], {
          list: name,
          action: sub.action,
          ...(kept === undefined ? {} : { leftBehind: kept.leftBehind, adopted: kept.adopted ?? null }),
          ...(settings === undefined ? {} : settingsJson(settings)),
        });
      }),
    );
  }

  const set = list
    .command('set')
    .description("change a list's settings: whether it records consent, how long its audit is kept")
    .argument('<name>', 'the list', parseListName)
    .addOption(byOption())
    .addOption(reasonOption('why, kept in the audit stream'))
    .addHelpText(
      'after',
      `
A consent list (Germany's §7a UWG: documented prior consent, kept 5 years after each
use) takes entries only with --ref (add --ref <id> --source web-form), a campaign can
require it (campaign set <c> --require-consent <list>), and its audit is kept forever or
at least 5 years. Other lists keep their audit forever unless given a retention; serve
trims older events every hour.

Examples:
  $ callguard list set consent-de --consent
  $ callguard list set harassment --audit-retention 1y
  $ callguard list set consent-de --audit-retention 6y --reason "policy 2027"

JSON: {"list","action":"configured","consent":bool,"auditRetention":"5y"|null,"changed":n}`,
    );
  addSettingOptions(set, true);
  set.action(async (name: string, options: ListSettingOptions, command: Command) =>
    withContext(command, io, async (context) => {
      const changes = settingChanges(options);
      if (changes === undefined) throw new UsageError('list set: give --consent, --no-consent or --audit-retention; nothing was changed');
      const actor = { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' };
      const settings = await configureList(await context.redis(), context.namespace, name, changes, actor);
      context.print(
        settings.changed === 0 ? `list ${name} unchanged: ${describeSettings(name, settings)}` : describeSettings(name, settings),
        { list: name, action: 'configured', ...settingsJson(settings), changed: settings.changed },
      );
    }),
  );

  list
    .command('rm')
    .description('remove a list with its entries and cancellations (its audit stream stays)')
    .argument('<name>', 'the list', parseListName)
    .addOption(byOption())
    .addOption(reasonOption('why, kept in the audit stream'))
    .option('-y, --yes', 'remove without asking (needed when stdin is not a terminal)')
    .option('--force', 'remove even while routes or campaigns name the list')
    .option('--left-behind', 'remove what a list whose info Redis lost left behind (its entries, bitmaps, cancellations)')
    .addHelpText(
      'after',
      `
On a terminal, rm asks before it removes the list and its entries; elsewhere (a script,
a pipe) it needs --yes. It refuses while a route or campaign names the list (naming
them), since a route's block list that is gone matches nothing, and a campaign dials
nothing until it exists again: change them first, or pass --force.
The list's audit stream stays in Redis with a remove event; a list created again under
the same name continues it.

--left-behind is for a list whose info Redis lost (eviction, a DEL, a failover): checks
answer "no such list", and a create over what is left is refused when the new list would
not read it all (see list create --help). It removes those keys, asking or with --yes
as above, with a remove event in the audit stream; it refuses while the list exists.

Examples:
  $ callguard list rm test --reason "trial over"
  $ callguard list rm old-dnc --yes --by ops
  $ callguard list rm dnc --yes --force      # while route support still blocks with it
  $ callguard list rm us-dnc --left-behind --reason "info evicted; reloading the registry"`,
    )
    .action(async (name: string, options: ListRemoveOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const redis = await context.redis();
        const store = await context.store();
        const actor = { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' };
        if (options.leftBehind) {
          const left = await store.leftBehind(name);
          if (left === undefined) {
            throw new CliError(`list ${name} exists: --left-behind removes only what a list whose info was lost left behind; remove the list with callguard list rm ${name}; nothing was removed`);
          }
          if (!holdsAnything(left)) throw new CliError(`list ${name} left nothing behind: no such list and none of its entries or bitmaps; nothing was removed`);
          const what = describeLeftBehind(left);
          if (!options.yes) await confirmRemoval(io, 'list rm --left-behind', `what list ${name}'s lost info left behind, ${what}`, `nothing left behind by list ${name} was removed`);
          await store.removeLeftBehind(name, actor);
          context.print(`removed what list ${name} left behind: ${what}`, { list: name, action: 'removed-left-behind' });
          return;
        }
        const force = Boolean(options.force);
        const info = (await store.lists()).find((candidate) => candidate.name === name);
        if (!info) {
          const left = await store.leftBehind(name);
          if (left !== undefined && holdsAnything(left)) {
            const create = createAsItWas(name, left);
            const keep = create === undefined ? '' : `, or keep them with ${create}`;
            throw new CliError(
              `no such list: ${name}, but its lost info left behind ${describeLeftBehind(left)}: remove them with callguard list rm ${name} --left-behind${keep}; nothing was removed`,
            );
          }
          throw noSuchList(name);
        }
        await assertRemovable(redis, context.namespace, name, { force }).catch(refuseInUse);
        if (!options.yes) await confirmRemoval(io, 'list rm', `list ${name} and its ${count(info.size, 'entry', 'entries')}`, `list ${name} was not removed`);
        const left = await removeList(redis, context.namespace, name, actor, { force }).catch(refuseInUse);
        context.print(`list ${name} removed`, { list: name, action: 'removed' });
        warnAboutUses(context, name, left);
      }),
    );
  registerRecount(list, io);
}

/** Asks on a terminal; without one, the removal needs --yes. Throws unless confirmed. */
async function confirmRemoval(io: CliIo, command: string, what: string, declined: string): Promise<void> {
  if (!io.ask) {
    throw new UsageError(`${command} removes ${what}: confirm with --yes (stdin is not a terminal, so callguard cannot ask); nothing was removed`);
  }
  const answer = await io.ask(`remove ${what}? Its cancellations go too; its audit stays. [y/N] `);
  if (!YES.test(answer.trim())) throw new CliError(declined);
}

function refuseInUse(error: unknown): never {
  if (error instanceof ListInUseError) {
    throw new CliError(
      `${error.message}: take it out of them first (callguard route set / campaign set with --block or --allow), or pass --force; nothing was removed`,
    );
  }
  throw error;
}

function warnAboutUses(context: CliContext, name: string, uses: ListUse[]): void {
  for (const use of uses) {
    const effect = use.kind === 'campaign' ? 'it dials nothing until the list exists again' : 'it matches nothing there until the list exists again';
    context.io.err(`callguard: warning: ${use.kind} ${use.name} still names list ${name} as a ${use.as} list; ${effect}`);
  }
}

/**
 * `list recount`: after Redis lost entries of a list (eviction, a DEL, a failover),
 * checks against it fail rather than call a number clear that may have been listed.
 * When the list cannot be loaded again, this takes what is left as the list: audited.
 */
function registerRecount(list: Command, io: CliIo): void {
  list
    .command('recount')
    .description("accept what a list holds now as its size, after Redis lost entries of it")
    .argument('<name>', 'the list', parseListName)
    .addOption(byOption())
    .addOption(reasonOption('why, kept in the audit stream (required)').makeOptionMandatory())
    .addHelpText(
      'after',
      `
When Redis loses entries of a list outside callguard (eviction, a DEL, a failover to a
replica without them), \`callguard lists\` warns, serve raises an alarm and every check
that finds no match in that list fails instead of answering "not listed". Load the
list again (import --replace) when you can; recount when what is left is what you keep.
A dense list's bitmaps are counted block by block, a page of them a round trip (checks
go on meanwhile; a bar on a terminal), then applied at once; when the list is written to
while it is counted, it is counted again, and after ${RECOUNT_TRIES} tries the recount stops, exit 1,
nothing written.

Example:
  $ callguard list recount harassment --reason "evicted on 2026-11-20; re-added by hand"

JSON: {"list","action":"recounted","sizeBefore":n|null,"size":n}`,
    )
    .action(async (name: string, options: ListChangeOptions & { reason: string }, command: Command) =>
      withContext(command, io, async (context) => {
        const store = await context.store();
        const progress = startProgress(!context.json && io === processIo, 'blocks');
        const actor = { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' };
        const { before, after } = await store
          .recount(name, actor, (counted, total) => progress.update(counted, total, counted))
          .finally(() => progress.stop());
        const change = before === undefined ? `size ${after}` : `size ${before} -> ${after}`;
        context.print(`list ${name} recounted: ${change}`, { list: name, action: 'recounted', sizeBefore: before ?? null, size: after });
      }),
    );
}

function addSettingOptions(command: Command, negatable: boolean): void {
  command
    .addOption(new Option('--consent', 'the list records consent: adds need --ref, its audit is kept at least 5 years'))
    .addOption(new Option('--audit-retention <span>', 'keep audit events this long (30d, 1y, 5y) or forever (default)').argParser(parseRetention));
  if (negatable) command.addOption(new Option('--no-consent', 'the list records no consent'));
}

/** `5y`, `30d` as ms; `forever` as null. */
function parseRetention(text: string): number | null {
  if (text.trim().toLowerCase() === 'forever') return null;
  try {
    const now = Date.now();
    return addDuration(now, parseDuration(text)) - now;
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new InvalidArgumentError(`${error.message}, or forever`);
    throw error;
  }
}

function settingChanges(options: ListSettingOptions): ListSettingChanges | undefined {
  if (options.consent === undefined && options.auditRetention === undefined) return undefined;
  return {
    ...(options.consent === undefined ? {} : { consent: options.consent }),
    ...(options.auditRetention === undefined ? {} : { auditRetentionMs: options.auditRetention }),
  };
}

function describeSettings(name: string, settings: { consent: boolean; auditRetentionMs?: number }): string {
  const audit = settings.auditRetentionMs === undefined ? 'audit kept forever' : `audit kept ${retentionText(settings.auditRetentionMs)}`;
  return `list ${name}: ${settings.consent ? 'records consent (adds need --ref)' : 'no consent list'}, ${audit}`;
}

function settingsJson(settings: { consent: boolean; auditRetentionMs?: number }): { consent: boolean; auditRetention: string | null } {
  return { consent: settings.consent, auditRetention: settings.auditRetentionMs === undefined ? null : retentionText(settings.auditRetentionMs) };
}


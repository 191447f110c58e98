import { InvalidArgumentError, Option, type Command } from 'commander';
import { normalize } from '../../numbers/normalize.js';
import { isTimeZone } from '../../numbers/time-zones.js';
import { BUILTIN_POLICIES } from '../../screening/hours/builtin.js';
import { localTime } from '../../screening/hours/local-time.js';
import type { HoursPolicy, Week } from '../../screening/hours/policy.js';
import { applyPolicyChanges, HoursStore, type PolicyChanges, type PolicySource } from '../../screening/hours/store.js';
import { formatDays, formatHoliday, HoursSyntaxError, parseHoliday, parseHolidays, parseRegionRule, parseWeek } from '../../screening/hours/syntax.js';
import { hoursAt, placesFor } from '../../screening/hours/window.js';
import type { CliContext, CliIo } from '../context.js';
import { parseDurationOrTime } from '../../front-door/duration.js';
import { CliError, EXIT_BLOCKED, ExitWith, UsageError } from '../../front-door/errors.js';
import { fields, humanSpan, isoTime, table } from '../../front-door/format.js';
import { withRegionHint } from '../../front-door/number-input.js';
import { byOption, defaultActor, nameParser, parseFreeText, regionOption, syntaxOption } from '../options.js';
import { withContext } from '../with-context.js';

/** `hours check` exits with check's "blocked" when the window is closed: do not call now. */
const EXIT_CLOSED = EXIT_BLOCKED;
const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface HoursSetOptions {
  days?: Week;
  state?: { region: string; days: Partial<Week> }[];
  dropState?: string[];
  holidays?: PolicyChanges['holidays'];
  addHoliday?: NonNullable<PolicyChanges['addHolidays']>;
  tz?: string | false;
  note?: string | false;
  by?: string;
}

export function registerHours(program: Command, io: CliIo): void {
  const hours = program
    .command('hours')
    .description("calling-hours policies: when campaigns may call, at the callee's local time")
    .addHelpText(
      'after',
      `
A campaign names a policy (callguard campaign set <c> --hours us); outside its window
nothing is dialled: the attempt waits for the next window start (result OUTSIDE_HOURS).
Shipped: us (federal 8:00-21:00 with state rules) and au (Australia); set one of their
names to change it, rm it to go back. Not legal advice: docs/compliance.md`,
    );

  hours
    .command('set')
    .description('create a policy or change it (a shipped one becomes a stored copy): only the options given change')
    .argument('<name>', 'policy name (a-z, 0-9, _ and -)', parsePolicyName)
    .addOption(new Option('--days <spec>', 'the week: mon-fri=09:00-20:00,sat=09:00-17:00 (days not named are closed; new policies: required)').argParser(syntaxOption(parseWeek)))
    .addOption(new Option('--state <code:spec>', 'a state rule that narrows the week there: TX:mon-sat=09:00-21:00,sun=12:00-21:00 (repeatable)').argParser(repeatable(syntaxOption(parseRegionRule))))
    .addOption(new Option('--drop-state <code>', 'remove the rule of a state (repeatable)').argParser(repeatable((text) => text.trim().toUpperCase())))
    .addOption(new Option('--holidays <list>', 'days with no window, replacing the current ones: 12-25,2026-12-24,easter-2 or none').argParser(syntaxOption(parseHolidays)))
    .addOption(new Option('--add-holiday <day>', 'one more holiday: 12-24, 2026-12-31, easter+1 (repeatable)').argParser(repeatable(syntaxOption(parseHoliday))))
    .addOption(new Option('--tz <zone>', "read the windows in this zone (e.g. Europe/Berlin) whoever is called; default: the callee's").argParser(parseZone))
    .addOption(new Option('--no-tz', "the callee's local time"))
    .addOption(new Option('--note <text>', 'what the policy stands for').argParser(parseFreeText))
    .addOption(new Option('--no-note', 'no note'))
    .addOption(byOption())
    .addHelpText(
      'after',
      `
Days: mon tue wed thu fri sat sun, ranges (mon-fri, fri-mon), daily, weekdays, weekend;
windows HH:MM-HH:MM joined with + (09:00-12:00+14:00-18:00), or closed. A window past
midnight is two: 22:00-24:00 one day, 00:00-02:00 the next.
A state rule can only narrow the week (both must allow a call); its code is the US state
or Canadian province of the callee's area code. Numbers under several time zones (an area
code spanning zones, a mobile) are called only when the window is open in all of them.

Examples:
  $ callguard hours set us --state NJ:daily=08:00-20:00
  $ callguard hours set de-b2c --days mon-fri=09:00-20:00 --tz Europe/Berlin --holidays 01-01,easter-2,easter+1,05-01,10-03,12-25,12-26
  $ callguard hours set us --drop-state WY

JSON: {"created":bool,"policy":{...as hours show}}`,
    )
    .action(async (name: string, options: HoursSetOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const store = await hoursStore(context);
        const lookup = await store.get(name);
        if (lookup.kind === 'invalid') io.err(`callguard: warning: stored policy ${name} was invalid (${lookup.reason}); starting anew`);
        let policy: HoursPolicy;
        try {
          policy = applyPolicyChanges(name, lookup.kind === 'found' ? lookup.policy : undefined, changesFrom(options));
        } catch (error) {
          if (error instanceof HoursSyntaxError) throw new UsageError(`${error.message}; nothing was saved`);
          throw error;
        }
        await store.set(policy);
        const created = lookup.kind !== 'found';
        const source: PolicySource = lookup.kind === 'found' && lookup.source !== 'stored' ? 'changed-builtin' : 'stored';
        context.print([`policy ${name} ${created ? 'created' : 'changed'}`, ...describePolicy(policy, source)], { created, policy: policyJson(policy, source) });
      }),
    );

  hours
    .command('show')
    .description('show one policy: its week, state rules, holidays and zone')
    .argument('<name>', 'policy name', parsePolicyName)
    .addHelpText('after', '\nExample:\n  $ callguard hours show us\n\nJSON: {"policy":{"name","source","days","states":{"FL":"daily=08:00-20:00"},"holidays":[...],"zone","note","updatedAt","updatedBy"}}')
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const found = await readPolicy(context, name);
        context.print(describePolicy(found.policy, found.source), { policy: policyJson(found.policy, found.source) });
      }),
    );

  hours
    .command('list')
    .description('list every policy, the shipped ones too')
    .addHelpText('after', '\nExample:\n  $ callguard hours list\n\nJSON: {"policies":[{...as hours show}],"invalid":[{"name","reason"}]}')
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const listing = await (await hoursStore(context)).list();
        const lines = table(
          ['POLICY', 'SOURCE', 'DAYS', 'STATES', 'ZONE'],
          [
            ...listing.policies.map(({ policy, source }) => [
              policy.name,
              SOURCES[source],
              formatDays(policy.week),
              Object.keys(policy.regions).sort().join(','),
              policy.zone ?? 'callee',
            ]),
            ...listing.invalid.map((bad) => [bad.name, `INVALID: ${bad.reason}`]),
          ],
        );
        context.print(lines, { policies: listing.policies.map(({ policy, source }) => policyJson(policy, source)), invalid: listing.invalid });
      }),
    );

  hours
    .command('rm')
    .description('remove a stored policy (a shipped one of that name applies again)')
    .argument('<name>', 'policy name', parsePolicyName)
    .addHelpText('after', '\nExample:\n  $ callguard hours rm de-b2c\n\nJSON: {"removed":"<name>","builtin":bool}')
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const removed = await (await hoursStore(context)).remove(name);
        if (removed === 'missing') throw new CliError(`no calling-hours policy named ${name} (see: callguard hours list)`);
        if (removed === 'builtin') throw new CliError(`policy ${name} is shipped with callguard and has no stored changes; nothing to remove`);
        const shipped = BUILTIN_POLICIES.has(name);
        context.print(`policy ${name} removed${shipped ? ' (the shipped one applies again)' : ''}`, { removed: name, builtin: shipped });
      }),
    );

  hours
    .command('check')
    .description('may a policy call this number now (or --at a time)? and if not, when?')
    .argument('<policy>', 'policy name', parsePolicyName)
    .argument('<number>', 'the callee: E.164, or national with --region')
    .addOption(new Option('--at <when>', 'at this time instead of now: in 2h, or an ISO 8601 time').argParser((text) => parseDurationOrTime(text, 1)))
    .addOption(new Option('--tz <zone>', "the callee's zone, as a request's tz attribute gives it").argParser(parseZone))
    .addOption(regionOption())
    .addHelpText(
      'after',
      `
Exit code 0 when the window is open, ${EXIT_CLOSED} when it is closed (do not call now).

Examples:
  $ callguard hours check us +13055550100
  $ callguard hours check au '02 9876 5432' --region AU --at 2027-03-26T12:00:00+11:00

JSON: {"policy","number","places":[{"zone","region"}],"at","open":bool,"nextOpen":ISO|null}`,
    )
    .action(async (name: string, number: string, options: { at?: (now: number) => number; tz?: string; region?: string }, command: Command) =>
      withContext(command, io, async (context) => {
        const normalized = normalize(number, options.region);
        if (normalized.kind !== 'e164') {
          const why = normalized.kind === 'hidden' ? 'it names no number' : normalized.reason;
          throw new UsageError(`${JSON.stringify(number)} is not a number to call: ${withRegionHint(why, options.region, 'give --region (or CALLGUARD_REGION)')}`);
        }
        const { policy } = await readPolicy(context, name);
        const places = placesFor(policy, normalized.e164, options.tz);
        if (!places.ok) throw new UsageError(places.reason.replace('give the request a tz attribute', 'give --tz'));
        const now = Date.now();
        const at = options.at?.(now) ?? now;
        const verdict = hoursAt(policy, places.places, at);
        const nextOpen = verdict.open ? null : (verdict.nextOpen ?? null);
        const zone = places.places[0]?.zone ?? 'UTC';
        context.print(
          fields([
            ['policy', policy.name],
            ['number', normalized.e164],
            ['places', places.places.map((place) => `${place.zone}${place.region === undefined ? '' : ` (${place.region})`}`).join(', ')],
            ['at', `${isoTime(at)} (${wallClock(at, zone)})`],
            ['window', verdict.open ? 'open: may be called' : 'closed: not now'],
            ['next', verdict.open ? undefined : nextOpen === null ? 'no window in the weeks ahead' : `${isoTime(nextOpen)} (${wallClock(nextOpen, zone)}), in ${humanSpan(nextOpen - at)}`],
          ]),
          { policy: policy.name, number: normalized.e164, places: places.places.map((place) => ({ zone: place.zone, region: place.region ?? null })), at: isoTime(at), open: verdict.open, nextOpen: isoTime(nextOpen) },
        );
        if (!verdict.open) throw new ExitWith(EXIT_CLOSED);
      }),
    );
}

const parsePolicyName = nameParser('policy');

function parseZone(text: string): string {
  if (!isTimeZone(text)) throw new InvalidArgumentError(`"${text}" is not an IANA time zone such as America/Chicago or Europe/Berlin`);
  return text;
}

function repeatable<T>(parse: (text: string) => T): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => [...(previous ?? []), parse(text)];
}

function changesFrom(options: HoursSetOptions): PolicyChanges {
  const changes: PolicyChanges = { updatedAt: Date.now(), updatedBy: options.by ?? defaultActor() };
  if (options.days !== undefined) changes.week = options.days;
  if (options.state !== undefined) changes.regions = Object.fromEntries(options.state.map((rule) => [rule.region, rule.days]));
  if (options.dropState !== undefined) changes.removeRegions = options.dropState;
  if (options.holidays !== undefined) changes.holidays = options.holidays;
  if (options.addHoliday !== undefined) changes.addHolidays = options.addHoliday;
  if (options.tz !== undefined) changes.zone = options.tz === false ? null : options.tz;
  if (options.note !== undefined) changes.note = options.note === false ? null : options.note;
  return changes;
}

async function hoursStore(context: CliContext): Promise<HoursStore> {
  return new HoursStore(await context.redis(), context.namespace);
}

async function readPolicy(context: CliContext, name: string): Promise<{ policy: HoursPolicy; source: PolicySource }> {
  const lookup = await (await hoursStore(context)).get(name);
  if (lookup.kind === 'missing') throw new CliError(`no calling-hours policy named ${name} (see: callguard hours list)`);
  if (lookup.kind === 'invalid') throw new CliError(`policy ${name} is stored but invalid: ${lookup.reason} (fix it with: callguard hours set ${name} --days ...)`);
  return lookup;
}

function wallClock(at: number, zone: string): string {
  const local = localTime(at, zone);
  const hhmm = `${String(Math.floor(local.minutes / 60)).padStart(2, '0')}:${String(local.minutes % 60).padStart(2, '0')}`;
  return `${hhmm} ${WEEKDAY_NAMES[local.weekday] ?? ''} in ${zone}`;
}

const SOURCES: Record<PolicySource, string> = { builtin: 'shipped', stored: 'stored', 'changed-builtin': 'shipped, changed' };

function describePolicy(policy: HoursPolicy, source: PolicySource): string[] {
  const states = Object.entries(policy.regions).sort(([a], [b]) => a.localeCompare(b));
  return fields([
    ['policy', policy.name],
    ['source', SOURCES[source]],
    ['days', formatDays(policy.week)],
    ['states', states.length === 0 ? 'none' : states.map(([region, rule]) => `${region}:${formatDays(rule.days)}`).join('  ')],
    ['holidays', policy.holidays.length === 0 ? 'none' : policy.holidays.map(formatHoliday).join(',')],
    ['zone', policy.zone ?? "the callee's (from the number, or the request's tz)"],
    ['note', policy.note],
    ['updated', policy.updatedAt === undefined ? undefined : `${isoTime(policy.updatedAt)} by ${policy.updatedBy ?? 'unknown'}`],
  ]);
}

function policyJson(policy: HoursPolicy, source: PolicySource): Record<string, unknown> {
  return {
    name: policy.name,
    source,
    days: formatDays(policy.week),
    states: Object.fromEntries(Object.entries(policy.regions).map(([region, rule]) => [region, formatDays(rule.days)])),
    holidays: policy.holidays.map(formatHoliday),
    zone: policy.zone ?? null,
    note: policy.note ?? null,
    updatedAt: isoTime(policy.updatedAt),
    updatedBy: policy.updatedBy ?? null,
  };
}

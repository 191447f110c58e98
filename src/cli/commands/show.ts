import { Option, type Command } from 'commander';
import { bulkProvenance, type Provenance } from '../../lists/provenance.js';
import type { AuditEvent, EntryState, Match } from '../../lists/types.js';
import type { CliIo } from '../context.js';
import { UsageError } from '../errors.js';
import { describeExpiry, entryJson, isoTime, table } from '../format.js';
import { extensionNote, readEntry, withRegionHint } from '../number-input.js';
import { positiveInteger, regionOption } from '../options.js';
import { withContext } from '../program.js';

interface ShowOptions {
  region?: string;
  limit: number;
}

const DEFAULT_HISTORY = 50;
/** Imports listed for one bulk entry that several could have brought; --json has them all. */
const IMPORTS_SHOWN = 10;

export function registerShow(program: Command, io: CliIo): void {
  program
    .command('show')
    .description('everything about one number: the lists holding it, its cancellations, its audit history')
    .argument('<number>', 'a number, or a prefix ending in * as it was added')
    .addOption(regionOption())
    .addOption(
      new Option('--limit <n>', 'history events to show, newest first')
        .argParser(positiveInteger(10_000))
        .default(DEFAULT_HISTORY),
    )
    .addHelpText(
      'after',
      `
For a number, "listed" also names prefix entries that cover it (on enabled lists).
A disabled list is marked; it matches nothing until enabled again.

An entry loaded by "callguard import" has no reason, who or time of its own (that
would cost memory for every number); "loaded by" names the import that brought it
(file, who, why, when) from the list's audit: the last replace, or an import after
it. When several imports since the last replace could have brought it, all are
named and it says that the audit cannot tell which.

Examples:
  $ callguard show +4930123456
  $ callguard show 030123456 --region DE --limit 10
  $ callguard show '+1900*'

JSON: {"input","member","listed":[{"list","enabled","member","kind","expiresAt","reason","by","addedAt",
         "loadedBy":{"certain","imports":[{"id","action","at","by","reason","file","details"}]}|null}],
       "cancelled":[{"list","member","reason","by","at"}],
       "history":[{"id","list","action","at","by","reason","member","details"}]}`,
    )
    .action(async (input: string, options: ShowOptions, command: Command) => {
      const reading = readEntry(input, options.region);
      if (!reading.ok) throw new UsageError(`${JSON.stringify(input)} is not a number or prefix: ${withRegionHint(reading.reason, options.region)}`);
      const { member, kind } = reading.entry;
      const note = extensionNote(input, member);
      if (note !== undefined) io.err(`callguard: note: ${note}`);
      await withContext(command, io, async (context) => {
        const store = await context.store();
        const lists = await store.lists();
        const enabled = new Map(lists.map((list) => [list.name, list.enabled]));
        const { listed, cancelled } = await store.entries(member);
        const viaPrefix =
          kind === 'exact'
            ? (await store.checkEach(member, lists.filter((list) => list.enabled).map((list) => list.name))).filter(
                (match): match is Match => match !== null && match.kind === 'prefix',
              )
            : [];
        const holding: EntryState[] = [...listed, ...viaPrefix].sort((a, b) => a.list.localeCompare(b.list));
        const history = await store.history(member, options.limit);
        const redis = await context.redis();
        const loadedBy = await Promise.all(
          holding.map((entry) =>
            isBulk(entry) ? bulkProvenance(redis, context.namespace, entry, leftAt(history, entry)) : Promise.resolve(null),
          ),
        );
        const now = Date.now();

        context.print(humanShow(member, holding, enabled, loadedBy, cancelled, history, now), {
          input,
          member,
          listed: holding.map((entry, i) => ({
            ...entryJson(entry),
            enabled: enabled.get(entry.list) ?? false,
            loadedBy: provenanceJson(loadedBy[i] ?? null),
          })),
          cancelled: cancelled.map((c) => ({ list: c.list, member: c.member, reason: c.reason, by: c.by, at: isoTime(c.at) })),
          history: history.map(historyJson),
        });
      });
    });
}

/** An entry without a record of its own: an import loaded it. */
function isBulk(entry: EntryState): boolean {
  return entry.by === undefined && entry.addedAt === undefined;
}

/** When the entry last left its list (cancelled or expired), from the member's own history. */
function leftAt(history: AuditEvent[], entry: EntryState): number | undefined {
  return history.find(
    (event) => event.list === entry.list && event.member === entry.member && (event.action === 'cancel' || event.action === 'expire'),
  )?.at;
}

function provenanceJson(provenance: Provenance | null) {
  if (!provenance) return null;
  return {
    certain: provenance.certain,
    imports: provenance.imports.map((event) => ({ ...historyJson(event), file: event.details?.file ?? null })),
  };
}

function historyJson(event: AuditEvent) {
  return {
    id: event.id,
    list: event.list,
    action: event.action,
    at: isoTime(event.at),
    by: event.by,
    reason: event.reason ?? null,
    member: event.member ?? null,
    details: readableDetails(event.details),
  };
}

/** Details with their times (`expiresAt`, stored as ms since epoch) as ISO 8601, like every other time shown. */
function readableDetails(details: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(details).map(([name, value]) => [name, name.endsWith('At') && /^\d+$/.test(value) ? (isoTime(Number(value)) ?? value) : value]),
  );
}

function humanShow(
  member: string,
  holding: EntryState[],
  enabled: Map<string, boolean>,
  loadedBy: (Provenance | null)[],
  cancelled: { list: string; member: string; reason: string; by: string; at: number }[],
  history: AuditEvent[],
  now: number,
): string[] {
  const lines = [member, ''];
  if (holding.length === 0) lines.push('listed on: no list');
  else {
    lines.push('listed on:');
    lines.push(
      ...indent(
        table(
          ['LIST', 'ENTRY', 'EXPIRES', 'REASON', 'BY', 'ADDED'],
          holding.map((entry) => [
            enabled.get(entry.list) === false ? `${entry.list} (disabled)` : entry.list,
            entry.member,
            describeExpiry(entry.expiresAt, now),
            entry.reason,
            entry.by,
            isoTime(entry.addedAt) ?? undefined,
          ]),
        ),
      ),
    );
  }
  lines.push(...describeLoadedBy(holding, loadedBy));
  if (cancelled.length > 0) {
    lines.push('', 'cancelled:');
    lines.push(
      ...indent(
        table(
          ['LIST', 'ENTRY', 'AT', 'BY', 'REASON'],
          cancelled.map((c) => [c.list, c.member, isoTime(c.at) ?? undefined, c.by, c.reason]),
        ),
      ),
    );
  }
  const noHistory = loadedBy.some(Boolean) ? 'history: no event of its own (see "loaded by")' : 'history: none';
  lines.push('', history.length === 0 ? noHistory : 'history (newest first):');
  if (history.length > 0) {
    lines.push(
      ...indent(
        table(
          ['AT', 'ACTION', 'LIST', 'BY', 'REASON', 'DETAILS'],
          history.map((event) => [
            isoTime(event.at) ?? undefined,
            event.action,
            event.list,
            event.by,
            event.reason,
            Object.entries(readableDetails(event.details))
              .map(([name, value]) => `${name}=${value}`)
              .join(' '),
          ]),
        ),
      ),
    );
  }
  return lines;
}

/** For each bulk entry, the import that brought it, or the imports that may have, said as such. */
function describeLoadedBy(holding: EntryState[], loadedBy: (Provenance | null)[]): string[] {
  const lines: string[] = [];
  holding.forEach((entry, i) => {
    const provenance = loadedBy[i];
    if (!provenance) return;
    const what = `${entry.list} ${entry.member}`;
    if (provenance.imports.length === 0) {
      lines.push(`  ${what}: no record of its own, and no import in the audit of ${entry.list} that could have brought it`);
      return;
    }
    lines.push(
      provenance.certain
        ? `  ${what}: loaded by this ${provenance.imports[0]?.action} (bulk entries keep no record of their own):`
        : `  ${what}: loaded by one of these ${provenance.imports.length} imports since the last replace; the audit cannot tell which:`,
    );
    lines.push(
      ...indent(
        indent(
          table(
            ['AT', 'ACTION', 'FILE', 'BY', 'REASON'],
            provenance.imports
              .slice(0, IMPORTS_SHOWN)
              .map((event) => [isoTime(event.at) ?? undefined, event.action, event.details?.file, event.by, event.reason]),
          ),
        ),
      ),
    );
    const more = provenance.imports.length - IMPORTS_SHOWN;
    if (more > 0) lines.push(`      ... and ${more} older (--json lists them all)`);
  });
  return lines.length > 0 ? ['', 'loaded by:', ...lines] : [];
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

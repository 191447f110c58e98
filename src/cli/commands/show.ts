import { Option, type Command } from 'commander';
import { describeNumber } from '../../lists/number-report.js';
import type { Provenance } from '../../lists/provenance.js';
import type { AuditEvent, EntryState } from '../../lists/types.js';
import type { CliIo } from '../context.js';
import { UsageError } from '../../front-door/errors.js';
import { describePart, partOf, type ListSource, type PartSource } from '../../lists/source-date.js';
import { describeExpiry, describeListAge, isoTime, table } from '../../front-door/format.js';
import { numberReportJson, readableDetails } from '../../front-door/json-shapes.js';
import { extensionNote, readEntry, withRegionHint } from '../../front-door/number-input.js';
import { positiveInteger, regionOption } from '../options.js';
import { withContext } from '../with-context.js';

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
A disabled list is marked; it matches nothing until enabled again. A list that lost
entries outside callguard and cannot say whether it holds the number is named under
"cannot tell on": unknown there, which is not "not listed".

An entry loaded by "callguard import" has no reason, who or time of its own (that
would cost memory for every number); "loaded by" names the import that brought it
(file, who, why, when) from the list's audit: the last replace, or an import after
it. When several imports since the last replace could have brought it, it says that
the audit cannot tell which and names them (the ${IMPORTS_SHOWN} newest; --json has them all).

Under "listed on", each imported list holding it says how old its copy is there: the
data date of the part the entry is in (a +1 number's area code; every other number is
one part), which an import of that area code's file alone makes newer, and the list's
own date, its oldest part's, when that is older. A campaign with --max-list-age goes
by the list's date. A list dated before dates per area code answers with that date
("the list as dated before dates per area code") until an import dates the part.

Examples:
  $ callguard show +4930123456
  $ callguard show 030123456 --region DE --limit 10
  $ callguard show '+1900*'

JSON: {"input","member","listed":[{"list","enabled","member","kind","expiresAt","reason","by","addedAt",
         "loadedBy":{"certain","imports":[{"id","list","action","at","by","reason","member","details","file"}]}|null,
         "listData":{"file","dataDate","ageSeconds","from","oldest":{"part","parts"}|null}|null,
         "partData":{"part","file","dataDate","ageSeconds","from"}|null}],
       "cancelled":[{"list","member","reason","by","at"}],
       "history":[{"id","list","action","at","by","reason","member","details"}],
       "cannotTell":["<list that lost entries and cannot tell whether it holds it>"]}`,
    )
    .action(async (input: string, options: ShowOptions, command: Command) => {
      const reading = readEntry(input, options.region);
      if (!reading.ok) throw new UsageError(`${JSON.stringify(input)} is not a number or prefix: ${withRegionHint(reading.reason, options.region)}`);
      const { member, kind } = reading.entry;
      const note = extensionNote(input, member);
      if (note !== undefined) io.err(`callguard: note: ${note}`);
      await withContext(command, io, async (context) => {
        const report = await describeNumber(await context.store(), member, kind, options.limit);
        const { holding, enabled, cancelled, history, loadedBy, cannotTell } = report;
        const now = Date.now();
        const lines = humanShow(member, holding, enabled, loadedBy, cancelled, history, now);
        if (cannotTell.length > 0) {
          lines.splice(2 + (holding.length === 0 ? 1 : 2 + holding.length), 0, `cannot tell on: ${cannotTell.join(', ')} (lost entries outside callguard; see callguard lists)`);
        }
        lines.splice(2 + (holding.length === 0 ? 1 : 2 + holding.length), 0, ...describeDataDates(holding, report.partSources, report.sources, now));
        context.print(lines, numberReportJson(input, member, report));
      });
    });
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

/**
 * How old each list's copy is where it holds the number: the date of the entry's own
 * part (the law counts the age per number), then the list's, its oldest part's, when
 * that is older (what a campaign goes by). Once a list and part.
 */
function describeDataDates(holding: EntryState[], partSources: (PartSource | null)[], sources: Map<string, ListSource>, now: number): string[] {
  const lines: string[] = [];
  const said = new Set<string>();
  holding.forEach((entry, i) => {
    const listSource = sources.get(entry.list);
    const part = partSources[i] ?? null;
    const key = `${entry.list}\n${part?.part ?? partOf(entry.member)}`;
    if (listSource === undefined || said.has(key)) return;
    said.add(key);
    const own = part
      ? `${describeListAge(part, now)}, for ${entry.member} (${describePart(part.part)})`
      : `no import dated ${describePart(partOf(entry.member))}, where ${entry.member} is`;
    if (part?.dataDate === listSource.dataDate) {
      lines.push(`  ${entry.list}: ${own}, the list's date too`);
      return;
    }
    lines.push(`  ${entry.list}: ${own}`);
    lines.push(`  ${entry.list}: the list's date (its oldest part's): ${describeListAge(listSource, now)}`);
  });
  return lines;
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

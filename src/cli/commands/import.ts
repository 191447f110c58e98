import { createWriteStream } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ColumnError, parseColumnSpec, type ColumnSpec } from '../../lists/import/columns.js';
import {
  DEFAULT_MAX_REJECTS,
  DEFAULT_MAX_SHRINK_PERCENT,
  describeRejectLimit,
  parsePercent,
  parseRejectLimit,
  type Parsed,
  type RejectLimit,
} from '../../lists/import/guards.js';
import { NeedsRegionError } from '../../lists/import/needs-region.js';
import { RejectsFile } from '../../lists/import/rejects.js';
import { importChanges, type ChangesSummary } from '../../lists/import/changes.js';
import { ImportError, importList, nationalPlanOf } from '../../lists/import/run.js';
import { ReplaceBusyError, ReplaceLeaseLostError } from '../../lists/import/replace-lease.js';
import { openSource, type ImportSource } from '../../lists/import/source.js';
import { describeFailure, describeSummary, type ImportSummary } from '../../lists/import/summary.js';
import type { DuplicateMode } from '../../lists/import/writer.js';
import { ListError } from '../../lists/types.js';
import { processIo, type CliIo } from '../context.js';
import { expiryFrom, parseSourceDate, type Duration } from '../../front-door/duration.js';
import { CliError, ExitWith, UsageError } from '../../front-door/errors.js';
import { byOption, defaultActor, forOption, listOption, parseRegion, reasonOption, regionOption, untilOption } from '../options.js';
import { withContext } from '../with-context.js';
import { assertDistinct, assertWritable } from '../output-path.js';
import { startProgress } from '../progress.js';

/** Exit codes of import (beside 2 bad usage and 3 Redis unreachable, as every command). */
export const EXIT_ROWS_REJECTED = 1;
/** The file broke (unclosed quote, truncated gzip...): a replace changed nothing, a plain import kept the rows before. */
export const EXIT_FILE_BROKEN = 20;
/** A replace past --max-shrink or --max-rejects: nothing was changed. */
export const EXIT_REPLACE_REFUSED = 21;
export const EXIT_INTERRUPTED = 130;

interface ImportOptions {
  list: string;
  region?: string;
  column?: ColumnSpec;
  expiresColumn?: ColumnSpec;
  onDuplicate: DuplicateMode;
  replace?: boolean;
  reason?: string;
  by?: string;
  until?: number;
  for?: Duration;
  rejects?: string;
  dryRun?: boolean;
  maxShrink?: number;
  maxRejects?: RejectLimit;
  force?: boolean;
  country?: string;
  delete?: boolean;
  changes?: string[];
  sourceDate?: number;
}

const parsedOption =
  <T>(parse: (text: string) => Parsed<T>) =>
  (text: string): T => {
    const result = parse(text);
    if (!result.ok) throw new InvalidArgumentError(result.reason);
    return result.value;
  };

const columnOption = (flag: string) => (text: string): ColumnSpec => {
  try {
    return parseColumnSpec(text, flag);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
};

export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description('load a file of numbers (one a line, or CSV; gzip, zip or plain) into a list, streamed')
    .argument('[file]', 'the file to read, or - for stdin (not with --changes)')
    .addOption(listOption('the list to load into'))
    .addOption(regionOption())
    .addOption(
      // A national file is read a whole line a number: a column named would be ignored, and every row rejected.
      new Option('--country <region>', 'a plain national file of this country (US, CA... or GB): read fast, no parse per line')
        .argParser(parseRegion)
        .conflicts(['column', 'expiresColumn']),
    )
    .addOption(new Option('--delete', "take the file's numbers out of the list (a deletion change list)").conflicts(['replace']))
    .addOption(
      // What --changes does not take is refused, not ignored: a --rejects file never written reads as "no rejects".
      new Option('--changes <additions-and-deletions...>', 'apply a change list: a file of additions, then one of deletions').conflicts([
        'replace',
        'delete',
        'rejects',
        'until',
        'for',
        'expiresColumn',
      ]),
    )
    .addOption(
      new Option('--source-date <date>', "the date of the file's data (ISO 8601); default the file's own date").argParser((text: string) => parseSourceDate(text)),
    )
    .addOption(new Option('--column <n|name>', 'the column holding the number: position from 1, or header name').argParser(columnOption('--column')))
    .addOption(
      new Option('--on-duplicate <mode>', 'a number already listed (or repeated in the file): skip it, or override its expiry')
        .choices(['skip', 'override'])
        .default('skip'),
    )
    .addOption(new Option('--replace', 'replace the whole list with the file, atomically'))
    .addOption(
      new Option(
        '--max-shrink <percent>',
        `with --replace: refuse if the list would lose more than this share of its entries (default ${DEFAULT_MAX_SHRINK_PERCENT}%)`,
      ).argParser(parsedOption(parsePercent)),
    )
    .addOption(
      new Option(
        '--max-rejects <n|percent>',
        `with --replace: refuse if more rows than this are rejected, a count or a share (default ${describeRejectLimit(DEFAULT_MAX_REJECTS)})`,
      ).argParser(parsedOption(parseRejectLimit)),
    )
    .addOption(new Option('--force', 'with --replace: replace even past --max-shrink and --max-rejects (never from a broken file)'))
    .addOption(reasonOption('why; recorded in the audit log'))
    .addOption(byOption())
    .addOption(untilOption().conflicts('expiresColumn'))
    .addOption(forOption().conflicts('expiresColumn'))
    .addOption(
      new Option('--expires-column <n|name>', 'the column holding each row\'s expiry (ISO 8601; empty: never)').argParser(
        columnOption('--expires-column'),
      ),
    )
    .addOption(new Option('--rejects <file>', 'write rejected rows here as CSV: line,raw,reason (of a zip: line,raw,reason,member)'))
    .addOption(new Option('--dry-run', 'read and check every row, count, write nothing to Redis'))
    .addHelpText(
      'after',
      `
Input: one number a line, or CSV with a comma, semicolon or tab (detected), quoted
fields, an optional header (detected: the number cell has no digit), a UTF-8 BOM,
CRLF. Gzip is detected by its content. Without --column, a header cell named
number, phone, tel, msisdn, Rufnummer... picks the column, else the first. A file
written by "callguard export" brings its expiries back by itself.

Every row is imported, a duplicate, or rejected (line, raw value and reason go to
--rejects). Duplicates: already live in the list, or earlier in the file.
  skip      the existing entry stays as it is (its expiry too); the first in the file wins
  override  the entry gets this import's expiry (forever moves it to the never-expiring
            set); the last in the file wins
Expired entries are not duplicates: the import brings them back.

--replace builds the new list aside and swaps it in at once: checks during the import
see the old list, entries not in the file are gone, cancellations and history stay.
It swaps only a file read to its end, and refuses (nothing changed, exit 21):
  a file without one valid number;
  a list that would lose more than --max-shrink of its live entries (default 10%);
  more rejected rows than --max-rejects: a count (250) or a share (2%) (default 10%);
  a list whose entries someone changed while the file was read (an add, a cancel,
  another import): the swap would drop those changes; run the replace again;
  a list another replace is running on (one at a time): refused before reading.
--force replaces past --max-shrink and --max-rejects, saying so in the audit. An
interrupted replace leaves the old list; its leftovers are removed by the next
replace of that list (10 s after a killed one, whose hold on the list must lapse).
Ctrl-C stops reading: a plain import keeps the whole batches written (run it again to
finish; it is idempotent), a replace keeps the old list.

A broken file stops the import at the line where it broke, named in the message (in
a zip, the member and its own line, as for rejected rows): a quote never closed, a row past 64 KB, a NUL byte or a UTF-16/32 file (save as UTF-8),
a truncated or corrupt gzip. A replace then changes nothing; a plain import keeps the
rows before that line. --force never overrides it. Bytes that are not UTF-8 reject
only the row whose number holds them.

Without --region (or CALLGUARD_REGION), a file whose first rows are mostly national
numbers (030 1234567) stops at once, before writing anything, and asks for one.

Bulk entries carry no reason or who of their own; the import records one audit event
(file, counts, who, why), which "callguard show" names for such a number.

National registries (docs/registries.md): --country US reads a plain national file
(the FTC's 2015550100 or 201,5550100 lines, 12015550100, +12015550100; GB:
02079460000) byte by byte, millions of lines a second; a line of another shape is
read as with --region US. Into a list created with --dense nanp its numbers go
straight into the bitmaps. A .zip is read member after member (give its path: a zip
cannot come from stdin). --delete takes the file's numbers out of the list instead
(removed / not listed); --changes ADDITIONS DELETIONS applies a change list in one run,
deletions first, one audit event (not with --rejects, --for, --until, --expires-column).
--country reads a line a number: not with --column or --expires-column. Every import that finishes records the date of
its data: --source-date (at most a day ahead: a later one is refused), else the
file's own date (a zip member's, gzip's, the file's modification time), for the area
codes its numbers are in (numbers outside +1: one part); a list is as old as its
oldest area code, so one area code's file does not make a whole registry read fresh.
--replace dates the whole list anew; --delete dates nothing; --changes the area codes
either file names. "callguard lists" shows the age, campaigns can refuse a list older
than --max-list-age.

Exit codes: 0 every row imported or duplicate · 1 some rows rejected (or the import
failed) · 2 bad usage, nothing written (unknown list, unreadable file, bad column,
unwritable --rejects, national numbers without a region) · 3 Redis unreachable ·
20 the file is broken (see above) · 21 the replace was refused (see above) · 130
interrupted.

Examples:
  $ callguard import dnc.txt --list dnc --region DE --reason "weekly DNC file"
  $ callguard import export.csv.gz --list dnc --replace --rejects rejects.csv
  $ callguard import week48.csv --list dnc --replace --max-shrink 25% --max-rejects 500 --dry-run
  $ callguard import calls.csv --list harassment --column Caller --for 30d
  $ zcat dnc.txt.gz | callguard import - --list dnc --json
  $ callguard import dnc-all.zip --list us-dnc --country US --replace --source-date 2026-11-30
  $ callguard import --changes adds-1201.txt dels-1201.txt --list us-dnc --country US

JSON: {"list","source","mode":"import|replace","status":"done|interrupted|broken|refused",
       "rows","imported","duplicates","rejected","broken":{"line","member"?,"problem"}|null,
       "refusal":{"guard":"max-shrink|max-rejects|list-changed",...}|null,"sizeBefore",
       "listSize":{"exact","timed"}|null,"dataDate","dataParts":["201",...],
       "listData":{"dataDate","oldest":{"part","parts"}|null}|null,...}`,
    )
    .action(async (file: string | undefined, options: ImportOptions, command: Command) => {
      if (options.changes !== undefined && options.changes.length !== 2) {
        throw new UsageError(`--changes takes two files, the additions and the deletions; got ${options.changes.length}`);
      }
      if (options.changes !== undefined && file !== undefined) {
        throw new UsageError('--changes names both files itself; leave out the file argument');
      }
      if (options.changes === undefined && file === undefined) throw new UsageError('import needs a file to read (or - for stdin)');
      if (options.country !== undefined) {
        try {
          nationalPlanOf(options.country);
        } catch (error) {
          throw usageOf(error);
        }
      }
      const expiresAt = expiryFrom(options, Date.now());
      const replaceLimit = [
        ['--max-shrink', options.maxShrink !== undefined],
        ['--max-rejects', options.maxRejects !== undefined],
        ['--force', Boolean(options.force)],
      ].find(([, given]) => given)?.[0];
      if (replaceLimit && !options.replace) throw new UsageError(`${replaceLimit} limits a replace; add --replace, or leave it out`);
      if (options.rejects) {
        await assertWritable(options.rejects, '--rejects', 'in-place');
        if (file !== undefined) await assertDistinct([{ path: options.rejects, flag: '--rejects' }], { path: file, flag: 'the input' });
      }
      const open = (path: string): Promise<ImportSource> =>
        openSource(path).catch((error: unknown) => {
          throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
        });
      await withContext(command, io, async (context) => {
        const redis = await context.redis();
        if (options.changes !== undefined) {
          const [additions, deletions] = options.changes as [string, string];
          const files = { additions: await open(additions), deletions: await open(deletions) };
          // A day's change lists are small, a first catch-up or a weekly one is not: the same progress and Ctrl-C as a plain import.
          const progress = startProgress(!context.json && io === processIo, 'rows');
          const controller = new AbortController();
          const interrupt = (): void => controller.abort();
          process.once('SIGINT', interrupt);
          const summary = await importChanges(redis, context.namespace, {
            list: options.list,
            region: options.region,
            country: options.country,
            column: options.column,
            onDuplicate: options.onDuplicate,
            dryRun: Boolean(options.dryRun),
            sourceDate: options.sourceDate,
            actor: { by: options.by ?? defaultActor(), reason: options.reason, source: 'import' },
            signal: controller.signal,
            onProgress: (at) => progress.update(at.bytesRead, at.totalBytes, at.rows),
          }, files).catch((error: unknown) => {
            files.additions.close();
            files.deletions.close();
            throw usageOf(error);
          }).finally(() => {
            process.off('SIGINT', interrupt);
            progress.stop();
          });
          printChanges(context, summary);
          return;
        }
        const source = await open(file as string);
        const rejects = options.rejects ? new RejectsFile(createWriteStream(options.rejects)) : undefined;
        const progress = startProgress(!context.json && io === processIo, 'rows');
        const controller = new AbortController();
        const interrupt = (): void => controller.abort();
        process.once('SIGINT', interrupt);
        let summary: ImportSummary;
        try {
          summary = await importList(redis, context.namespace, {
            list: options.list,
            source,
            region: options.region,
            column: options.column,
            expiresColumn: options.expiresColumn,
            expiresAt,
            onDuplicate: options.onDuplicate,
            replace: Boolean(options.replace),
            operation: options.delete ? 'delete' : 'add',
            ...(options.country === undefined ? {} : { country: options.country }),
            ...(options.sourceDate === undefined ? {} : { sourceDate: options.sourceDate }),
            guards: {
              maxShrinkPercent: options.maxShrink ?? DEFAULT_MAX_SHRINK_PERCENT,
              maxRejects: options.maxRejects ?? DEFAULT_MAX_REJECTS,
              force: Boolean(options.force),
            },
            dryRun: Boolean(options.dryRun),
            actor: { by: options.by ?? defaultActor(), reason: options.reason, source: 'import' },
            rejects,
            signal: controller.signal,
            onProgress: (at) => progress.update(at.bytesRead, at.totalBytes, at.rows),
          });
        } catch (error) {
          source.close();
          throw usageOf(error);
        } finally {
          process.off('SIGINT', interrupt);
          progress.stop();
          await rejects?.end();
        }
        context.print(describeSummary(summary), { ...summary, rejectsFile: options.rejects ?? null });
        if (summary.status === 'interrupted') throw new ExitWith(EXIT_INTERRUPTED);
        const failure = describeFailure(summary);
        if (failure) throw new CliError(failure, summary.status === 'refused' ? EXIT_REPLACE_REFUSED : EXIT_FILE_BROKEN);
        if (summary.rejected > 0) throw new ExitWith(EXIT_ROWS_REJECTED);
      });
    });
}

/** What an import's error means on the command line: bad usage, a refused replace, or as it is. */
function usageOf(error: unknown): unknown {
  if (error instanceof ListError && error.code === 'no-such-list') return new UsageError(error.message, { cause: error });
  if (error instanceof ColumnError || error instanceof NeedsRegionError) return new UsageError(error.message);
  if (error instanceof ImportError && error.message.startsWith('--country')) return new UsageError(error.message);
  if (error instanceof ImportError || error instanceof ReplaceBusyError || error instanceof ReplaceLeaseLostError) return new CliError(error.message, EXIT_REPLACE_REFUSED);
  return error;
}

/** Both halves of a change list, then the exit code the worse of them earns. */
function printChanges(context: { print: (text: string | string[], json: unknown) => void }, summary: ChangesSummary): void {
  const { deletions, additions } = summary;
  const lines = [...describeSummary(deletions), ...(additions ? describeSummary(additions) : ['additions not read: the deletions did not finish'])];
  context.print(lines, summary);
  const last = additions ?? deletions;
  if (deletions.status === 'interrupted' || last.status === 'interrupted') throw new ExitWith(EXIT_INTERRUPTED);
  const failure = describeFailure(deletions) ?? (additions ? describeFailure(additions) : undefined);
  if (failure) throw new CliError(failure, EXIT_FILE_BROKEN);
  if (deletions.rejected + (additions?.rejected ?? 0) > 0) throw new ExitWith(EXIT_ROWS_REJECTED);
}

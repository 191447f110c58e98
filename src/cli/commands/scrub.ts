import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { BrokenFileError, describeLine } from '../../lists/import/broken-file.js';
import { ColumnError, parseColumnSpec, type ColumnSpec } from '../../lists/import/columns.js';
import { NeedsRegionError } from '../../lists/import/needs-region.js';
import { RejectsFile } from '../../lists/import/rejects.js';
import { lineOf, openSource } from '../../lists/import/source.js';
import { BLOCK_ORDER_MAX_NUMBERS } from '../../screening/block-order.js';
import { DEFAULT_SCRUB_BATCH, SCRUB_WINDOW_ROWS, scrubLeads, type ScrubSummary } from '../../screening/scrub.js';
import { SCRUB_HELD_BLOCK_BYTES, SCRUB_HELD_MEMBERS, SCRUB_HELD_TIMED } from '../../lists/held-lists.js';
import { DENSE_PLANS } from '../../lists/dense.js';
import { processIo, type CliIo } from '../context.js';
import { CliError, ExitWith, UsageError } from '../../front-door/errors.js';
import { assertDistinct, assertWritable, type NamedPath } from '../output-path.js';
import { parseListNames, positiveInteger, regionOption } from '../options.js';
import { withContext } from '../with-context.js';
import { startProgress } from '../progress.js';
import { EXIT_FILE_BROKEN } from './import.js';

interface ScrubOptions {
  list?: string[];
  lists?: string[];
  region?: string;
  column?: ColumnSpec;
  output: string;
  removed: string;
  rejects?: string;
  window?: number;
}

export const EXIT_SCRUB_INTERRUPTED = 130;
/** Some rows had no number to check (hidden, malformed): they are in --rejects. */
export const EXIT_SCRUB_REJECTS = 1;

/** An output file written beside its name and renamed when complete; gzipped when named *.gz. */
interface OutputFile {
  stream: Writable;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

async function outputFile(path: string): Promise<OutputFile> {
  const partial = `${path}.partial-${process.pid}`;
  const file: WriteStream = createWriteStream(partial, { flags: 'wx' });
  await once(file, 'open');
  const gzip = path.endsWith('.gz') ? createGzip() : undefined;
  gzip?.pipe(file);
  return {
    stream: gzip ?? file,
    commit: async () => {
      (gzip ?? file).end();
      await finished(file);
      await rename(partial, path);
    },
    discard: async () => {
      // A write still under way fails once the file is destroyed: the file is going, so is its error.
      const ignore = (): void => undefined;
      gzip?.on('error', ignore).destroy();
      file.on('error', ignore).destroy();
      await rm(partial, { force: true });
    },
  };
}

/** Opens every output, or none: a partial file left beside an output would be stray data. */
async function openOutputs(paths: readonly string[]): Promise<OutputFile[]> {
  const opened: OutputFile[] = [];
  try {
    for (const path of paths) opened.push(await outputFile(path));
    return opened;
  } catch (error) {
    await Promise.all(opened.map((output) => output.discard()));
    throw error;
  }
}

export function registerScrub(program: Command, io: CliIo): void {
  program
    .command('scrub')
    .description('split a lead file into the rows on none of the lists and the rows on one, before a campaign')
    .argument('<file>', 'the lead file: CSV (any columns) or one number a line; gzip or zip; - for stdin')
    .addOption(new Option('-l, --list <names>', 'the do-not-call lists, in order: a,b (the first that matches is named) (required)').argParser(parseListNames))
    .addOption(new Option('--lists <names>', 'the same as --list').argParser(parseListNames).hideHelp())
    .addOption(regionOption())
    .addOption(
      new Option('--column <n|name>', 'the column holding the number: position from 1, or header name').argParser((text: string) => {
        try {
          return parseColumnSpec(text, '--column');
        } catch (error) {
          throw new InvalidArgumentError(error instanceof ColumnError ? error.message : String(error));
        }
      }),
    )
    .addOption(new Option('-o, --output <file>', 'where the clean rows go (*.gz: gzipped)').makeOptionMandatory())
    .addOption(new Option('--removed <file>', 'where the rows on a list go, with the list and the entry that matched').makeOptionMandatory())
    .addOption(new Option('--rejects <file>', 'where rows without a number to check go (hidden, malformed): line,raw,reason (of a zip: line,raw,reason,member, the line counted by its member)'))
    .addOption(
      new Option('--window <rows>', `rows read before they are checked (default ${SCRUB_WINDOW_ROWS}): more hold more memory; lists checked in batches read each block fewer times`).argParser(
        positiveInteger(BLOCK_ORDER_MAX_NUMBERS),
      ),
    )
    .addHelpText(
      'after',
      `
Each row is kept as it is, every column in its place: a row whose number is on none of
the lists goes to --output, one on a list to --removed with two more columns,
callguard_list and callguard_entry (the number, or the prefix that covers it); a
header line goes to both (with the two column names in --removed). Rows with a hidden
or malformed number go to --rejects. A row is a line (written with a line feed, a
BOM left out). Without --region (or CALLGUARD_REGION), a file whose first rows are mostly national numbers
stops at once (exit 2, no file written). Rows are read a window of up to ${thousands(SCRUB_WINDOW_ROWS)}
(--window) at a time. A dense list's blocks are kept in memory once read, and an
ordinary list with no more members than the file has rows is read whole (the rows
guessed from the file's size and its first window; of stdin, the first window's
rows), and so are a list's timed entries and prefixes (up to ${SCRUB_HELD_BLOCK_BYTES / MIB} MiB of blocks,
${thousands(SCRUB_HELD_MEMBERS)} members and ${thousands(SCRUB_HELD_TIMED)} timed entries a process; past that they are asked
window by window): a window is checked against them once Redis confirms the lists
did not change meanwhile. Otherwise (a list changed, Redis Cluster) its numbers are
checked sorted by number block in batches of ${thousands(DEFAULT_SCRUB_BATCH)}. The files keep the input's
order. With a --region of a national plan (${fastRegions()}) plain
national numbers are read without a full parse. The files appear only once complete.
On a terminal a progress line shows the rows read so far (the last windows are still
being checked when it ends); of a file, how far into it and an ETA; of stdin, whose
size is not known, no ETA.

A list that does not exist, or that lost entries outside callguard, stops the scrub
(exit 1) and writes no file: nothing could be called clean. So does a file that ends
before its end (a truncated gzip, a NUL byte: exit 20).

Exit codes: 0 done · 1 rows rejected, or a list missing or damaged · 2 bad usage ·
3 Redis unreachable · 20 the file is broken · 130 interrupted (no file written).

Examples:
  $ callguard scrub leads.csv --list dnc,us-dnc --region US -o clean.csv --removed removed.csv
  $ callguard scrub leads.csv.gz --list us-dnc --column Phone -o clean.csv.gz --removed removed.csv --rejects bad.csv

JSON: {"source","lists","status","rows","clean","removed","rejected","byList":{list:n},"header","seconds","rowsPerSecond"}`,
    )
    .action(async (file: string, options: ScrubOptions, command: Command) => {
      const lists = [...(options.list ?? []), ...(options.lists ?? [])];
      if (lists.length === 0) throw new UsageError("required option '-l, --list <names>' not specified");
      const outputPaths: NamedPath[] = [
        { path: options.output, flag: '-o' },
        { path: options.removed, flag: '--removed' },
        ...(options.rejects ? [{ path: options.rejects, flag: '--rejects' }] : []),
      ];
      for (const { path, flag } of outputPaths) await assertWritable(path, flag, 'beside-and-rename');
      await assertDistinct(outputPaths, { path: file, flag: 'the input' });
      await withContext(command, io, async (context) => {
        const store = await context.store();
        const source = await openSource(file).catch((error: unknown) => {
          throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
        });
        const all = await openOutputs(outputPaths.map(({ path }) => path));
        const outputs = [all[0], all[1]] as [OutputFile, OutputFile];
        const rejectsFile = options.rejects ? all[2] : undefined;
        const rejects = rejectsFile ? new RejectsFile(rejectsFile.stream) : undefined;
        const progress = startProgress(!context.json && io === processIo, 'rows');
        const controller = new AbortController();
        const interrupt = (): void => controller.abort();
        process.once('SIGINT', interrupt);
        let summary: ScrubSummary;
        try {
          summary = await scrubLeads(store, {
            source,
            lists,
            region: options.region,
            column: options.column,
            clean: outputs[0].stream,
            removed: outputs[1].stream,
            rejects,
            windowRows: options.window,
            signal: controller.signal,
            onProgress: (at) => progress.update(at.bytesRead, at.totalBytes, at.rows),
          });
        } catch (error) {
          await Promise.all(all.map((output) => output.discard()));
          if (error instanceof ColumnError || error instanceof NeedsRegionError) throw new UsageError(error.message);
          if (error instanceof BrokenFileError) {
            throw new CliError(`${source.name} is broken at ${describeLine(await lineOf(source, error.line))}: ${error.problem}; no file written`, EXIT_FILE_BROKEN);
          }
          throw error;
        } finally {
          process.off('SIGINT', interrupt);
          progress.stop();
        }
        if (summary.status === 'interrupted') {
          await Promise.all(all.map((output) => output.discard()));
          throw new ExitWith(EXIT_SCRUB_INTERRUPTED);
        }
        await rejects?.end();
        await Promise.all(outputs.map((output) => output.commit()));
        if (rejectsFile) await rename(`${options.rejects as string}.partial-${process.pid}`, options.rejects as string);
        context.print(describeScrub(summary, options), summary);
        if (summary.rejected > 0) throw new ExitWith(EXIT_SCRUB_REJECTS);
      });
    });
}

const MIB = 1024 * 1024;

/** A count as help writes it: 500,000. */
function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** The regions whose plain national numbers scrub reads from the bytes: the dense plans'. */
function fastRegions(): string {
  return Object.values(DENSE_PLANS)
    .map((plan) => (plan.regions.length > 1 ? `${plan.regions[0]} and the other +${plan.callingCode} regions` : plan.regions.join(', ')))
    .join(', ');
}

function describeScrub(summary: ScrubSummary, options: ScrubOptions): string[] {
  const byList = Object.entries(summary.byList).map(([list, n]) => `${list} ${n}`).join(', ');
  return [
    `scrub of ${summary.source} against ${summary.lists.join(', ')}: done`,
    `  rows:     ${summary.rows}${summary.header === null ? '' : ' (after a header line)'}`,
    `  clean:    ${summary.clean} -> ${options.output}`,
    `  removed:  ${summary.removed} -> ${options.removed}${byList === '' ? '' : ` (${byList})`}`,
    `  rejected: ${summary.rejected}${options.rejects ? ` -> ${options.rejects}` : ''}`,
    `  ${summary.seconds.toFixed(1)} s, ${Math.round(summary.rowsPerSecond)} rows/s`,
  ];
}

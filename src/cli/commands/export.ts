import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Option, type Command } from 'commander';
import { exportList, type ExportCounts } from '../../lists/export.js';
import { listKeys } from '../../lists/keys.js';
import { processIo, type CliContext, type CliIo } from '../context.js';
import { count } from '../../front-door/format.js';
import { listOption } from '../options.js';
import { assertWritable } from '../output-path.js';
import { withContext } from '../with-context.js';
import { startProgress } from '../progress.js';

interface ExportOptions {
  list: string;
  output?: string;
  gzip?: boolean;
}

export function registerExport(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('write a list as CSV: number,expires,reason,by,added')
    .addOption(listOption('the list to export'))
    .addOption(new Option('-o, --output <file>', 'write to this file instead of stdout'))
    .addOption(new Option('--gzip', 'compress with gzip (implied when -o ends in .gz)'))
    .addHelpText(
      'after',
      `
The list is read in batches, so any size exports in little memory. Expired
entries are left out; "expires" is empty for entries that never expire, reason,
by and added are empty for entries loaded in bulk. Prefixes are written as
+1900*. With -o the file appears only when the export is complete; a -o path
that cannot be written (no such directory, no permission) is refused with exit
2 before anything is read. Gzip with --gzip or a -o name ending in .gz;
callguard import reads either back as is, and brings back the numbers, prefixes
and expiries. On a terminal, a progress bar shows on stderr (never with --json).

Spreadsheets: a reason or by that starts with = + - @, a tab or a carriage
return gets a leading ' so it is never run as a formula. The number column
is left as is (+4930123456): it only ever holds + and digits, which cannot
form a formula, and stays importable; import it as text to keep the +.

The summary goes to stdout with -o, to stderr when the CSV goes to stdout.

Examples:
  $ callguard export --list dnc -o dnc.csv
  $ callguard export --list dnc -o dnc.csv.gz
  $ callguard export --list dnc --gzip | ssh backup 'cat > dnc.csv.gz'

JSON summary: {"list","file":string|null,"exported","skippedExpired"}`,
    )
    .action(async (options: ExportOptions, command: Command) => {
      if (options.output) await assertWritable(options.output, '-o', 'beside-and-rename');
      await withContext(command, io, async (context) => {
        const redis = await context.redis();
        const keys = listKeys(context.namespace, options.list);
        const progress = startProgress(!context.json && io === processIo, 'entries');
        const total = progress.enabled ? (await redis.scard(keys.exact)) + (await redis.zcard(keys.timed)) : undefined;
        const write = (out: Writable): Promise<ExportCounts> =>
          exportList(redis, context.namespace, options.list, out, {
            onBatch: (done) => progress.update(done.exported + done.skippedExpired, total, done.exported),
          });
        const compressed = Boolean(options.gzip) || Boolean(options.output?.endsWith('.gz'));
        const maybeGzipped = (out: Writable): Promise<ExportCounts> => (compressed ? gzipped(out, write) : write(out));
        const counts = await (options.output
          ? exportToFile(options.output, maybeGzipped)
          : maybeGzipped(io.outStream ?? textWritable(io))
        ).finally(() => progress.stop());
        report(context, io, options, counts);
      });
    });
}

/** Writes beside `file` and renames when done, so a failed export leaves no partial file. */
async function exportToFile(file: string, write: (out: Writable) => Promise<ExportCounts>): Promise<ExportCounts> {
  const partial = `${file}.partial-${process.pid}`;
  const out = createWriteStream(partial, { flags: 'wx' });
  try {
    await once(out, 'open');
    const counts = await write(out);
    out.end();
    await finished(out);
    await rename(partial, file);
    return counts;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

/** Writes through gzip into `out`, which stays open (it may be stdout). */
async function gzipped<T>(out: Writable, write: (into: Writable) => Promise<T>): Promise<T> {
  const gzip = createGzip();
  gzip.pipe(out, { end: false });
  const result = await write(gzip);
  gzip.end();
  await once(gzip, 'end');
  return result;
}

function textWritable(io: CliIo): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      io.out(chunk.toString());
      callback();
    },
  });
}

function report(context: CliContext, io: CliIo, options: ExportOptions, counts: ExportCounts): void {
  const data = { list: options.list, file: options.output ?? null, ...counts };
  const human = `exported ${count(counts.exported, 'entry', 'entries')} of ${options.list}${options.output ? ` to ${options.output}` : ''}${
    counts.skippedExpired > 0 ? ` (${counts.skippedExpired} expired left out)` : ''
  }`;
  if (options.output) context.print(human, data);
  else io.err(context.json ? JSON.stringify(data) : human);
}

import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { exportList, type ExportCounts } from '../../lists/export.js';
import type { CliContext, CliIo } from '../context.js';
import { count } from '../format.js';
import { listOption } from '../options.js';
import { withContext } from '../program.js';

interface ExportOptions {
  list: string;
  output?: string;
}

export function registerExport(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('write a list as CSV: number,expires,reason,by,added')
    .addOption(listOption('the list to export'))
    .addOption(new Option('-o, --output <file>', 'write to this file instead of stdout'))
    .addHelpText(
      'after',
      `
The list is read in batches, so any size exports in little memory. Expired
entries are left out; "expires" is empty for entries that never expire, reason,
by and added are empty for entries loaded in bulk. Prefixes are written as
+1900*. With -o the file appears only when the export is complete.

Spreadsheets: a reason or by that starts with = + - @, a tab or a carriage
return gets a leading ' so it is never run as a formula. The number column
is left as is (+4930123456): it only ever holds + and digits, which cannot
form a formula, and stays importable; import it as text to keep the +.

The summary goes to stdout with -o, to stderr when the CSV goes to stdout.

Examples:
  $ callguard export --list dnc -o dnc.csv
  $ callguard export --list dnc | gzip > dnc.csv.gz

JSON summary: {"list","file":string|null,"exported","skippedExpired"}`,
    )
    .action(async (options: ExportOptions, command: Command) =>
      withContext(command, io, async (context) => {
        const redis = await context.redis();
        const counts = options.output
          ? await exportToFile(options.output, (out) => exportList(redis, context.namespace, options.list, out))
          : await exportList(redis, context.namespace, options.list, io.outStream ?? textWritable(io));
        report(context, io, options, counts);
      }),
    );
}

/** Writes beside `file` and renames when done, so a failed export leaves no partial file. */
async function exportToFile(file: string, write: (out: Writable) => Promise<ExportCounts>): Promise<ExportCounts> {
  const partial = `${file}.partial-${process.pid}`;
  const out = createWriteStream(partial, { flags: 'wx' });
  try {
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

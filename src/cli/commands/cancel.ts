import { Option, type Command } from 'commander';
import type { CliIo } from '../context.js';
import { CliError, EXIT_NOTHING_CANCELLED } from '../errors.js';
import { readEntries } from '../number-input.js';
import { byOption, defaultActor, listOption, regionOption } from '../options.js';
import { withContext } from '../program.js';

interface CancelOptions {
  list: string;
  reason: string;
  by?: string;
  region?: string;
}

export function registerCancel(program: Command, io: CliIo): void {
  program
    .command('cancel')
    .description('cancel entries of a list: they stop matching, the cancellation stays visible')
    .argument('<numbers...>', 'numbers or prefixes (ending in *), as they were added')
    .addOption(listOption('the list to cancel from'))
    .addOption(new Option('--reason <text>', 'why, shown by show (required)').makeOptionMandatory())
    .addOption(byOption())
    .addOption(regionOption())
    .addHelpText(
      'after',
      `
A number that is not on the list is reported and left alone. Exit code 0 when at
least one entry was cancelled, 4 when none of them was listed (nothing changed),
2 for an invalid number (nothing cancelled). Adding a cancelled number again works.

Examples:
  $ callguard cancel +4930123456 --list dnc --reason "consent given 2026-11-02"
  $ callguard cancel '+1900*' --list premium --reason "range reassigned" --by alice

JSON: {"list","cancelled":[member...],"notListed":[member...]}`,
    )
    .action(async (inputs: string[], options: CancelOptions, command: Command) => {
      const entries = readEntries(inputs, options.region);
      await withContext(command, io, async (context) => {
        const store = await context.store();
        const result = await store.cancel(
          options.list,
          entries.map((entry) => entry.member),
          { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' },
        );
        context.print(
          [
            ...result.cancelled.map((member) => `cancelled ${member} on ${options.list}`),
            ...result.notListed.map((member) => `not listed ${member} on ${options.list} (nothing to cancel)`),
          ],
          { list: options.list, ...result },
        );
        if (result.cancelled.length === 0) {
          throw new CliError(`nothing cancelled: none of the numbers is listed on ${options.list}`, EXIT_NOTHING_CANCELLED);
        }
      });
    });
}

import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { expiryFrom, type Duration } from '../../front-door/duration.js';
import { describeExpiry, isoTime, table } from '../../front-door/format.js';
import { extensionNotes, readEntries } from '../../front-door/number-input.js';
import { byOption, defaultActor, forOption, listOption, reasonOption, regionOption, untilOption } from '../options.js';
import { withContext } from '../with-context.js';
import { requireReplicas } from '../replication.js';

interface AddOptions {
  list: string;
  reason?: string;
  by?: string;
  until?: number;
  for?: Duration;
  region?: string;
}

export function registerAdd(program: Command, io: CliIo): void {
  program
    .command('add')
    .description('add numbers or prefixes to a list, forever or until a time')
    .argument('<numbers...>', 'numbers (E.164, or national with --region); ending in * a prefix')
    .addOption(listOption('the list to add to'))
    .addOption(reasonOption('why; shown by check and show'))
    .addOption(byOption())
    .addOption(untilOption())
    .addOption(forOption())
    .addOption(regionOption())
    .addHelpText(
      'after',
      `
Every number is checked before anything is written: one invalid number rejects
the whole command (exit 2). Adding an entry again keeps the later expiry; an entry
added for a time and then again without --until/--for becomes forever.
With Redis Sentinel or Cluster the add waits until a replica holds it (see
--redis-wait-replicas): exit 5 when none confirmed it within a second, the entry is
live but a failover could lose it; adding again is safe.

Examples:
  $ callguard add +4930123456 --list dnc --reason "asked not to be called"
  $ callguard add 030123456 0301234567 --list dnc --region DE --by alice
  $ callguard add '+1900*' --list premium --reason "premium-rate range"
  $ callguard add +4915112345678 --list harassment --for 30d
  $ callguard add +4915112345678 --list harassment --until 2026-12-31T18:00:00Z

JSON: {"list","added","extended","unchanged","expiresAt":ISO|null,
       "entries":[{"input","member","kind":"exact|prefix"}],
       "replicas":{"wanted","confirmed"} (only when replicas are waited for)}`,
    )
    .action(async (inputs: string[], options: AddOptions, command: Command) => {
      const entries = readEntries(inputs, options.region);
      expiryFrom(options, Date.now());
      await withContext(command, io, async (context) => {
        const store = await context.store();
        // Measured again once connected, so a short --for still lies ahead when the add runs.
        const expiresAt = expiryFrom(options, Date.now());
        const result = await store.add(
          options.list,
          entries.map((entry) => ({ member: entry.member, expiresAt })),
          { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' },
        );
        context.print(
          [
            `${options.list}: ${result.added} added, ${result.extended} extended, ${result.unchanged} unchanged; expires ${describeExpiry(expiresAt, Date.now())}`,
            ...table(
              ['ENTRY', 'KIND', 'INPUT'],
              entries.map((entry) => [entry.member, entry.kind, entry.input]),
            ),
          ],
          {
            list: options.list,
            ...result,
            expiresAt: isoTime(expiresAt),
            entries,
          },
        );
        for (const note of extensionNotes(entries)) io.err(`callguard: note: ${note}`);
        requireReplicas([{ list: options.list, ...result }]);
      });
    });
}

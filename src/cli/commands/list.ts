import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { byOption, defaultActor, parseListName, reasonOption } from '../options.js';
import { withContext } from '../program.js';

interface ListChangeOptions {
  by?: string;
  reason?: string;
}

type ListAction = 'created' | 'removed' | 'enabled' | 'disabled';

const SUBCOMMANDS: { name: string; action: ListAction; description: string; example: string }[] = [
  { name: 'create', action: 'created', description: 'create an empty, enabled list', example: 'create dnc --by alice' },
  {
    name: 'rm',
    action: 'removed',
    description: 'remove a list with all its entries, cancellations and audit',
    example: 'rm test --reason "trial over"',
  },
  { name: 'enable', action: 'enabled', description: 'let a disabled list match again', example: 'enable vip' },
  {
    name: 'disable',
    action: 'disabled',
    description: 'keep a list but let it match nothing',
    example: 'disable vip --reason "campaign over"',
  },
];

export function registerList(program: Command, io: CliIo): void {
  const list = program
    .command('list')
    .description('create, remove, enable or disable a list')
    .addHelpText(
      'after',
      `
A list name is 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit.

Examples:
  $ callguard list create dnc
  $ callguard list disable vip --reason "campaign over"
  $ callguard list rm test --by ops

JSON: {"list":"dnc","action":"created|removed|enabled|disabled"}`,
    );

  for (const sub of SUBCOMMANDS) {
    list
      .command(sub.name)
      .description(sub.description)
      .argument('<name>', 'the list', parseListName)
      .addOption(byOption())
      .addOption(reasonOption('why, kept in the audit stream'))
      .addHelpText('after', `\nExample:\n  $ callguard list ${sub.example}`)
      .action(async (name: string, options: ListChangeOptions, command: Command) =>
        withContext(command, io, async (context) => {
          const store = await context.store();
          const actor = { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' };
          if (sub.action === 'created') await store.createList(name, actor);
          else if (sub.action === 'removed') await store.removeList(name, actor);
          else await store.setEnabled(name, sub.action === 'enabled', actor);
          context.print(`list ${name} ${sub.action}`, { list: name, action: sub.action });
        }),
      );
  }
}

import { Option, type Command } from 'commander';
import type { CliIo } from '../context.js';
import { byOption, defaultActor, parseListName } from '../options.js';
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
    .description('create, remove, enable, disable or recount a list')
    .addHelpText(
      'after',
      `
A list name is 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit.

Examples:
  $ callguard list create dnc
  $ callguard list disable vip --reason "campaign over"
  $ callguard list rm test --by ops
  $ callguard list recount dnc --reason "evicted; the rest is what we have"

JSON: {"list":"dnc","action":"created|removed|enabled|disabled"}`,
    );

  for (const sub of SUBCOMMANDS) {
    list
      .command(sub.name)
      .description(sub.description)
      .argument('<name>', 'the list', parseListName)
      .addOption(byOption())
      .addOption(new Option('--reason <text>', 'why, kept in the audit stream'))
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
  registerRecount(list, io);
}

/**
 * `list recount`: after Redis lost entries of a list (eviction, a DEL, a failover),
 * checks against it fail rather than call a number clear that may have been listed.
 * When the list cannot be loaded again, this takes what is left as the list: audited.
 */
function registerRecount(list: Command, io: CliIo): void {
  list
    .command('recount')
    .description("accept what a list holds now as its size, after Redis lost entries of it")
    .argument('<name>', 'the list', parseListName)
    .addOption(byOption())
    .addOption(new Option('--reason <text>', 'why, kept in the audit stream (required)').makeOptionMandatory())
    .addHelpText(
      'after',
      `
When Redis loses entries of a list outside callguard (eviction, a DEL, a failover to a
replica without them), \`callguard lists\` warns, serve raises an alarm and every check
that finds no match in that list fails instead of answering "not listed". Load the
list again (import --replace) when you can; recount when what is left is what you keep.

Example:
  $ callguard list recount harassment --reason "evicted on 2026-11-20; re-added by hand"

JSON: {"list","action":"recounted","sizeBefore":n|null,"size":n}`,
    )
    .action(async (name: string, options: ListChangeOptions & { reason: string }, command: Command) =>
      withContext(command, io, async (context) => {
        const store = await context.store();
        const { before, after } = await store.recount(name, { by: options.by ?? defaultActor(), reason: options.reason, source: 'cli' });
        const change = before === undefined ? `size ${after}` : `size ${before} -> ${after}`;
        context.print(`list ${name} recounted: ${change}`, { list: name, action: 'recounted', sizeBefore: before ?? null, size: after });
      }),
    );
}

import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { isoTime, table } from '../format.js';
import { withContext } from '../program.js';

export function registerLists(program: Command, io: CliIo): void {
  program
    .command('lists')
    .description('show every list: enabled or not, size, who created it and when')
    .addHelpText(
      'after',
      `
Size counts never-expiring numbers, timed entries and prefixes (expired entries
count until the janitor purges them).

Examples:
  $ callguard lists
  $ callguard lists --json | jq -r '.lists[].name'

JSON: {"lists":[{"name","enabled","size","createdAt","createdBy"}]}`,
    )
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const lists = await (await context.store()).lists();
        const rows = lists.map((list) => ({
          name: list.name,
          enabled: list.enabled,
          size: list.size,
          createdAt: isoTime(list.createdAt),
          createdBy: list.createdBy,
        }));
        context.print(
          rows.length === 0
            ? 'no lists yet (create one with: callguard list create <name>)'
            : table(
                ['LIST', 'ENABLED', 'SIZE', 'CREATED', 'BY'],
                rows.map((row) => [row.name, row.enabled ? 'yes' : 'no', String(row.size), row.createdAt ?? '', row.createdBy]),
              ),
          { lists: rows },
        );
      }),
    );
}

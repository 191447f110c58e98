import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { count, humanSpan, isoTime, retentionText, table } from '../../front-door/format.js';
import { listSourceJson } from '../../front-door/json-shapes.js';
import { BLOCK_NUMBERS } from '../../lists/dense.js';
import { describeOldestPart } from '../../lists/source-date.js';
import { withContext } from '../with-context.js';

export function registerLists(program: Command, io: CliIo): void {
  program
    .command('lists')
    .description('show every list: enabled or not, size, who created it and when')
    .addHelpText(
      'after',
      `
Size counts never-expiring numbers, timed entries and prefixes (expired entries
count until the janitor purges them). A list whose keys hold fewer entries than
callguard wrote (Redis evicted or deleted them, a failover) gets a warning line;
checks against it fail until it is loaded again or its size accepted (list recount).
So does a dense list with a block of its bitmaps gone: every block is looked at
while it has at most 1,000, else 1,000 of them from a random place each time (all
of a full registry's 264,000 would hold Redis for half a second), which finds an
eviction's loss but may miss a single block deleted by hand.

Examples:
  $ callguard lists
  $ callguard lists --json | jq -r '.lists[].name'

DATA OF and AGE: the date of the list's data (--source-date, or the file's own date),
and how old it is now; "-" for a list never imported. A list loaded in parts (one
area code's file at a time) is as old as its oldest part, named when others are
newer: "2026-10-20T00:00:00.000Z (area code 415)". A national do-not-call copy has
to be recent (the US: 31 days): campaign --max-list-age refuses to dial on an
older one.

JSON: {"lists":[{"name","enabled","size","lost","lostBlocks","createdAt","createdBy","consent","auditRetention",
        "dense","data":{"file","dataDate","ageSeconds","from","oldest":{"part","parts"}|null}|null}]}
      lost: entries the list should hold but Redis no longer has (0 when whole)
      lostBlocks: blocks of a dense list's bitmaps found gone (0 when none found)
      consent: the list records consent (list set --consent); auditRetention: "1y", null = forever
      dense: the plan kept as bitmaps (nanp, uk), or null
      data.oldest: the part dataDate is of when others are newer: an area code (415),
        other (numbers outside +1) or all (dated before dates per area code), and how
        many parts are of that date`,
    )
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const lists = await (await context.store()).lists();
        const now = Date.now();
        const rows = lists.map((list) => ({
          name: list.name,
          enabled: list.enabled,
          size: list.size,
          lost: list.lost,
          lostBlocks: list.lostBlocks,
          createdAt: isoTime(list.createdAt),
          createdBy: list.createdBy,
          consent: list.consent,
          auditRetention: list.auditRetentionMs === undefined ? null : retentionText(list.auditRetentionMs),
          dense: list.dense ?? null,
          data: listSourceJson(list.source, now),
        }));
        const notes = rows
          .filter((row) => row.consent || row.auditRetention !== null)
          .map((row) => `${row.name}: ${row.consent ? 'records consent, ' : ''}audit kept ${row.auditRetention ?? 'forever'}`);
        const remedy = (name: string) => `load it again with callguard import --replace, or accept what is left with callguard list recount ${name}`;
        const warnings = rows.flatMap((row) => [
          ...(row.lost > 0 ? [`warning: ${row.name} lost ${row.lost} entries outside callguard (Redis holds ${row.size} of ${row.size + row.lost}): ${remedy(row.name)}`] : []),
          ...(row.lostBlocks > 0
            ? [
                `warning: ${row.name} lost entries outside callguard: ${count(row.lostBlocks, 'block', 'blocks')} of its bitmaps (up to ${BLOCK_NUMBERS.toLocaleString('en')} numbers each) gone, ` +
                  `checks of the numbers in them fail: ${remedy(row.name)}`,
              ]
            : []),
        ]);
        context.print(
          rows.length === 0
            ? 'no lists yet (create one with: callguard list create <name>)'
            : [
                ...table(
                  ['LIST', 'ENABLED', 'SIZE', 'CREATED', 'BY', 'DATA OF', 'AGE'],
                  rows.map((row) => [
                    row.dense ? `${row.name} (dense ${row.dense})` : row.name,
                    row.enabled ? 'yes' : 'no',
                    String(row.size),
                    row.createdAt ?? '',
                    row.createdBy,
                    row.data ? `${row.data.dataDate ?? '?'}${row.data.oldest ? ` (${describeOldestPart(row.data.oldest)})` : ''}` : '-',
                    row.data ? humanSpan(row.data.ageSeconds * 1000) : '-',
                  ]),
                ),
                ...notes,
                ...warnings,
              ],
          { lists: rows },
        );
      }),
    );
}

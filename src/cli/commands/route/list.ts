import type { Command } from 'commander';
import { formatAction } from '../../../screening/actions.js';
import { RouteStore } from '../../../screening/routes.js';
import { table } from '../../../front-door/format.js';
import { routeJson } from '../../../front-door/json-shapes.js';
import type { CliIo } from '../../context.js';
import { withContext } from '../../with-context.js';

export function registerRouteList(route: Command, io: CliIo): void {
  route
    .command('list')
    .description('list every route')
    .addHelpText(
      'after',
      `
Example:
  $ callguard route list

JSON: {"routes":[{...as route show}],"invalid":[{"name","reason"}]}`,
    )
    .action(async (_options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const listing = await new RouteStore(await context.redis(), context.namespace).list();
        const lines =
          listing.routes.length === 0 && listing.invalid.length === 0
            ? ['no routes yet (create one with: callguard route set <name> --block <lists>)']
            : table(
                ['ROUTE', 'BLOCK', 'ALLOW', 'REGION', 'ON BLOCKED', 'ON CLEAR'],
                [
                  ...listing.routes.map((r) => [
                    r.name,
                    r.block.join(','),
                    r.allow.join(','),
                    r.region,
                    formatAction(r.actions.blocked),
                    formatAction(r.actions.clear),
                  ]),
                  ...listing.invalid.map((bad) => [bad.name, `INVALID: ${bad.reason}`]),
                ],
              );
        context.print(lines, { routes: listing.routes.map(routeJson), invalid: listing.invalid });
      }),
    );
}

import type { Command } from 'commander';
import { missingLists } from '../../../screening/settings.js';
import { routeJson } from '../../../front-door/json-shapes.js';
import type { CliIo } from '../../context.js';
import { parseRouteName } from '../../options.js';
import { withContext } from '../../with-context.js';
import { describeRoute, listsOf, readRoute } from './describe.js';

export function registerRouteShow(route: Command, io: CliIo): void {
  route
    .command('show')
    .description('show one route: its lists, region and the action for each verdict')
    .argument('<name>', 'route name', parseRouteName)
    .addHelpText(
      'after',
      `
Examples:
  $ callguard route show support
  $ callguard route show support --json | jq -r .route.actions.blocked

JSON: {"route":{"name","block":[...],"allow":[...],"region":CC|null,"withheld":"screen"|"hidden",
       "vipPriority":n|null,"actions":{"blocked":"hangup:21",...},"updatedAt","updatedBy"},
       "missingLists":[...]}`,
    )
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const found = await readRoute(context, name);
        const missing = await missingLists(await context.store(), listsOf(found));
        context.print(describeRoute(found, missing), { route: routeJson(found), missingLists: missing });
      }),
    );
}

import type { Command } from 'commander';
import { RouteStore } from '../../../screening/routes.js';
import { CliError } from '../../../front-door/errors.js';
import type { CliIo } from '../../context.js';
import { parseRouteName } from '../../options.js';
import { withContext } from '../../with-context.js';

export function registerRouteRm(route: Command, io: CliIo): void {
  route
    .command('rm')
    .description('remove a route; calls sent to it then get the default action of serve')
    .argument('<name>', 'route name', parseRouteName)
    .addHelpText('after', '\nExample:\n  $ callguard route rm night\n\nJSON: {"removed":"<name>"}')
    .action(async (name: string, _options: unknown, command: Command) =>
      withContext(command, io, async (context) => {
        const routes = new RouteStore(await context.redis(), context.namespace);
        if (!(await routes.remove(name))) throw new CliError(`no route named ${name}`);
        context.print(`route ${name} removed`, { removed: name });
      }),
    );
}

import type { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { registerRouteList } from './list.js';
import { registerRouteRm } from './rm.js';
import { registerRouteSet } from './set.js';
import { registerRouteShow } from './show.js';

/** `callguard route`: one file per subcommand in this folder. */
export function registerRoute(program: Command, io: CliIo): void {
  const route = program
    .command('route')
    .description('inbound routes: which lists screen a call and what each verdict does')
    .addHelpText(
      'after',
      `
The dialplan sends a call to a route with Stasis(callguard,inbound,<route>).
A change applies to the next call; serve needs no restart.
Syntax of actions, verdicts and channel variables: docs/routes.md`,
    );
  registerRouteSet(route, io);
  registerRouteShow(route, io);
  registerRouteRm(route, io);
  registerRouteList(route, io);
}

import { autoBlockLists, formatAutoBlock } from '../../../screening/auto-block.js';
import { formatObserve } from '../../../screening/observe.js';
import { RouteStore } from '../../../screening/routes.js';
import { VERDICTS, type Route } from '../../../screening/types.js';
import { CliError } from '../../../front-door/errors.js';
import { describeAction, fields, isoTime } from '../../../front-door/format.js';
import type { CliContext } from '../../context.js';

export async function readRoute(context: CliContext, name: string): Promise<Route> {
  const lookup = await new RouteStore(await context.redis(), context.namespace).get(name);
  if (lookup.kind === 'missing') throw new CliError(`no route named ${name} (see: callguard route list)`);
  if (lookup.kind === 'invalid') {
    throw new CliError(`route ${name} is stored but invalid: ${lookup.reason} (fix it with: callguard route set ${name} ...)`);
  }
  return lookup.route;
}

/** Every list the route names: block, allow and the lists its auto-block rules fill. */
export function listsOf(route: Route): string[] {
  return [...new Set([...route.block, ...route.allow, ...autoBlockLists(route.autoBlock ?? [])])];
}

/** The lines of `route show` (and of `route set`'s answer). */
export function describeRoute(route: Route, missing: string[]): string[] {
  const marked = (lists: string[]) =>
    lists.length === 0 ? 'none' : lists.map((list) => (missing.includes(list) ? `${list} (missing)` : list)).join(', ');
  return fields([
    ['route', route.name],
    ['block', marked(route.block)],
    ['allow', marked(route.allow)],
    ['region', route.region ?? "serve's default"],
    ['withheld', route.withheld === 'screen' ? 'screen (a withheld but present number is checked)' : 'hidden'],
    ['vip priority', route.vipPriority === undefined ? 'none' : String(route.vipPriority)],
    ...VERDICTS.map((verdict): [string, string] => [`on ${verdict}`, describeAction(route.actions[verdict])]),
    ['auto-block', (route.autoBlock ?? []).length === 0 ? 'none' : (route.autoBlock ?? []).map(formatAutoBlock).join(', ')],
    [
      'on unverified',
      route.stir === undefined
        ? 'off (STIR/SHAKEN not checked)'
        : `${describeAction(route.stir.onUnverified)}${route.stir.minAttestation === undefined ? '' : `; attestation below ${route.stir.minAttestation} too`}`,
    ],
    ['observe', formatObserve(route.observe)],
    ['updated', route.updatedAt === undefined ? undefined : `${isoTime(route.updatedAt)} by ${route.updatedBy ?? 'unknown'}`],
  ]);
}

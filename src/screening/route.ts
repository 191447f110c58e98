import { LIST_NAME_PATTERN } from '../lists/keys.js';
import { copyAction, invalidActionReason } from './actions.js';
import { autoBlockLists, invalidAutoBlockReason, type AutoBlockRule } from './auto-block.js';
import { invalidObserveReason, type Observe } from './observe.js';
import { ATTESTATIONS, type Attestation } from './stir-shaken.js';
import { VERDICTS, type Action, type Route, type StirRule, type Verdict } from './types.js';
import { CAUSES } from './causes.js';

/**
 * Route names go into the dialplan as `Stasis(callguard,inbound,<route>)`, so they
 * follow the list-name rule: no commas, no spaces, lower case.
 */
export const ROUTE_NAME_PATTERN = LIST_NAME_PATTERN;

const REGION_PATTERN = /^[A-Z]{2}$/;
export const MAX_VIP_PRIORITY = 1_000_000;

/**
 * What a new route does until told otherwise. Hidden and malformed callers go to the
 * `anonymous` context rather than being hung up on: a garbled or withheld number is
 * more often a misconfigured trunk or a cautious customer than an abuser, and the
 * dialplan there can still reject them (CALLGUARD_VERDICT says which it was).
 * Unavailable fails open: when Redis does not answer, callers reach the normal queue.
 */
export const DEFAULT_ACTIONS: Readonly<Record<Verdict, Action>> = {
  blocked: { type: 'hangup', cause: CAUSES.callRejected },
  allowed: { type: 'continue', context: 'queues', extension: 'support', priority: 1 },
  clear: { type: 'continue', context: 'queues', extension: 'support', priority: 1 },
  hidden: { type: 'continue', context: 'anonymous', extension: 's', priority: 1 },
  malformed: { type: 'continue', context: 'anonymous', extension: 's', priority: 1 },
  unavailable: { type: 'continue', context: 'queues', extension: 'support', priority: 1 },
};

export function isRouteName(name: string): boolean {
  return ROUTE_NAME_PATTERN.test(name);
}

/** A route with no lists and the default actions. */
export function newRoute(name: string): Route {
  return {
    name,
    block: [],
    allow: [],
    withheld: 'screen',
    actions: { ...DEFAULT_ACTIONS },
  };
}

export type RouteValidation = { ok: true; route: Route } | { ok: false; reason: string };

/**
 * Checks a route as stored (parsed JSON) field by field and returns a clean copy, so a
 * hand-edited or corrupt hash entry becomes a reason to log instead of a crash mid-call.
 */
export function validateRoute(value: unknown): RouteValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'route is not a JSON object' };
  }
  const raw = value as Record<string, unknown>;
  if (typeof raw.name !== 'string' || !isRouteName(raw.name)) {
    return { ok: false, reason: `name ${JSON.stringify(raw.name)} is not a route name` };
  }
  const block = listNames(raw.block, 'block');
  if (typeof block === 'string') return { ok: false, reason: block };
  const allow = listNames(raw.allow, 'allow');
  if (typeof allow === 'string') return { ok: false, reason: allow };
  if (raw.region !== undefined && (typeof raw.region !== 'string' || !REGION_PATTERN.test(raw.region))) {
    return { ok: false, reason: `region ${JSON.stringify(raw.region)} is not a two-letter region code` };
  }
  if (raw.withheld !== 'screen' && raw.withheld !== 'hidden') {
    return { ok: false, reason: `withheld ${JSON.stringify(raw.withheld)} is neither "screen" nor "hidden"` };
  }
  if (raw.vipPriority !== undefined && !isVipPriority(raw.vipPriority)) {
    return { ok: false, reason: `vipPriority ${JSON.stringify(raw.vipPriority)} is not a whole number 0-${MAX_VIP_PRIORITY}` };
  }
  if (typeof raw.actions !== 'object' || raw.actions === null) {
    return { ok: false, reason: 'actions is not an object' };
  }
  const rawActions = raw.actions as Record<string, unknown>;
  const actions = {} as Record<Verdict, Action>;
  for (const verdict of VERDICTS) {
    const reason = invalidActionReason(rawActions[verdict]);
    if (reason !== undefined) return { ok: false, reason: `actions.${verdict}: ${reason}` };
    actions[verdict] = copyAction(rawActions[verdict] as Action);
  }
  const route: Route = { name: raw.name, block, allow, withheld: raw.withheld, actions };
  if (raw.region !== undefined) route.region = raw.region as string;
  if (raw.vipPriority !== undefined) route.vipPriority = raw.vipPriority as number;
  const compliance = complianceFields(raw);
  if (typeof compliance === 'string') return { ok: false, reason: compliance };
  Object.assign(route, compliance);
  if (typeof raw.updatedAt === 'number') route.updatedAt = raw.updatedAt;
  if (typeof raw.updatedBy === 'string') route.updatedBy = raw.updatedBy;
  return { ok: true, route };
}

/** The auto-block, STIR/SHAKEN and observe fields of a stored route, cleaned, or why they are not valid. */
function complianceFields(raw: Record<string, unknown>): Pick<Route, 'autoBlock' | 'stir' | 'observe'> | string {
  const fields: Pick<Route, 'autoBlock' | 'stir' | 'observe'> = {};
  if (raw.autoBlock !== undefined) {
    const reason = invalidAutoBlockReason(raw.autoBlock);
    if (reason !== undefined) return reason;
    fields.autoBlock = (raw.autoBlock as AutoBlockRule[]).map((rule) => ({ rate: { ...rule.rate }, list: rule.list, forMs: rule.forMs }));
  }
  if (raw.stir !== undefined) {
    const stir = raw.stir as Record<string, unknown> | null;
    const reason = invalidActionReason(stir?.onUnverified);
    if (reason !== undefined) return `stir.onUnverified: ${reason}`;
    if (stir?.minAttestation !== undefined && !(ATTESTATIONS as readonly unknown[]).includes(stir.minAttestation)) {
      return `stir.minAttestation ${JSON.stringify(stir.minAttestation)} is not A, B or C`;
    }
    fields.stir = { onUnverified: copyAction(stir?.onUnverified as Action), ...(stir?.minAttestation === undefined ? {} : { minAttestation: stir.minAttestation as Attestation }) };
  }
  if (raw.observe !== undefined) {
    const reason = invalidObserveReason(raw.observe);
    if (reason !== undefined) return reason;
    fields.observe = raw.observe === 'all' ? 'all' : [...(raw.observe as string[])];
  }
  return fields;
}

/** What `unverified` callers get on a route that turns STIR/SHAKEN on without saying: rejected, SIP 403. */
export const DEFAULT_UNVERIFIED_ACTION: Action = { type: 'hangup', cause: CAUSES.callRejected };

/** The lists a call on the route is checked against: allow, block, then the auto-block lists not among the block lists. */
export function checkedLists(route: Route): { allow: string[]; block: string[] } {
  const filled = autoBlockLists(route.autoBlock ?? []).filter((list) => !route.block.includes(list));
  return { allow: route.allow, block: [...route.block, ...filled] };
}

export function isVipPriority(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_VIP_PRIORITY;
}

export function isRegionCode(value: string): boolean {
  return REGION_PATTERN.test(value);
}

function listNames(value: unknown, field: string): string[] | string {
  if (!Array.isArray(value)) return `${field} is not a list of list names`;
  for (const name of value) {
    if (typeof name !== 'string' || !LIST_NAME_PATTERN.test(name)) {
      return `${field} holds ${JSON.stringify(name)}, which is not a list name`;
    }
  }
  return [...(value as string[])];
}

/** What `route set` changes; an absent field keeps the route's value, null resets it. */
export interface RouteChanges {
  block?: string[];
  allow?: string[];
  region?: string | null;
  withheld?: Route['withheld'];
  vipPriority?: number | null;
  actions?: Partial<Record<Verdict, Action>>;
  /** replaces the route's rules; [] removes them */
  autoBlock?: AutoBlockRule[];
  /** null turns STIR/SHAKEN off; a minimum of null drops only the minimum */
  stir?: { onUnverified?: Action; minAttestation?: Attestation | null } | null;
  observe?: Observe | null;
  updatedBy: string;
  updatedAt: number;
}

/**
 * `existing` with `changes` applied, or a new route with the defaults and the changes.
 * Throws RouteChangeError when the result would name one list both to block and to allow.
 */
export function applyRouteChanges(name: string, existing: Route | undefined, changes: RouteChanges): Route {
  const base = existing ?? newRoute(name);
  const route: Route = {
    name,
    block: changes.block ?? base.block,
    allow: changes.allow ?? base.allow,
    withheld: changes.withheld ?? base.withheld,
    actions: { ...base.actions, ...changes.actions },
    updatedAt: changes.updatedAt,
    updatedBy: changes.updatedBy,
  };
  const region = changes.region === undefined ? base.region : changes.region ?? undefined;
  if (region !== undefined) route.region = region;
  const vipPriority = changes.vipPriority === undefined ? base.vipPriority : changes.vipPriority ?? undefined;
  if (vipPriority !== undefined) route.vipPriority = vipPriority;
  const autoBlock = changes.autoBlock ?? base.autoBlock;
  if (autoBlock !== undefined && autoBlock.length > 0) route.autoBlock = autoBlock;
  const stir = changedStir(base.stir, changes.stir);
  if (stir !== undefined) route.stir = stir;
  const observe = changes.observe === undefined ? base.observe : changes.observe ?? undefined;
  if (observe !== undefined) route.observe = observe;
  const filledAndAllowed = autoBlockLists(route.autoBlock ?? []).filter((list) => route.allow.includes(list));
  if (filledAndAllowed.length > 0) {
    throw new RouteChangeError(`${filledAndAllowed.join(', ')} would be filled by --auto-block and allow (an allow list always wins, so the auto-block would do nothing)`);
  }
  const both = route.block.filter((list) => route.allow.includes(list));
  if (both.length > 0) {
    throw new RouteChangeError(
      `${both.join(', ')} would both block and allow (an allow list always wins, so blocking it would do nothing)`,
    );
  }
  return route;
}

function changedStir(base: StirRule | undefined, changes: RouteChanges['stir']): StirRule | undefined {
  if (changes === undefined) return base;
  if (changes === null) return undefined;
  const stir: StirRule = { onUnverified: changes.onUnverified ?? base?.onUnverified ?? DEFAULT_UNVERIFIED_ACTION };
  const minimum = changes.minAttestation === undefined ? base?.minAttestation : changes.minAttestation ?? undefined;
  if (minimum !== undefined) stir.minAttestation = minimum;
  return stir;
}

export class RouteChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteChangeError';
  }
}

import { performance } from 'node:perf_hooks';
import type { FallbackAction } from '../config.js';
import type { Logger } from '../log.js';
import { formatAction } from '../screening/actions.js';
import type { CallLogEntry } from '../screening/call-log.js';
import { verdictVariables } from '../screening/channel-variables.js';
import { decide } from '../screening/decide.js';
import { RouteGuardedChecks, type CheckGuardedBy } from '../screening/route-guard.js';
import type { CachedRoute, RouteForCall } from '../screening/routes.js';
import { screenNumber, type CheckAndCount, type CheckLists } from '../screening/screen.js';
import { withDeadline } from '../screening/deadline.js';
import { callerIdentity, type CallerIdentity, type IdentitySources } from '../screening/stir-shaken.js';
import type { Decision, LoggedVerdict, Route, Screening } from '../screening/types.js';
import { DONE, type Acted, type CallControl } from './call-control.js';
import { DECISION_TRACE, type DecisionTrace } from './call-trace.js';
import { readIdentityOverAri, type ChannelRead } from './identity-headers.js';
import { setVariablesAndAct } from './run-action.js';

/** The channel function that tells whether the caller withheld the number (ARI events do not). */
export const PRESENTATION_VARIABLE = 'CALLERID(pres)';

export interface InboundCall {
  channelId: string;
  /** `caller.number` from StasisStart, untouched */
  callerNumber: string;
  routeName: string;
  /**
   * CALLERID(pres) when the dialplan passes it as the third Stasis() argument
   * (`Stasis(callguard,inbound,<route>,${CALLERID(pres)})`); it is read from the channel
   * otherwise, which costs one ARI round trip.
   */
  presentation?: string;
  /** `agi` when the call came over FastAGI, not into the Stasis app */
  via?: 'agi';
  /**
   * what the dialplan passed on the caller id's STIR/SHAKEN verification (docs/compliance.md);
   * without it, a route with a STIR/SHAKEN rule reads the headers from the channel
   */
  identity?: IdentitySources;
}

/** What screening reads from the caller's channel when the dialplan did not pass it. */
export interface CallerReads {
  presentation?: () => Promise<ChannelRead<string>>;
  /** P-Asserted-Identity and From; asked only for a route with a STIR/SHAKEN rule */
  identity?: () => Promise<ChannelRead<IdentitySources>>;
}

export interface InboundSettings {
  deadlineMs: number;
  defaultRegion: string;
  /** for a route that does not exist, is corrupt, or could never be read */
  unknownRouteAction: FallbackAction;
}

export interface InboundDeps {
  calls: CallControl;
  routes: RoutesForCalls;
  check: CheckLists;
  /** the check that reads the route in the same round trip, for a route read before */
  checkGuarded?: CheckGuardedBy;
  /** the check of a route with auto-block rules, which counts the call in the same round trip */
  checkCounting?: CheckAndCount;
  /**
   * Lists a number whose call crossed an auto-block rule (as "callguard", with the rule's
   * reason). Run beside the action, so the caller is not kept waiting for it.
   */
  autoBlock?: (list: string, e164: string, expiresAt: number, reason: string) => Promise<void>;
  settings: InboundSettings;
  log: Logger;
}

/** Everything one inbound call came to, for the call log and the metrics. */
export interface InboundOutcome {
  call: InboundCall;
  /** when the StasisStart was handled, ms since epoch */
  receivedAt: number;
  /** undefined when the caller hung up before a decision */
  presentation: string | undefined;
  verdict: LoggedVerdict;
  screening: Screening;
  /** the action in its written form (`hangup:21`), or `fallback` */
  action: string;
  /** from StasisStart to the decision, before acting */
  decisionMs: number;
  /** the caller hung up (or the channel left) before we were done */
  gone: boolean;
  /** the route existed and was read (possibly the last read, when Redis was slow) */
  routeFound: boolean;
}

/** What to do with a call: the action and the variables to set first. */
export type InboundDecision = Decision | { verdict: LoggedVerdict; action: FallbackAction; variables: Record<string, string> };

/** What screening needs: the call control is not among it, so the FastAGI entry decides the same way. */
export type InboundScreeningDeps = Pick<InboundDeps, 'routes' | 'check' | 'checkCounting' | 'checkGuarded' | 'autoBlock' | 'settings' | 'log'>;

/** How calls read their routes (RouteStore); without the cache every call reads its route first. */
export interface RoutesForCalls {
  getForCall(name: string, deadlineMs: number): Promise<RouteForCall>;
  cachedForCall?(name: string): CachedRoute | undefined;
  readForCall?(name: string, text: string | null): RouteForCall;
}

/** A call screened and decided, before anything was done to it. */
export interface InboundDecided {
  receivedAt: number;
  /** undefined when unknown or when the caller hung up before it could be read */
  presentation: string | undefined;
  /** the caller hung up before the decision (a read from the channel found it gone) */
  callerGone: boolean;
  screening: Screening;
  decision: InboundDecision;
  /** the action in its written form (`hangup:21`), or `fallback` */
  action: string;
  /** from the start to the decision */
  decisionMs: number;
  routeFound: boolean;
  /** settles once a number that crossed an auto-block rule is listed (at once when none did); never rejects */
  listed: Promise<void>;
}

/**
 * Screens one inbound call and decides what it gets, without touching the channel: the
 * presentation (given, or read with `reads.presentation`) and the route in parallel, then
 * the check of the number against the route's lists, all within the decision deadline.
 * The route read before is screened on at once with a check that reads the route in the
 * same round trip (decideOnLastRoute); the first call of a route reads it first. A route
 * with a STIR/SHAKEN rule reads the identity headers beside the check when the dialplan
 * passed none (IdentityOnDemand). The Stasis app and the FastAGI entry both decide through here.
 */
export async function decideInboundCall(
  call: InboundCall,
  deps: InboundScreeningDeps,
  log: Logger,
  reads: CallerReads = {},
): Promise<InboundDecided> {
  const receivedAt = Date.now();
  const started = performance.now();
  const readPresentation = reads.presentation;
  const presentationRead =
    call.presentation !== undefined || readPresentation === undefined
      ? Promise.resolve({ value: call.presentation, gone: false })
      : readPresentation();
  const identity = new IdentityOnDemand(call.identity, reads.identity, deps.settings.deadlineMs, started, log);
  const cached = deps.checkGuarded === undefined ? undefined : deps.routes.cachedForCall?.(call.routeName);
  // A route that treats withheld numbers as hidden needs the presentation before its check.
  const onLastRoute = cached !== undefined && (call.presentation !== undefined || readPresentation === undefined || cached.route.withheld !== 'hidden');
  const [presentation, { routeForCall, screening, decision }] = await Promise.all([
    presentationRead,
    onLastRoute && deps.checkGuarded
      ? decideOnLastRoute(call, presentationRead, identity, new RouteGuardedChecks(cached, deps.checkGuarded), deps, log, started)
      : Promise.all([presentationRead, deps.routes.getForCall(call.routeName, deps.settings.deadlineMs)]).then(async ([read, found]) => ({
          routeForCall: found,
          ...(await decideInbound(call, read.value, identity, found, deps, log, started)),
        })),
  ]);
  const decisionMs = performance.now() - started;
  if (DECISION_TRACE.hasSubscribers) DECISION_TRACE.publish({ channelId: call.channelId, startedAt: started, decidedAt: started + decisionMs } satisfies DecisionTrace);
  return {
    receivedAt,
    presentation: presentation.value,
    callerGone: presentation.gone || identity.foundGone,
    screening,
    decision,
    action: decision.action.type === 'fallback' ? 'fallback' : formatAction(decision.action),
    decisionMs,
    routeFound: routeForCall.kind === 'found',
    listed: listAutoBlocked(screening, deps, log),
  };
}

/** The outcome of a decided call, `gone` when the caller left before it was done. */
export function inboundOutcome(call: InboundCall, decided: InboundDecided, gone: boolean): InboundOutcome {
  return {
    call,
    receivedAt: decided.receivedAt,
    presentation: decided.presentation,
    verdict: decided.decision.verdict,
    screening: decided.screening,
    action: decided.action,
    decisionMs: decided.decisionMs,
    gone,
    routeFound: decided.routeFound,
  };
}

/** The fields of the `call screened` log line. */
export function screenedLogFields(decided: InboundDecided): Record<string, unknown> {
  return {
    verdict: decided.decision.verdict,
    number: decided.screening.e164,
    list: decided.screening.match?.list,
    ...(decided.screening.wouldBe === undefined ? {} : { wouldBe: decided.screening.wouldBe }),
    ...(decided.screening.identity === undefined
      ? {}
      : { verification: decided.screening.identity.verification, attestation: decided.screening.identity.attestation }),
    action: decided.action,
    decisionMs: Math.round(decided.decisionMs * 1000) / 1000,
  };
}

/**
 * One inbound call: read the presentation (unless the dialplan passed it) and the route
 * in parallel, screen the number, decide, set the variables, act. Never throws: a
 * channel left in Stasis is a caller stuck in silence, so every failure ends with the
 * call sent somewhere.
 */
export async function handleInbound(call: InboundCall, deps: InboundDeps): Promise<InboundOutcome> {
  const log = deps.log.child({ channel: call.channelId, route: call.routeName });
  const decided = await decideInboundCall(call, deps, log, {
    presentation: () => readPresentation(call.channelId, deps.calls, log),
    identity: () => readIdentityOverAri(call.channelId, deps.calls, log),
  });
  if (decided.callerGone) {
    log.debug({ verdict: decided.decision.verdict, decisionMs: decided.decisionMs }, 'caller hung up before the decision');
    return inboundOutcome(call, decided, true);
  }
  const acted = await act(call.channelId, decided.decision, deps.calls, log);
  await decided.listed;
  if (acted.ok) log.info(screenedLogFields(decided), 'call screened');
  else log.debug(screenedLogFields(decided), 'caller hung up while the call was acted on');
  return inboundOutcome(call, decided, !acted.ok);
}

/**
 * The call screened on the route this process read last, its check reading the route in
 * the same round trip; screened again on the route as it is now when that changed, or
 * when no check ran (a hidden number, a route without lists) and a read finds it changed.
 */
async function decideOnLastRoute(
  call: InboundCall,
  presentationRead: Promise<{ value: string | undefined }>,
  identity: IdentityOnDemand,
  guarded: RouteGuardedChecks,
  deps: InboundScreeningDeps,
  log: Logger,
  started: number,
): Promise<{ routeForCall: RouteForCall; screening: Screening; decision: InboundDecision }> {
  const { route } = guarded.cached;
  const checks = { ...deps, check: guarded.check, ...(deps.checkCounting === undefined ? {} : { checkCounting: guarded.checkCounting }) };
  const first = await decideInbound(call, call.presentation, identity, { kind: 'found', route, stale: false }, checks, log, started);
  const seen = guarded.seen();
  if (seen.kind === 'unchanged') return { routeForCall: { kind: 'found', route, stale: false }, ...first };
  if (seen.kind === 'no-answer') {
    log.warn('route served from the last read: Redis did not answer in time');
    return { routeForCall: { kind: 'found', route, stale: true }, ...first };
  }
  const remaining = Math.max(1, deps.settings.deadlineMs - (performance.now() - started));
  const routeForCall =
    seen.kind === 'changed' && deps.routes.readForCall
      ? deps.routes.readForCall(call.routeName, seen.text)
      : await deps.routes.getForCall(call.routeName, remaining);
  // A check that answered "changed" checked nothing, even when the text it read back is
  // the text read before (stored bytes that are not UTF-8 hash apart from their decoding):
  // only a screening that asked no check stands on the same route.
  if (seen.kind === 'not-asked' && routeForCall.kind === 'found' && routeForCall.route === route) return { routeForCall, ...first };
  const presentation = await presentationRead;
  return { routeForCall, ...(await decideInbound(call, presentation.value, identity, routeForCall, deps, log, started)) };
}

/** The route's decision for the caller; the configured default when the route is unusable. */
async function decideInbound(
  call: InboundCall,
  presentation: string | undefined,
  identity: IdentityOnDemand,
  routeForCall: RouteForCall,
  deps: InboundScreeningDeps,
  log: Logger,
  started: number,
): Promise<{ screening: Screening; decision: InboundDecision }> {
  const { settings } = deps;
  if (routeForCall.kind === 'found') {
    if (routeForCall.stale) log.warn('route served from the last read: Redis did not answer in time');
    // The route read and the list check share one deadline.
    const remaining = Math.max(1, settings.deadlineMs - (performance.now() - started));
    const verification = identity.forRoute(routeForCall.route);
    const screening = await screenNumber({
      raw: call.callerNumber,
      presentation,
      route: routeForCall.route,
      defaultRegion: settings.defaultRegion,
      check: deps.check,
      ...(deps.checkCounting === undefined ? {} : { checkCounting: deps.checkCounting }),
      channelId: call.channelId,
      ...(verification === undefined ? {} : { identity: verification }),
      deadlineMs: remaining,
    });
    return { screening, decision: decide(screening, routeForCall.route) };
  }
  const detail = routeProblem(routeForCall, call.routeName);
  if (routeForCall.kind === 'unavailable') log.warn({ detail }, 'route unavailable, default action');
  else log.error({ detail }, 'route unusable, default action');
  return {
    screening: { verdict: 'unavailable', detail },
    decision: {
      verdict: 'unavailable',
      action: settings.unknownRouteAction,
      variables: verdictVariables({ verdict: 'unavailable', reason: detail }),
    },
  };
}

/** The call-log entry of an inbound call. */
export function inboundCallLogEntry(outcome: InboundOutcome): CallLogEntry {
  const { screening } = outcome;
  return {
    time: outcome.receivedAt,
    channel: outcome.call.channelId,
    direction: 'inbound',
    raw: outcome.call.callerNumber,
    e164: screening.e164,
    presentation: outcome.presentation,
    route: outcome.call.routeName,
    verdict: outcome.verdict,
    wouldBe: screening.wouldBe,
    list: screening.match?.list,
    reason: screening.match?.reason ?? screening.detail,
    action: outcome.action,
    outcome: outcome.gone ? 'caller-gone' : 'done',
    ...(outcome.call.via === undefined ? {} : { via: outcome.call.via }),
    verification: screening.identity?.verification,
    attestation: screening.identity?.attestation,
    decisionMs: outcome.decisionMs,
  };
}

/** Lists the number of a call that crossed an auto-block rule; a failure is logged (the call was blocked all the same). */
async function listAutoBlocked(screening: Screening, deps: InboundScreeningDeps, log: Logger): Promise<void> {
  const effect = screening.autoBlock;
  if (effect === undefined || deps.autoBlock === undefined) return;
  try {
    await deps.autoBlock(effect.list, screening.e164, effect.expiresAt, effect.reason);
    log.info({ number: screening.e164, list: effect.list, expiresAt: effect.expiresAt, reason: effect.reason }, 'repeat caller auto-blocked');
  } catch (error) {
    log.error({ number: screening.e164, list: effect.list, err: error }, 'repeat caller blocked, but could not be added to the list');
  }
}

/**
 * The caller's verification for the route a call is screened on: what the dialplan passed
 * (it wins, and costs no read), else, for a route with a STIR/SHAKEN rule (observed or
 * not), the headers read from the channel once for the call, within what is left of the
 * decision deadline. A read that fails or misses the deadline is unknown, which no route
 * takes for unverified: the call is screened as one that reports nothing.
 */
class IdentityOnDemand {
  private read: Promise<CallerIdentity | undefined> | undefined;
  /** the read found the caller gone */
  foundGone = false;

  constructor(
    private readonly passed: IdentitySources | undefined,
    private readonly reader: (() => Promise<ChannelRead<IdentitySources>>) | undefined,
    private readonly deadlineMs: number,
    private readonly started: number,
    private readonly log: Logger,
  ) {}

  forRoute(route: Route): CallerIdentity | Promise<CallerIdentity | undefined> | undefined {
    if (this.passed !== undefined) return callerIdentity(this.passed);
    if (route.stir === undefined || this.reader === undefined) return undefined;
    this.read ??= this.readWithin(this.reader, Math.max(1, this.deadlineMs - (performance.now() - this.started)));
    return this.read;
  }

  private async readWithin(reader: () => Promise<ChannelRead<IdentitySources>>, remainingMs: number): Promise<CallerIdentity | undefined> {
    const outcome = await withDeadline(reader, remainingMs);
    if (!outcome.ok) {
      this.log.warn({ detail: outcome.reason }, 'identity headers not read in time: screened as reporting no verification');
      return undefined;
    }
    if (outcome.value.gone) this.foundGone = true;
    return outcome.value.value === undefined ? undefined : callerIdentity(outcome.value.value);
  }
}

async function readPresentation(
  channelId: string,
  calls: CallControl,
  log: Logger,
): Promise<ChannelRead<string>> {
  try {
    const read = await calls.getVariable(channelId, PRESENTATION_VARIABLE);
    if (!read.ok) return { value: undefined, gone: true };
    return { value: read.value, gone: false };
  } catch (error) {
    // Screening without the presentation still catches a listed number; only the
    // route's `withheld: hidden` choice cannot apply to this call.
    log.warn({ err: error }, 'presentation unreadable, screening the number as given');
    return { value: undefined, gone: false };
  }
}

function routeProblem(lookup: Exclude<RouteForCall, { kind: 'found' }>, name: string): string {
  switch (lookup.kind) {
    case 'missing':
      return `route "${name}" does not exist`;
    case 'invalid':
      return `route "${name}" is invalid: ${lookup.reason}`;
    case 'unavailable':
      return `route "${name}" could not be read: ${lookup.reason}`;
  }
}

/** Sets the variables, then runs the action; a failure sends the call to the dialplan fallback. */
async function act(
  channelId: string,
  decision: InboundDecision,
  calls: CallControl,
  log: Logger,
): Promise<Acted> {
  try {
    return await setVariablesAndAct(channelId, decision.variables, decision.action, calls, log);
  } catch (error) {
    log.error({ err: error }, 'action failed, sending the call to the dialplan fallback');
    try {
      return await calls.continueInDialplan(channelId);
    } catch (fallbackError) {
      log.error({ err: fallbackError }, 'dialplan fallback failed too');
      return DONE;
    }
  }
}

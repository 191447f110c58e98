import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallControlError, type CallControl } from '../../src/calls/call-control.js';
import { handleInbound, inboundCallLogEntry, PRESENTATION_VARIABLE, type InboundDeps } from '../../src/calls/inbound.js';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { Route } from '../../src/screening/types.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { FakeCallControl } from './fake-call-control.js';
import { capturedLogger } from '../helpers/log-capture.js';

const QUEUE = { type: 'continue', context: 'queues', extension: 'support', priority: 1 } as const;
const ANONYMOUS = { type: 'continue', context: 'anonymous', extension: 's', priority: 1 } as const;
const BROKEN = { type: 'continue', context: 'broken', extension: 's', priority: 1 } as const;
const BLOCKED_CALLER = '+493012345678';
const VIP_CALLER = '+493099999999';

describe('inbound call handling', () => {
  let redis: Redis;
  let namespace: string;
  let routes: RouteStore;
  let lists: ListStore;

  beforeAll(async () => {
    redis = testRedis();
    namespace = testNamespace();
    routes = new RouteStore(redis, namespace);
    lists = new ListStore(redis, namespace);
    const actor = { by: 'test', reason: 'harassment' };
    await lists.createList('dnc', actor);
    await lists.createList('vip', actor);
    await lists.add('dnc', [{ member: BLOCKED_CALLER }, { member: VIP_CALLER }], actor);
    await lists.add('vip', [{ member: VIP_CALLER }], actor);
    await routes.set(route('support', {}));
  });

  afterAll(async () => {
    await redis.quit();
  });

  function route(name: string, changes: Partial<Route>): Route {
    const base = newRoute(name);
    return {
      ...base,
      block: ['dnc'],
      allow: ['vip'],
      region: 'DE',
      vipPriority: 10,
      ...changes,
      actions: { ...base.actions, blocked: { type: 'hangup', cause: 21 }, ...changes.actions },
    };
  }

  function deps(calls: CallControl, overrides: Partial<InboundDeps> = {}) {
    const captured = capturedLogger();
    const all: InboundDeps = {
      calls,
      routes,
      check: (e164, names) => lists.checkEach(e164, names),
      // As serve wires it: after a route's first call its read rides in the check.
      checkGuarded: (guard, e164, names, counters) => lists.checkGuarded(guard, e164, names, counters),
      // Generous: a busy test machine must not turn these into deadline misses; the
      // deadline has its own test below.
      settings: { deadlineMs: 1_000, defaultRegion: 'DE', unknownRouteAction: { type: 'fallback' } },
      log: captured.log,
      ...overrides,
    };
    return { deps: all, lines: captured.lines };
  }

  it('a blocked caller is hung up with the route cause, the variables set first in one request', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel({ [PRESENTATION_VARIABLE]: 'allowed_not_screened' });
    const outcome = await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'support' }, deps(calls).deps);
    expect(outcome.verdict).toBe('blocked');
    expect(calls.channel(channel).hangupCause).toBe(21);
    expect(calls.channel(channel).variables.get('CALLGUARD_LIST')).toBe('dnc');
    expect(calls.channel(channel).variables.get('CALLGUARD_REASON')).toBe('harassment');
    const ops = calls.operations.map((op) => op.op);
    expect(ops).toEqual(['get', 'set variables', 'hangup']);
  });

  it('a national number is normalized with the route region before the check', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const outcome = await handleInbound({ channelId: channel, callerNumber: '030 12345678', routeName: 'support' }, deps(calls).deps);
    expect(outcome.screening.e164).toBe(BLOCKED_CALLER);
    expect(outcome.verdict).toBe('blocked');
  });

  it('a VIP who is also on a block list reaches the queue with the queue priority set', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const outcome = await handleInbound({ channelId: channel, callerNumber: VIP_CALLER, routeName: 'support' }, deps(calls).deps);
    expect(outcome.verdict).toBe('allowed');
    expect(calls.channel(channel).continuedTo).toEqual(QUEUE);
    expect(calls.channel(channel).variables.get('CALLGUARD_QUEUE_PRIORITY')).toBe('10');
    expect(calls.channel(channel).variables.get('CALLGUARD_VERDICT')).toBe('allowed');
  });

  it('a clear caller continues to the queue with verdict clear and its E.164 number', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    await handleInbound({ channelId: channel, callerNumber: '+4930111111', routeName: 'support' }, deps(calls).deps);
    expect(calls.channel(channel).continuedTo).toEqual(QUEUE);
    expect(calls.channel(channel).variables.get('CALLGUARD_VERDICT')).toBe('clear');
    expect(calls.channel(channel).variables.get('CALLGUARD_NUMBER')).toBe('+4930111111');
    expect(calls.channel(channel).variables.has('CALLGUARD_QUEUE_PRIORITY')).toBe(false);
  });

  it('an anonymous caller takes the hidden branch', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const outcome = await handleInbound({ channelId: channel, callerNumber: 'anonymous', routeName: 'support' }, deps(calls).deps);
    expect(outcome.verdict).toBe('hidden');
    expect(calls.channel(channel).continuedTo).toEqual(ANONYMOUS);
  });

  it('a garbage caller number takes the malformed branch', async () => {
    await routes.set(route('garbage', { actions: { ...newRoute('x').actions, malformed: BROKEN } }));
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const outcome = await handleInbound({ channelId: channel, callerNumber: 'abc!!', routeName: 'garbage' }, deps(calls).deps);
    expect(outcome.verdict).toBe('malformed');
    expect(calls.channel(channel).continuedTo).toEqual(BROKEN);
  });

  it('a withheld but asserted number is screened by default', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel({ [PRESENTATION_VARIABLE]: 'prohib_not_screened' });
    const outcome = await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'support' }, deps(calls).deps);
    expect(outcome.verdict).toBe('blocked');
    expect(outcome.presentation).toBe('prohib_not_screened');
  });

  it('a withheld number is hidden when the route says so', async () => {
    await routes.set(route('private', { withheld: 'hidden' }));
    const calls = new FakeCallControl();
    const channel = calls.addChannel({ [PRESENTATION_VARIABLE]: 'prohib_not_screened' });
    const outcome = await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'private' }, deps(calls).deps);
    expect(outcome.verdict).toBe('hidden');
    expect(calls.channel(channel).continuedTo).toEqual(ANONYMOUS);
  });

  it('a presentation passed by the dialplan is used without asking the channel', async () => {
    await routes.set(route('discreet', { withheld: 'hidden' }));
    const calls = new FakeCallControl();
    const channel = calls.addChannel({ [PRESENTATION_VARIABLE]: 'allowed_not_screened' });
    const outcome = await handleInbound(
      { channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'discreet', presentation: 'prohib_not_screened' },
      deps(calls).deps,
    );
    expect(outcome.verdict).toBe('hidden');
    expect(calls.operations.filter((op) => op.op === 'get')).toEqual([]);
  });

  it('an announcement answers, plays the sound, then hangs up with the cause', async () => {
    await routes.set(
      route('announcing', { actions: { ...newRoute('x').actions, blocked: { type: 'announce', sound: 'custom/blocked', cause: 17 } } }),
    );
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'announcing' }, deps(calls).deps);
    const acts = calls.operations.filter((op) => op.op !== 'set variables' && op.op !== 'get').map((op) => op.op);
    expect(acts).toEqual(['answer', 'play', 'hangup']);
    expect(calls.channel(channel).played).toEqual(['sound:custom/blocked']);
    expect(calls.channel(channel).hangupCause).toBe(17);
  });

  it('a route that does not exist runs the default action and logs an error with the channel id', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const { deps: d, lines } = deps(calls);
    const outcome = await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'nope' }, d);
    expect(outcome.routeFound).toBe(false);
    expect(calls.channel(channel).continuedTo).toBe('next');
    const error = lines().find((line) => line.level === 50);
    expect(error).toMatchObject({ channel, route: 'nope' });
  });

  it('the default action for unknown routes is configurable', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const { deps: d } = deps(calls, {
      settings: { deadlineMs: 1_000, defaultRegion: 'DE', unknownRouteAction: { type: 'hangup', cause: 34 } },
    });
    await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'nope' }, d);
    expect(calls.channel(channel).hangupCause).toBe(34);
  });

  it('a caller who hung up before the decision is not acted on and logs no error', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    calls.farEndHangup(channel);
    const { deps: d, lines } = deps(calls);
    const outcome = await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'support' }, d);
    expect(outcome.gone).toBe(true);
    expect(inboundCallLogEntry(outcome)).toMatchObject({ action: 'hangup:21', outcome: 'caller-gone' });
    expect(calls.operations.filter((op) => op.op !== 'get')).toEqual([]);
    expect(lines().filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('a caller gone when the action runs (CallControl GONE) is logged caller-gone, a call acted on is logged done', async () => {
    const calls = new FakeCallControl();
    const gone = calls.addChannel({ [PRESENTATION_VARIABLE]: 'allowed_not_screened' });
    const { deps: d } = deps(calls);
    // The dialplan passes the presentation, so the first operation on the channel is the action's.
    calls.farEndHangup(gone);
    const goneOutcome = await handleInbound(
      { channelId: gone, callerNumber: BLOCKED_CALLER, routeName: 'support', presentation: 'allowed_not_screened' },
      d,
    );
    expect(calls.operations.some((op) => op.op === 'set variables')).toBe(true);
    expect(inboundCallLogEntry(goneOutcome)).toMatchObject({ verdict: 'blocked', action: 'hangup:21', outcome: 'caller-gone' });

    const present = calls.addChannel();
    const doneOutcome = await handleInbound(
      { channelId: present, callerNumber: BLOCKED_CALLER, routeName: 'support', presentation: 'allowed_not_screened' },
      d,
    );
    expect(calls.channel(present).hangupCause).toBe(21);
    expect(inboundCallLogEntry(doneOutcome)).toMatchObject({ action: 'hangup:21', outcome: 'done' });
  });

  it('a caller who hangs up during the announcement ends the call quietly', async () => {
    await routes.set(
      route('long-announce', { actions: { ...newRoute('x').actions, blocked: { type: 'announce', sound: 'long', cause: 21 } } }),
    );
    const calls = new FakeCallControl({ 'sound:long': 60_000 });
    const channel = calls.addChannel();
    const { deps: d, lines } = deps(calls);
    const handled = handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'long-announce' }, d);
    await expect.poll(() => calls.channel(channel).played.length).toBe(1);
    calls.farEndHangup(channel);
    const outcome = await handled;
    expect(outcome.gone).toBe(true);
    expect(calls.channel(channel).hangupCause).toBeUndefined();
    expect(lines().filter((line) => Number(line.level) >= 40)).toEqual([]);
  });

  it('a list check that misses the deadline gives the route unavailable action', async () => {
    await routes.set(route('slow', { actions: { ...newRoute('x').actions, unavailable: BROKEN } }));
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const slowCheck = () => new Promise<never>(() => undefined);
    const { deps: d } = deps(calls, { check: slowCheck, settings: { deadlineMs: 30, defaultRegion: 'DE', unknownRouteAction: { type: 'fallback' } } });
    const outcome = await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'slow' }, d);
    expect(outcome.verdict).toBe('unavailable');
    expect(calls.channel(channel).continuedTo).toEqual(BROKEN);
  });

  it('an action Asterisk refuses sends the call to the dialplan fallback, never leaving it in Stasis', async () => {
    class RefusingHangup extends FakeCallControl {
      override async hangup(): Promise<never> {
        throw new CallControlError('hangup', 500, 'Internal Server Error');
      }
    }
    const calls = new RefusingHangup();
    const channel = calls.addChannel();
    const { deps: d, lines } = deps(calls);
    await handleInbound({ channelId: channel, callerNumber: BLOCKED_CALLER, routeName: 'support' }, d);
    expect(calls.channel(channel).continuedTo).toBe('next');
    const failed = lines().find((line) => line.level === 50);
    // The one shape of an error in a log line: pino's serializer under `err`.
    expect(failed).toMatchObject({
      channel,
      err: { type: 'CallControlError', status: 500, operation: 'hangup', detail: 'Internal Server Error', stack: expect.any(String) },
    });
    expect(failed).not.toHaveProperty('error');
  });

  it('every log line of a call carries its channel id and route', async () => {
    const calls = new FakeCallControl();
    const channel = calls.addChannel();
    const { deps: d, lines } = deps(calls);
    await handleInbound({ channelId: channel, callerNumber: '+4930111111', routeName: 'support' }, d);
    expect(lines().length).toBeGreaterThan(0);
    for (const line of lines()) expect(line).toMatchObject({ channel, route: 'support' });
  });
});

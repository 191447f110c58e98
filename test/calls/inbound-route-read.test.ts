import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleInbound, PRESENTATION_VARIABLE, type InboundCall, type InboundDeps } from '../../src/calls/inbound.js';
import { globalKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { parseAutoBlock } from '../../src/screening/auto-block.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { Route } from '../../src/screening/types.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { until } from '../helpers/until.js';
import { CHECK_MODES } from '../lists/fixture.js';
import { FakeCallControl } from './fake-call-control.js';

const ON_DNC = '+493012345678';
const ON_SPAM = '+493087654321';
const ACTOR = { by: 'test', reason: 'nuisance calls' };
const FALLBACK_ROUTE_ACTION = { type: 'fallback' } as const;

/**
 * A call reads its route inside its check once this process has read the route (the
 * route's first call reads it first): these tests pin that every change of the route
 * still applies to the very next call, whichever way the store checks.
 */
describe.each(CHECK_MODES)('a call reads its route in its check (checks %s)', (checkMode) => {
  let redis: Redis;
  let namespace: string;
  let routes: RouteStore;
  let lists: ListStore;
  let channels = 0;

  beforeEach(async () => {
    redis = testRedis();
    namespace = testNamespace();
    routes = new RouteStore(redis, namespace);
    lists = new ListStore(redis, namespace, Date.now, { checkMode });
    for (const list of ['dnc', 'spam', 'repeat']) await lists.createList(list, ACTOR);
    await lists.add('dnc', [{ member: ON_DNC }], ACTOR);
    await lists.add('spam', [{ member: ON_SPAM }], ACTOR);
  });

  afterEach(async () => {
    await redis.quit();
  });

  async function setRoute(changes: Partial<Route>): Promise<void> {
    const base = newRoute('support');
    await routes.set({ ...base, block: ['dnc'], region: 'DE', ...changes, actions: { ...base.actions, ...changes.actions } });
  }

  const deps = (calls: FakeCallControl): InboundDeps => ({
    calls,
    routes,
    check: (e164, names) => lists.checkEach(e164, names),
    checkCounting: (e164, names, counters) => lists.checkCounting(e164, names, counters),
    checkGuarded: (guard, e164, names, counters) => lists.checkGuarded(guard, e164, names, counters),
    settings: { deadlineMs: 1_000, defaultRegion: 'DE', unknownRouteAction: FALLBACK_ROUTE_ACTION },
    log: capturedLogger().log,
  });

  async function call(callerNumber: string, extra: Partial<InboundCall> = {}) {
    const control = new FakeCallControl();
    const channel = control.addChannel({ [PRESENTATION_VARIABLE]: 'allowed_not_screened' }, `${namespace}-${++channels}`);
    return handleInbound({ channelId: channel, callerNumber, routeName: 'support', ...extra }, deps(control));
  }

  it('a route given other block lists between two calls blocks on the new lists at the next call', async () => {
    await setRoute({});
    expect((await call(ON_SPAM)).verdict).toBe('clear');
    expect((await call(ON_DNC)).verdict).toBe('blocked');
    await setRoute({ block: ['spam'] });
    const next = await call(ON_SPAM);
    expect(next.verdict).toBe('blocked');
    expect(next.screening.match?.list).toBe('spam');
    expect((await call(ON_DNC)).verdict).toBe('clear');
  });

  it('a route removed between two calls gives the next call the unknown-route action', async () => {
    await setRoute({});
    expect((await call(ON_DNC)).verdict).toBe('blocked');
    await routes.remove('support');
    const next = await call(ON_DNC);
    expect(next.routeFound).toBe(false);
    expect(next.action).toBe('fallback');
  });

  it('a route that starts treating withheld numbers as hidden applies to the next withheld caller', async () => {
    await setRoute({});
    expect((await call(ON_DNC, { presentation: 'prohib_not_screened' })).verdict).toBe('blocked');
    await setRoute({ withheld: 'hidden' });
    expect((await call(ON_DNC, { presentation: 'prohib_not_screened' })).verdict).toBe('hidden');
  });

  it('a hidden caller, whose check asks nothing, gets the hidden action the route has now', async () => {
    const before = { type: 'continue', context: 'anonymous', extension: 's', priority: 1 } as const;
    const after = { type: 'continue', context: 'withheld', extension: 's', priority: 1 } as const;
    await setRoute({ actions: { ...newRoute('x').actions, hidden: before } });
    expect((await call('anonymous')).action).toBe('continue:anonymous,s,1');
    await setRoute({ actions: { ...newRoute('x').actions, hidden: after } });
    expect((await call('anonymous')).action).toBe('continue:withheld,s,1');
  });

  it('a call on a route that changed is counted once for its auto-block rule, on the route as it is now', async () => {
    const rule = parseAutoBlock('3/15m:repeat:1h');
    await setRoute({ autoBlock: [rule] });
    const caller = '+493055555555';
    expect((await call(caller)).verdict).toBe('clear');
    await setRoute({ autoBlock: [rule], vipPriority: 5 });
    expect((await call(caller)).verdict).toBe('clear');
    const third = await call(caller);
    expect(third.verdict).toBe('blocked');
    expect(third.screening.autoBlock?.list).toBe('repeat');
  });

  it('a route whose check fails (a list it names does not exist), set again without that list, blocks on its lists at the next call', async () => {
    await setRoute({ block: ['dnc', 'not-created'] });
    expect((await call(ON_DNC)).verdict).toBe('unavailable');
    await setRoute({ block: ['dnc'] });
    const next = await call(ON_DNC);
    expect(next.verdict).toBe('blocked');
    expect(next.screening.match?.list).toBe('dnc');
  });

  it('a route stored with bytes that are not UTF-8 (written outside callguard) still blocks a listed caller after its first call', async () => {
    // The script hashes the stored bytes, this process the text ioredis decoded from them
    // (U+FFFD for each bad byte): the guard never matches, yet the route text read back
    // is the text read before. The check that answered "changed" checked nothing.
    const base = newRoute('support');
    const json = JSON.stringify({ ...base, block: ['dnc'], region: 'DE', note: 'BAD' });
    const bytes = Buffer.from(json, 'latin1');
    const bad = bytes.indexOf('BAD');
    bytes[bad] = 0xff;
    await redis.hset(globalKeys(namespace).routes, 'support', bytes);
    expect((await call(ON_DNC)).verdict).toBe('blocked');
    const second = await call(ON_DNC);
    expect(second.verdict).toBe('blocked');
    expect(second.screening.match?.list).toBe('dnc');
  });

  it('after the first call of a route, a call costs one round trip that reads the route and checks its lists', async () => {
    await setRoute({ block: ['dnc', 'spam'] });
    await call(ON_SPAM);
    const monitorClient = testRedis();
    try {
      const monitor = await monitorClient.monitor();
      const received: { command: string; args: string[]; source: string }[] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        const [command = '', ...rest] = args;
        received.push({ command: command.toLowerCase(), args: rest, source });
      });
      const client = `${redis.stream.localAddress}:${redis.stream.localPort}`;
      const outcome = await call(ON_SPAM);
      await redis.echo('end-of-call');
      await until(() => received.some((r) => r.command === 'echo' && r.source === client), 'MONITOR to report the echo', { pollMs: 0 });
      monitor.disconnect();
      expect(outcome.verdict).toBe('blocked');
      const commands = received.filter((r) => r.source === client && r.command !== 'echo');
      const routesKey = globalKeys(namespace).routes;
      if (checkMode === 'one-call') {
        expect(commands.map((r) => r.command)).toEqual(['evalsha']);
        expect(commands[0]?.args[2]).toBe(routesKey);
      } else {
        // The route's hash is in a slot of its own on a cluster: its HGET goes beside the checks, not after them.
        expect(commands.map((r) => r.command).sort()).toEqual(['evalsha', 'evalsha', 'hget']);
        expect(commands.find((r) => r.command === 'hget')?.args[0]).toBe(routesKey);
      }
    } finally {
      monitorClient.disconnect();
    }
  });
});

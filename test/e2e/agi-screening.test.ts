import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { readCallLog, type LoggedCall } from '../../src/screening/call-log.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { Route } from '../../src/screening/types.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { testNamespace } from '../helpers/redis.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall, type CallParams } from '../helpers/sipp.js';
import { connectTestAri, type AriEvent, type TestAriClient } from './ari-test-client.js';
import { contextsOf as contextsSeen, loggedCall, stoppableRedisClient } from './call-trail.js';

const availability = await e2eAvailability();
const DIALLED = '+4930555000';
const BLOCKED = '+493012340001';
/** The shipped extensions.conf's CALLGUARD_AGI, for an Asterisk whose globals a test cannot set. */
const SHIPPED_AGI = '127.0.0.1:4573';
/** Generous: these tests prove where calls go, not speed, on a machine that may be busy. */
const DEADLINE_MS = 1_000;

/**
 * Screening over FastAGI: the shipped [screen-agi] context, a real Asterisk, real SIP
 * calls, serve in-process answering AGI. The call never enters the Stasis app; the
 * dialplan carries out CALLGUARD_ACTION. Where a call went is read from an observer ARI
 * app subscribed to every channel.
 */
describe.skipIf(!availability.run)('inbound calls screened over FastAGI', () => {
  let asterisk: E2eAsterisk;
  let redisServer: RunningRedis;
  let redisPort: number;
  let redis: Redis;
  let observer: TestAriClient;
  let service: RunningService | undefined;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    redisPort = await freePort();
    [asterisk, redisServer] = await Promise.all([useAsterisk(), startRedisServer(redisPort)]);
    redis = testClient();
    await seed();
    observer = await connectTestAri(asterisk, 'cg-agi-observer', { subscribeAll: true });
    service = await startCallguard();
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    observer?.close();
    await redis?.quit().catch(() => redis.disconnect());
    await redisServer?.stop();
    await asterisk?.stop();
  });

  const testClient = (): Redis => stoppableRedisClient(redisServer.url);

  /** serve answering FastAGI, and the dialplan pointed at it. */
  async function startCallguard(): Promise<RunningService> {
    const started = await startServeFor(asterisk, `redis://127.0.0.1:${redisPort}`, namespace, logs.log, {
      deadlineMs: String(DEADLINE_MS),
      agiListen: asterisk.cli ? '127.0.0.1:0' : SHIPPED_AGI,
    });
    const agi = started.agi;
    if (asterisk.cli && agi) await asterisk.cli(`dialplan set global CALLGUARD_AGI ${agi.host}:${agi.port}`);
    return started;
  }

  async function seed(): Promise<void> {
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'e2e', reason: 'harassing calls' });
    await setRoute('support', {});
  }

  async function setRoute(name: string, changes: Partial<Route>): Promise<void> {
    const base = newRoute(name);
    await new RouteStore(redis, namespace).set({ ...base, block: ['dnc'], ...changes, actions: { ...base.actions, ...changes.actions } });
  }

  function call(from: string, route: string, extra: Partial<CallParams> = {}) {
    return placeCall({ from, route, screen: 'agi', to: DIALLED, target: asterisk.sipTarget, ...extra });
  }

  const logged = (raw: string): Promise<LoggedCall> => loggedCall(redis, namespace, raw);

  /** The channel of the caller's call, as the observer saw it enter the dialplan. */
  function channelOf(from: string): string | undefined {
    return observer.events.find((event) => event.type === 'ChannelDialplan' && event.channel?.caller.number === from)?.channel?.id;
  }

  const contextsOf = (channelId: string): string[] => contextsSeen(observer, channelId);

  function lastValue(channelId: string, name: string): string | undefined {
    const sets = observer.events.filter(
      (event) =>
        event.type === 'ChannelVarset' && event.channel?.id === channelId && (event as AriEvent & { variable?: string }).variable === name,
    ) as (AriEvent & { value?: string })[];
    return sets.at(-1)?.value;
  }

  it('a blocked caller gets SIP 403 (cause 21), decided as the Stasis app decides, and logged as screened over AGI', async () => {
    expect(await call(BLOCKED, 'support')).toEqual({ status: 403, answered: false });
    const entry = await logged(BLOCKED);
    expect(entry).toMatchObject({ verdict: 'blocked', list: 'dnc', reason: 'harassing calls', action: 'hangup:21', route: 'support', via: 'agi' });
    expect(lastValue(entry.channel, 'CALLGUARD_ACTION')).toBe('hangup:21');
    // The call stayed in the dialplan: it never entered a Stasis app.
    expect(observer.events.some((event) => event.type === 'StasisStart' && event.channel?.id === entry.channel)).toBe(false);
    expect(contextsOf(entry.channel)).toContain('callguard-action');
    await expect
      .poll(async () => (await fetch(`http://${service?.health.host}:${service?.health.port}/metrics`)).text())
      .toMatch(/callguard_calls_total\{direction="inbound",verdict="blocked",action="hangup"\} 1/);
  });

  it('a clear caller reaches the queue with the CALLGUARD_* variables set', async () => {
    const from = '+493012340002';
    expect((await call(from, 'support')).status).toBe(200);
    const entry = await logged(from);
    expect(entry).toMatchObject({ verdict: 'clear', action: 'continue:queues,support,1', via: 'agi' });
    expect(contextsOf(entry.channel)).toContain('queues');
    expect(lastValue(entry.channel, 'CALLGUARD_VERDICT')).toBe('clear');
    expect(lastValue(entry.channel, 'CALLGUARD_NUMBER')).toBe(from);
  });

  it('a route that announces plays the sound, then hangs up with its cause', async () => {
    await setRoute('announcing', { actions: { ...newRoute('x').actions, blocked: { type: 'announce', sound: 'beep', cause: 17 } } });
    // The caller stays on the line, so it is the dialplan's Hangup that ends the call.
    const outcome = await call(BLOCKED, 'announcing', { talk: { keys: '' } });
    expect(outcome.answered).toBe(true);
    let entry: LoggedCall | undefined;
    await expect
      .poll(async () => {
        entry = (await readCallLog(redis, namespace, { route: 'announcing' })).entries[0];
        return entry;
      })
      .toBeDefined();
    const channel = (entry as LoggedCall).channel;
    expect(entry).toMatchObject({ verdict: 'blocked', action: 'announce:beep:17' });
    const steps = () =>
      observer.events
        .filter((event) => event.type === 'ChannelDialplan' && event.channel?.id === channel)
        .map((event) => `${event.dialplan_app}(${event.dialplan_app_data})`);
    await expect.poll(steps).toEqual(expect.arrayContaining(['Answer()', 'Playback(beep)', 'Hangup(17)']));
  });

  it('with Redis stopped the caller reaches the queue within the deadline (verdict unavailable)', async () => {
    await setRoute('outage', {});
    await redisServer.stop();
    const from = '+493012340003';
    try {
      expect((await call(from, 'outage')).status).toBe(200);
    } finally {
      redisServer = await startRedisServer(redisPort);
      redis.disconnect();
      redis = testClient();
      // The fresh Redis is empty: the lists and the route back, for the tests after this one in any order.
      await seed();
    }
    const channel = channelOf(from) as string;
    expect(contextsOf(channel)).toContain('queues');
    expect(lastValue(channel, 'CALLGUARD_VERDICT')).toBe('unavailable');
    const screened = logs.lines().find((line) => line.channel === channel && line.msg === 'call screened');
    expect(screened).toMatchObject({ verdict: 'unavailable', via: 'agi' });
    expect(screened?.decisionMs as number).toBeLessThan(DEADLINE_MS);
    await expect.poll(() => service?.readiness().ready, { timeout: 10_000 }).toBe(true);
  });

  it('with callguard stopped AGI returns at once and the call is queued unscreened', async () => {
    await service?.stop();
    service = undefined;
    try {
      const from = '+493012340004';
      expect((await call(from, 'support')).status).toBe(200);
      const channel = channelOf(from) as string;
      expect(contextsOf(channel)).toContain('queues');
      expect(lastValue(channel, 'CALLGUARD_VERDICT')).toBe('unscreened');
    } finally {
      // The tests after this one, in any order, need callguard running.
      service = await startCallguard();
    }
  });
});

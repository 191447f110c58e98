import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { readCallLog, type LoggedCall } from '../../src/screening/call-log.js';
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
const BLOCKED = '+493012345678';
const VIP = '+493099999999';
const TIMED = '+493011111111';
const CANCELLED = '+493022222222';
const QUEUE = { type: 'continue', context: 'queues', extension: 'support', priority: 1 } as const;

/**
 * callguard's Stasis app (in-process, the same object `serve` runs) against a real
 * Asterisk with the shipped dialplan, real SIP calls from sipp, and a Redis of its own
 * that a test can stop. What a caller experiences is the SIP status; where the call
 * went in the dialplan is read from an observer ARI app subscribed to every channel.
 */
describe.skipIf(!availability.run)('inbound calls through the Stasis app', () => {
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
    observer = await connectTestAri(asterisk, 'cg-observer', { subscribeAll: true });
    service = await startCallguard();
  }, E2E_SETUP_TIMEOUT_MS);

  afterEach(async () => {
    // Every call-related line of the service carries the channel id.
    for (const line of logs.lines()) {
      if (line.route !== undefined) expect(line.channel).toEqual(expect.any(String));
    }
  });

  afterAll(async () => {
    await service?.stop();
    observer?.close();
    await redis?.quit().catch(() => redis.disconnect());
    await redisServer?.stop();
    await asterisk?.stop();
  });

  /** The lists and the route every test may count on; the outage test puts them back into its empty Redis. */
  async function seed(): Promise<void> {
    const lists = new ListStore(redis, namespace);
    const actor = { by: 'e2e', reason: 'harassing calls' };
    await lists.createList('dnc', actor);
    await lists.createList('vip', actor);
    await lists.add('dnc', [{ member: BLOCKED }, { member: VIP }, { member: CANCELLED }], actor);
    await lists.add('vip', [{ member: VIP }], actor);
    await setRoute('support', {});
  }

  const testClient = (): Redis => stoppableRedisClient(redisServer.url);

  async function startCallguard(): Promise<RunningService> {
    // Generous deadline: these tests prove where calls go, not speed, on a machine that may be busy.
    return startServeFor(asterisk, `redis://127.0.0.1:${redisPort}`, namespace, logs.log, { deadlineMs: '1000' });
  }

  async function setRoute(name: string, changes: Partial<Route>): Promise<void> {
    const base = newRoute(name);
    await new RouteStore(redis, namespace).set({
      ...base,
      block: ['dnc'],
      allow: ['vip'],
      vipPriority: 10,
      ...changes,
      actions: { ...base.actions, ...changes.actions },
    });
  }

  /** Runs `callguard ...` in-process against this test's Redis and namespace. */
  async function cli(...args: string[]): Promise<void> {
    const output: string[] = [];
    const io = { out: (text: string) => void output.push(text), err: (text: string) => void output.push(text) };
    const code = await runCli(['node', 'callguard', '--redis', redisServer.url, '--namespace', namespace, ...args], io);
    if (code !== 0) throw new Error(`callguard ${args.join(' ')} exited ${code}: ${output.join('\n')}`);
  }

  function call(from: string, route: string, extra: Partial<CallParams> = {}) {
    return placeCall({ from, route, to: DIALLED, target: asterisk.sipTarget, ...extra });
  }

  /** The newest call-log entry for a caller (the log is written right after the action). */
  const logged = (raw: string): Promise<LoggedCall> => loggedCall(redis, namespace, raw);

  /** The dialplan contexts a channel went through after callguard let it go. */
  const contextsOf = (channelId: string): string[] => contextsSeen(observer, channelId);

  function variableSet(channelId: string, name: string): string | undefined {
    const event = observer.events.find(
      (candidate) =>
        candidate.type === 'ChannelVarset' &&
        candidate.channel?.id === channelId &&
        (candidate as AriEvent & { variable?: string }).variable === name,
    ) as (AriEvent & { value?: string }) | undefined;
    return event?.value;
  }

  it('a blocked caller gets SIP 403 (cause 21)', async () => {
    expect(await call(BLOCKED, 'support')).toEqual({ status: 403, answered: false });
    expect(await logged(BLOCKED)).toMatchObject({ verdict: 'blocked', list: 'dnc', action: 'hangup:21', route: 'support' });
  });

  it('a route that says busy gives a blocked caller SIP 486', async () => {
    await setRoute('busy', { actions: { ...newRoute('x').actions, blocked: { type: 'hangup', cause: 17 } } });
    const from = '+4930123456789';
    await new ListStore(redis, namespace).add('dnc', [{ member: from }], { by: 'e2e' });
    expect((await call(from, 'busy')).status).toBe(486);
  });

  it('a route named with a hyphen screens the call by that route', async () => {
    await setRoute('front-desk', { actions: { ...newRoute('x').actions, blocked: { type: 'hangup', cause: 17 } } });
    const from = '+4930123456780';
    await new ListStore(redis, namespace).add('dnc', [{ member: from }], { by: 'e2e' });
    expect((await call(from, 'front-desk')).status).toBe(486);
    expect(await logged(from)).toMatchObject({ verdict: 'blocked', route: 'front-desk', action: 'hangup:17' });
  });

  it('a VIP who is also on a block list reaches the queue with CALLGUARD_QUEUE_PRIORITY set', async () => {
    const outcome = await call(VIP, 'support');
    const entry = await logged(VIP);
    expect(entry).toMatchObject({ verdict: 'allowed', list: 'vip' });
    expect(outcome.status).toBe(200);
    expect(contextsOf(entry.channel)).toContain('queues');
    expect(variableSet(entry.channel, 'CALLGUARD_QUEUE_PRIORITY')).toBe('10');
  });

  it('a clear caller reaches the queue', async () => {
    const from = '+493055555555';
    expect((await call(from, 'support')).status).toBe(200);
    const entry = await logged(from);
    expect(entry.verdict).toBe('clear');
    expect(contextsOf(entry.channel)).toContain('queues');
    expect(variableSet(entry.channel, 'CALLGUARD_VERDICT')).toBe('clear');
  });

  it('an anonymous caller goes to the hidden branch', async () => {
    await call('anonymous', 'support', { displayName: 'Anonymous', fromHost: 'anonymous.invalid' });
    const entry = await logged('anonymous');
    expect(entry.verdict).toBe('hidden');
    expect(contextsOf(entry.channel)).toContain('anonymous');
  });

  it('a garbage caller number goes to the malformed branch', async () => {
    await setRoute('garbage', { actions: { ...newRoute('x').actions, malformed: { type: 'hangup', cause: 17 } } });
    expect((await call('abc', 'garbage')).status).toBe(486);
    expect((await logged('abc')).verdict).toBe('malformed');
  });

  it('Privacy: id with a blocked asserted number is blocked by default', async () => {
    const outcome = await call('anonymous', 'support', {
      displayName: 'Anonymous',
      fromHost: 'anonymous.invalid',
      privacyId: true,
      pAssertedIdentity: BLOCKED,
    });
    expect(outcome.status).toBe(403);
    // The call log takes the entry within CALL_LOG_COALESCE_MS of the call's end.
    await expect
      .poll(async () => (await readCallLog(redis, namespace, { limit: 1000 })).entries.find((entry) => entry.raw === BLOCKED && entry.presentation?.startsWith('prohib')))
      .toMatchObject({ verdict: 'blocked' });
  });

  it('Privacy: id with a blocked asserted number is hidden when the route says so', async () => {
    await setRoute('discreet', {
      withheld: 'hidden',
      actions: { ...newRoute('x').actions, hidden: { type: 'hangup', cause: 17 } },
    });
    const outcome = await call('anonymous', 'discreet', {
      displayName: 'Anonymous',
      fromHost: 'anonymous.invalid',
      privacyId: true,
      pAssertedIdentity: BLOCKED,
    });
    expect(outcome.status).toBe(486);
  });

  it('a route that does not exist sends the call to the dialplan fallback and logs an error', async () => {
    const from = '+493066666666';
    expect((await call(from, 'no-such-route')).status).toBe(200);
    const entry = await logged(from);
    expect(entry).toMatchObject({ verdict: 'unavailable', action: 'fallback' });
    expect(contextsOf(entry.channel)).toEqual(expect.arrayContaining(['screen', 'queues']));
    expect(logs.lines().find((line) => line.level === 50 && line.channel === entry.channel)).toBeDefined();
  });

  it('a number added with --for 3s is blocked, then clear once it expired', async () => {
    await cli('add', TIMED, '--list', 'dnc', '--for', '3s', '--reason', 'cooling off');
    // Taken once the add has returned, so it is never before the expiry the add computed.
    const expiresAt = Date.now() + 3_000;
    expect((await call(TIMED, 'support')).status).toBe(403);
    await expect.poll(() => Date.now() > expiresAt + 100, { timeout: 6_000, interval: 100 }).toBe(true);
    expect((await call(TIMED, 'support')).status).toBe(200);
  });

  it('a number cancelled with the CLI is clear at the next call', async () => {
    expect((await call(CANCELLED, 'support')).status).toBe(403);
    await cli('cancel', CANCELLED, '--list', 'dnc', '--reason', 'customer asked');
    expect((await call(CANCELLED, 'support')).status).toBe(200);
  });

  it('a route changed with the CLI while the service runs applies to the next call', async () => {
    await cli('route', 'set', 'changing', '--block', 'dnc', '--on-blocked', 'hangup:21');
    expect((await call(BLOCKED, 'changing')).status).toBe(403);
    await cli('route', 'set', 'changing', '--on-blocked', 'hangup:busy');
    expect((await call(BLOCKED, 'changing')).status).toBe(486);
  });

  it('with Redis stopped a call gets the route unavailable action, and callguard recovers when Redis is back', async () => {
    await setRoute('outage', { actions: { ...newRoute('x').actions, unavailable: QUEUE } });
    expect((await call(BLOCKED, 'outage')).status).toBe(403);
    await redisServer.stop();
    try {
      expect((await call(BLOCKED, 'outage')).status).toBe(200);
      expect(service?.readiness().ready).toBe(false);
    } finally {
      redisServer = await startRedisServer(redisPort);
    }
    redis.disconnect();
    redis = testClient();
    // The fresh Redis is empty: put the routes and the lists back, as a restored Redis
    // would have them (the other tests, in any order, count on them). Until then serve
    // is rightly not ready: its lists vanished.
    await setRoute('outage', { actions: { ...newRoute('x').actions, unavailable: QUEUE } });
    await seed();
    await expect.poll(() => service?.readiness().ready, { timeout: 10_000 }).toBe(true);
    expect((await call(BLOCKED, 'outage')).status).toBe(403);
  });

  it('with callguard stopped the dialplan fallback still reaches the queue', async () => {
    await service?.stop();
    service = undefined;
    try {
      const from = '+493077777777';
      const outcome = await call(from, 'support');
      expect(outcome.status).toBe(200);
      const start = observer.events.find(
        (event) => event.type === 'ChannelDialplan' && event.channel?.caller.number === from && event.channel.dialplan?.context === 'queues',
      );
      expect(start).toBeDefined();
    } finally {
      // The tests after this one, in any order, need callguard running.
      service = await startCallguard();
    }
  });
});

import type { RedisClient } from '../../src/redis/connect.js';
import { standaloneTarget } from '../helpers/redis.js';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleInbound, inboundCallLogEntry, PRESENTATION_VARIABLE } from '../../src/calls/inbound.js';
import { ListStore } from '../../src/lists/store.js';
import { readCallLog } from '../../src/screening/call-log.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { CallLogWriter } from '../../src/service/call-log-writer.js';
import { ServiceMetrics } from '../../src/service/metrics.js';
import { createServiceRedis, REDIS_COMMAND_TIMEOUT_MS } from '../../src/redis/process-connection.js';
import { FakeCallControl } from '../calls/fake-call-control.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

const BLOCKED = '+493012345678';
const QUEUE = { type: 'continue', context: 'queues', extension: 'support', priority: 1 } as const;
/** Far more calls than a phase needs. */
const MAX_CALLS_A_PHASE = 200;
const KEPT = 'call log: Redis does not take entries; keeping them until it does';

/**
 * Calls screened the way serve screens them (handleInbound, the fake call control in
 * place of Asterisk) against a real Redis that goes away or stalls in the middle: the
 * call log must afterwards hold every call, each once, in the order they were screened.
 */
describe('call-log entries of calls screened during a Redis outage', () => {
  let server: RunningRedis;
  let redis: RedisClient;
  let writer: CallLogWriter;
  const namespace = testNamespace();
  const logs = capturedLogger();
  const calls = new FakeCallControl();
  const screened: { channel: string; verdict: string }[] = [];

  beforeAll(async () => {
    // Persistent, as production Redis is: a restart is an outage, not a loss of the lists.
    server = await startRedisServer(undefined, ['--appendonly', 'yes', '--appendfsync', 'always']);
    redis = createServiceRedis(standaloneTarget(server.url), logs.log);
    await new Promise((resolve) => redis.once('ready', resolve));
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'test' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'test' });
    const base = newRoute('support');
    await new RouteStore(redis, namespace).set({ ...base, block: ['dnc'], region: 'DE', actions: { ...base.actions, unavailable: QUEUE } });
    writer = new CallLogWriter({ redis, namespace, log: logs.log, metrics: new ServiceMetrics() });
  });

  afterAll(async () => {
    await writer?.close();
    redis?.disconnect();
    await server?.stop();
  });

  const routes = () => new RouteStore(redis, namespace);
  const lists = () => new ListStore(redis, namespace);

  /** One call from the blocked caller, screened and logged as serve does it. */
  async function call(): Promise<string> {
    const channel = calls.addChannel({ [PRESENTATION_VARIABLE]: 'allowed_not_screened' });
    const outcome = await handleInbound(
      { channelId: channel, callerNumber: BLOCKED, routeName: 'support' },
      {
        calls,
        routes: routes(),
        check: (e164, names) => lists().checkEach(e164, names),
        settings: { deadlineMs: 150, defaultRegion: 'DE', unknownRouteAction: { type: 'fallback' } },
        log: logs.log,
      },
    );
    writer.append(inboundCallLogEntry(outcome));
    screened.push({ channel, verdict: outcome.verdict });
    return outcome.verdict;
  }

  /**
   * Calls one after another until `done` says enough; a bound, so a broken run fails
   * instead of spinning. Each call yields to the event loop first: while Redis is down a
   * call fails within microtasks, and a loop of them alone would starve the timers that
   * reconnect Redis (serve's calls arrive as websocket events, which never do).
   */
  async function callUntil(what: string, done: (verdict: string) => boolean): Promise<void> {
    for (let count = 0; count < MAX_CALLS_A_PHASE; count += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done(await call())) return;
    }
    throw new Error(`${MAX_CALLS_A_PHASE} calls and still not ${what}: ${JSON.stringify(screened.slice(-5))}`);
  }

  async function loggedInOrder(): Promise<{ channel: string; verdict: string }[]> {
    return (await readCallLog(redis, namespace, { limit: 10_000 })).entries.map(({ channel, verdict }) => ({ channel, verdict })).reverse();
  }

  it('Redis killed while calls come in: every fail-open call reaches the log afterwards, once, in order', async () => {
    await callUntil('3 calls', () => screened.length >= 3);
    await server.kill();
    let unavailable = 0;
    await callUntil('10 unavailable', (verdict) => (unavailable += verdict === 'unavailable' ? 1 : 0) >= 10);
    await server.restart();
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    let blockedAgain = 0;
    await callUntil('blocked again', (verdict) => (blockedAgain += verdict === 'blocked' ? 1 : 0) >= 3);

    await expect.poll(() => writer.pending, { timeout: 10_000 }).toBe(0);
    expect(await loggedInOrder()).toEqual(screened);
    expect(screened.filter((call) => call.verdict === 'unavailable').length).toBeGreaterThanOrEqual(10);
  });

  it(`Redis stalled past the ${REDIS_COMMAND_TIMEOUT_MS} ms command timeout: writes Redis ran late are not written twice`, async () => {
    const before = screened.length;
    server.pause();
    try {
      // Calls go on (unavailable at their deadline) until a write of the log timed out.
      await callUntil('a write of the log timed out', () => logs.lines().filter((line) => line.msg === KEPT).length >= 2);
    } finally {
      server.resume();
    }
    await callUntil('20 calls', () => screened.length >= before + 20);
    await expect.poll(() => writer.pending, { timeout: 10_000 }).toBe(0);
    const logged = await loggedInOrder();
    expect(logged).toEqual(screened);
    expect(new Set(logged.map((entry) => entry.channel)).size).toBe(logged.length);
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { readCallLog } from '../../src/screening/call-log.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const BLOCKED = '+493012345678';
const DIALLED = '+4930555000';
const QUEUE = { type: 'continue', context: 'queues', extension: 'support', priority: 1 } as const;
const PROBE_DEADLINE_MS = 300;
const WATCH_INTERVAL_MS = 200;

/**
 * `serve` (in-process) against the sandbox Asterisk with real SIP calls, and a Redis of
 * its own that the tests break: keys deleted or flushed under it, stalled with SIGSTOP,
 * killed while calls come in. The Redis keeps an append-only file, as a production
 * Redis does, so a restart is an outage and not the loss of every list.
 */
describe.skipIf(!availability.run)('serve when Redis loses keys, stalls or goes away', () => {
  let asterisk: E2eAsterisk;
  let server: RunningRedis;
  let redis: Redis;
  let service: RunningService;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    [asterisk, server] = await Promise.all([
      useAsterisk(),
      startRedisServer(undefined, ['--appendonly', 'yes', '--appendfsync', 'always']),
    ]);
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    // These tests stop Redis on purpose; the test's own client sees refused reconnects.
    redis.on('error', () => undefined);
    await setUpLists();
    service = await startServeFor(asterisk, server.url, namespace, logs.log, {
      deadlineMs: '1000',
      redisProbeMs: String(PROBE_DEADLINE_MS),
      redisWatchMs: String(WATCH_INTERVAL_MS),
    });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    redis?.disconnect();
    await server?.stop();
    await asterisk?.stop();
  });

  async function setUpLists(): Promise<void> {
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'chaos' });
    await lists.add('dnc', [{ member: BLOCKED }, { member: '+493011111111' }], { by: 'chaos', reason: 'harassing calls' });
    const base = newRoute('support');
    await new RouteStore(redis, namespace).set({ ...base, block: ['dnc'], actions: { ...base.actions, unavailable: QUEUE } });
  }

  async function readyz(): Promise<{ status: number; body: { ready: boolean; detail: Record<string, string> } }> {
    const response = await fetch(`http://${service.health.host}:${service.health.port}/readyz`);
    return { status: response.status, body: (await response.json()) as { ready: boolean; detail: Record<string, string> } };
  }

  async function metrics(): Promise<string> {
    return (await fetch(`http://${service.health.host}:${service.health.port}/metrics`)).text();
  }

  function call(from: string) {
    return placeCall({ from, route: 'support', to: DIALLED, target: asterisk.sipTarget });
  }

  it('a DEL of a list\'s keys: not ready, the alarm in /readyz, the metric and the log; its caller is unavailable, not clear; recount ends it', async () => {
    await expect.poll(() => service.readiness().ready, { timeout: 10_000 }).toBe(true);
    await redis.del(listKeys(namespace, 'dnc').exact);

    await expect.poll(async () => (await readyz()).status, { timeout: 10_000 }).toBe(503);
    expect((await readyz()).body.detail).toMatchObject({ redis: 'ready', lists: 'dnc: entries-lost' });
    expect(await metrics()).toMatch(/callguard_list_alarm\{list="dnc",kind="entries-lost"\} 1/);
    expect(logs.lines().find((line) => line.msg === 'list lost entries: its keys hold fewer members than its size')).toMatchObject({
      level: 50,
      list: 'dnc',
      recordedSize: 2,
      entries: 0,
    });

    // The number is gone from Redis: without the kept size this caller would read clear.
    expect((await call(BLOCKED)).status).toBe(200);
    await expect
      .poll(async () => (await readCallLog(redis, namespace, { limit: 1 })).entries[0], { timeout: 5_000 })
      .toMatchObject({ raw: BLOCKED, verdict: 'unavailable', reason: expect.stringContaining('list dnc lost entries') });

    const io = { out: () => undefined, err: () => undefined };
    expect(await runCli(['node', 'callguard', '--redis', server.url, '--namespace', namespace, 'list', 'recount', 'dnc', '--reason', 'chaos test'], io)).toBe(0);
    await expect.poll(() => service.readiness().ready, { timeout: 10_000 }).toBe(true);
    expect(await metrics()).not.toMatch(/callguard_list_alarm\{list="dnc"/);
  });

  it('FLUSHALL under a running serve: the list vanished, not ready until it is back', async () => {
    await redis.flushall();
    await expect.poll(() => service.readiness().detail.lists, { timeout: 10_000 }).toBe('dnc: vanished');
    expect(service.readiness().ready).toBe(false);
    expect(logs.lines().some((line) => line.msg === 'list vanished: its keys are gone without a list rm' && line.list === 'dnc')).toBe(true);

    await setUpLists();
    await expect.poll(() => service.readiness().ready, { timeout: 10_000 }).toBe(true);
    expect((await call(BLOCKED)).status).toBe(403);
  });

  it('Redis stalled (SIGSTOP): 503 and callguard_redis_connected 0 within the probe deadline, 200 after SIGCONT', async () => {
    await expect.poll(() => service.readiness().ready, { timeout: 10_000 }).toBe(true);
    server.pause();
    try {
      await expect.poll(async () => (await readyz()).body.detail.redis, { timeout: 10 * PROBE_DEADLINE_MS, interval: 50 }).toBe('stalled');
      expect((await readyz()).status).toBe(503);
      expect(await metrics()).toMatch(/^callguard_redis_connected 0$/m);
    } finally {
      server.resume();
    }
    await expect.poll(async () => (await readyz()).status, { timeout: 10_000 }).toBe(200);
    expect(await metrics()).toMatch(/^callguard_redis_connected 1$/m);
  });

  it('Redis killed while SIP calls come in: every call is in the call log afterwards, once, in order', async () => {
    const callers = Array.from({ length: 5 }, (_, i) => `+4930200000${i}`);
    expect((await call(callers[0] as string)).status).toBe(200);
    await server.kill();
    for (const caller of callers.slice(1, 4)) expect((await call(caller)).status).toBe(200);
    await server.restart();
    await expect.poll(() => service.readiness().ready, { timeout: 15_000 }).toBe(true);
    for (const caller of callers.slice(4)) expect((await call(caller)).status).toBe(200);

    await expect.poll(async () => /^callguard_call_log_pending 0$/m.test(await metrics()), { timeout: 10_000 }).toBe(true);
    const logged = (await readCallLog(redis, namespace, { limit: 1000 })).entries
      .filter((entry) => callers.includes(entry.raw))
      .reverse();
    expect(logged.map((entry) => entry.raw)).toEqual(callers);
    expect(logged.slice(1, 4).map((entry) => entry.verdict)).toEqual(['unavailable', 'unavailable', 'unavailable']);
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARI_DOWN_LOG_INTERVAL_MS } from '../../src/calls/ari-connection.js';
import { parseServeConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { freeUdpPort, sandboxUnavailableReason, startAsterisk, type RunningAsterisk } from '../helpers/asterisk-sandbox.js';
import { E2E_SETUP_TIMEOUT_MS } from '../helpers/asterisk.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { freePort } from '../helpers/redis-server.js';
import { placeCall } from '../helpers/sipp.js';

// Restarting Asterisk on the same ports needs the sandbox (an ASTERISK_ARI_URL instance cannot be restarted here).
const unavailable = await sandboxUnavailableReason();
const BLOCKED = '+493012345678';

describe.skipIf(unavailable !== undefined)('callguard and an Asterisk restart', () => {
  let asterisk: RunningAsterisk;
  let ports: { httpPort: number; sipPort: number; farEndPort: number };
  let redis: Redis;
  let service: RunningService;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    ports = { httpPort: await freePort(), sipPort: await freeUdpPort(), farEndPort: await freeUdpPort() };
    asterisk = await startAsterisk(ports);
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'e2e' });
    await new RouteStore(redis, namespace).set({ ...newRoute('support'), block: ['dnc'] });
    service = await startServeFor(asterisk, redisUrl(), namespace, logs.log, { deadlineMs: '1000' });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  it('reconnects by itself when Asterisk comes back, and screens the next call', async () => {
    const target = `${asterisk.sipHost}:${asterisk.sipPort}`;
    expect((await placeCall({ from: BLOCKED, route: 'support', to: '+4930555000', target })).status).toBe(403);
    await asterisk.stop();
    await expect.poll(() => service.readiness().detail.ari, { timeout: 10_000 }).not.toBe('connected');
    asterisk = await startAsterisk(ports);
    await expect.poll(() => service.readiness().ready, { timeout: 60_000, interval: 200 }).toBe(true);
    expect((await placeCall({ from: BLOCKED, route: 'support', to: '+4930555000', target })).status).toBe(403);
  }, 120_000);

  it('after an outage of 50 s it still comes back by itself, warning every 10 s rather than at every probe', async () => {
    const target = `${asterisk.sipHost}:${asterisk.sipPort}`;
    const lostAt = Date.now();
    await asterisk.stop();
    await expect.poll(() => service.readiness().detail.ari, { timeout: 10_000 }).not.toBe('connected');
    // Longer than ari-client, which callguard used before, retried for (about 45 s) before it gave up.
    const gaveUpBy = lostAt + 50_000;
    await expect.poll(() => Date.now() > gaveUpBy, { timeout: 55_000, interval: 1_000 }).toBe(true);
    const warnings = logs.lines().filter((line) => line.msg === 'ARI not reachable, retrying' && Number(line.time) >= lostAt);
    expect(warnings.length).toBeGreaterThanOrEqual(Math.floor(50_000 / ARI_DOWN_LOG_INTERVAL_MS));
    expect(warnings.length).toBeLessThanOrEqual(Math.ceil(50_000 / ARI_DOWN_LOG_INTERVAL_MS) + 1);
    asterisk = await startAsterisk(ports);
    await expect.poll(() => service.readiness().ready, { timeout: 30_000, interval: 200 }).toBe(true);
    expect((await placeCall({ from: BLOCKED, route: 'support', to: '+4930555000', target })).status).toBe(403);
  }, 150_000);

  it('started before Asterisk, it keeps trying and screens calls once Asterisk is up', async () => {
    const later = { httpPort: await freePort(), sipPort: await freeUdpPort(), farEndPort: await freeUdpPort() };
    const early = await startService(
      parseServeConfig({
        ariUrl: `http://127.0.0.1:${later.httpPort}`,
        ariUsername: asterisk.ariUser,
        ariPassword: asterisk.ariPassword,
        redisUrl: redisUrl(),
        namespace,
        region: 'DE',
        health: '127.0.0.1:0',
        deadlineMs: '1000',
      }),
      createLogger({ level: 'silent' }),
    );
    let second: RunningAsterisk | undefined;
    try {
      expect(early.readiness()).toMatchObject({ ready: false, detail: { ari: 'connecting' } });
      second = await startAsterisk(later);
      await expect.poll(() => early.readiness().ready, { timeout: 30_000, interval: 200 }).toBe(true);
      const target = `${second.sipHost}:${second.sipPort}`;
      expect((await placeCall({ from: BLOCKED, route: 'support', to: '+4930555000', target })).status).toBe(403);
    } finally {
      await early.stop();
      await second?.stop();
    }
  }, 120_000);
});

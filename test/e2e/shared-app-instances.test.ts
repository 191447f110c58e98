import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/config.js';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { placeCall } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const BLOCKED = '+493012345678';

/** Measured on the sandbox's Asterisk 22 in about 1 s (one standby poll); ample room for a loaded machine. */
const TAKEOVER_BOUND_MS = 10_000;

/**
 * Inbound calls enter the dialplan's shared app, `callguard`, which every serve instance
 * registers. Asterisk 22 sends an app's events to the websocket that registered it last,
 * and when that websocket closes the app is gone for the others too. An earlier instance
 * is told so (ApplicationReplaced), stands by, and registers the app again once it is
 * gone: a hot standby for inbound calls. This pins down what docs/serve.md tells operators.
 */
describe.skipIf(!availability.run)('two serve instances and the shared Stasis app', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  const namespace = testNamespace();
  const logs = [capturedLogger(), capturedLogger()];
  const services: RunningService[] = [];
  const stopped = new Set<RunningService>();

  beforeAll(async () => {
    asterisk = await useAsterisk();
    redis = testRedis();
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'e2e' });
    await new RouteStore(redis, namespace).set({ ...newRoute('support'), block: ['dnc'] });
    for (const log of logs) {
      const config = parseServeConfig({
        ariUrl: asterisk.ariUrl,
        ariUsername: asterisk.ariUser,
        ariPassword: asterisk.ariPassword,
        redisUrl: redisUrl(),
        namespace,
        region: 'DE',
        health: '127.0.0.1:0',
      });
      const service = await startService(config, log.log);
      await service.ready();
      services.push(service);
    }
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const service of services) if (!stopped.has(service)) await service.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  const screenedBy = (index: number): number => logs[index]?.lines().filter((line) => line.msg === 'call screened').length ?? 0;
  const standingBy = 'another instance registered the shared app: standing by to take it over';
  const blockedCall = () => placeCall({ from: BLOCKED, route: 'support', to: '+4930555000', target: asterisk.sipTarget });

  it('the instance that connected last screens the calls; once it stops, the standby takes over and screens the next call', async () => {
    const first = services[0] as RunningService;
    const last = services[1] as RunningService;
    await expect.poll(() => first.readiness().detail.ari).toBe('standby');
    expect(first.readiness().ready).toBe(true);
    expect(last.readiness().detail.ari).toBe('connected');
    expect((await blockedCall()).status).toBe(403);
    expect([screenedBy(0), screenedBy(1)]).toEqual([0, 1]);

    stopped.add(last);
    await last.stop();
    const stoppedAt = Date.now();
    await expect.poll(() => first.readiness().detail.ari, { timeout: TAKEOVER_BOUND_MS }).toBe('connected');
    console.info(`standby took the shared app over ${Date.now() - stoppedAt} ms after the other instance stopped`);
    expect((await blockedCall()).status).toBe(403);
    expect([screenedBy(0), screenedBy(1)]).toEqual([1, 1]);
    expect(logs[0]?.lines().filter((line) => line.msg === standingBy)).toHaveLength(1);
  });
});

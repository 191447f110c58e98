import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRest } from '../../src/calls/ari-rest.js';
import { parseServeConfig } from '../../src/config.js';
import { readCallLog } from '../../src/screening/call-log.js';
import { startService, type RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { caller, channelsInStasis, screenedStatus, seedSupportRoute } from '../helpers/chaos.js';
import { testNamespace } from '../helpers/redis.js';
import { placeCall, type CallOutcome } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const CALLS = 4;

/**
 * An instance that starts takes the shared app (Asterisk gives it to the last websocket
 * to register) and sweeps it: it finds the calls the previous holder, alive, is still
 * deciding. It must ask before it adopts; deciding them too would act on each call
 * twice and log it twice.
 */
describe.skipIf(!availability.run)('a new instance and the calls a live instance is deciding', () => {
  let asterisk: E2eAsterisk;
  let redisServer: RunningRedis;
  let redis: Redis;
  let rest: AriRest;
  const namespace = testNamespace();
  const services: RunningService[] = [];
  const logs = [capturedLogger(), capturedLogger()];

  beforeAll(async () => {
    asterisk = await useAsterisk();
    rest = new AriRest({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword });
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    await seedSupportRoute(redis, namespace);
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    redisServer?.resume();
    for (const service of services) await service.stop();
    rest?.close();
    await redis?.quit();
    await redisServer?.stop();
    await asterisk?.stop();
  });

  const start = (index: number): Promise<RunningService> =>
    startService(
      parseServeConfig({
        ariUrl: asterisk.ariUrl,
        ariUsername: asterisk.ariUser,
        ariPassword: asterisk.ariPassword,
        redisUrl: redisServer.url,
        namespace,
        region: 'DE',
        health: '127.0.0.1:0',
        deadlineMs: '10000',
      }),
      (logs[index] as ReturnType<typeof capturedLogger>).log,
    ).then((service) => {
      services.push(service);
      return service;
    });

  it('leaves them to that instance, which decides each one once', async () => {
    const first = await start(0);
    await first.ready();
    redisServer.pause();
    const numbers = Array.from({ length: CALLS }, (_, index) => caller(index));
    const calls: Promise<CallOutcome>[] = numbers.map((from) => placeCall({ from, route: 'support', to: '+4930555000', target: asterisk.sipTarget }));
    await expect.poll(() => channelsInStasis(rest), { timeout: 20_000, interval: 25 }).toBe(CALLS);

    // Not awaited: with Redis stalled, start() resolves only once it gave up waiting to
    // read Redis' eviction policy (seconds), while the instance screens from the moment
    // its websocket is up, and the calls must still be undecided when it looks.
    const second = start(1);
    await expect.poll(() => logs[1]?.lines().some((line) => line.msg === 'ARI connected'), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => first.readiness().detail.ari, { timeout: 20_000 }).toBe('standby');
    const leftToTheFirst = (): unknown =>
      logs[1]?.lines().find((line) => line.msg === 'channels in the Stasis app that other instances handle, left to them')?.channels;
    // Asked past the grace in which a StasisStart could still be on its way, and told no.
    await expect.poll(leftToTheFirst, { timeout: 20_000, interval: 25 }).toBe(CALLS);
    redisServer.resume();

    const outcomes = await Promise.all(calls);
    expect((await second).readiness().detail.ari).toBe('connected');
    expect(outcomes.map((outcome) => outcome.status)).toEqual(numbers.map(screenedStatus));
    expect(logs[1]?.lines().filter((line) => line.msg === 'channel left in the Stasis app adopted')).toEqual([]);
    // The call log takes the entries within CALL_LOG_COALESCE_MS of the calls' end.
    await expect.poll(async () => (await readCallLog(redis, namespace, { limit: 100 })).entries.map((entry) => entry.raw).sort()).toEqual([...numbers].sort());
  }, 120_000);
});

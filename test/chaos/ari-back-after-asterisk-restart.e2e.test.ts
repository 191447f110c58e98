import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { freeUdpPort, sandboxUnavailableReason, startAsterisk, type RunningAsterisk } from '../helpers/asterisk-sandbox.js';
import { E2E_SETUP_TIMEOUT_MS } from '../helpers/asterisk.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { freePort } from '../helpers/redis-server.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall } from '../helpers/sipp.js';

// Restarting Asterisk on the same ports needs the sandbox (an ASTERISK_ARI_URL instance cannot be restarted here).
const unavailable = await sandboxUnavailableReason();
if (unavailable !== undefined && process.env.CI === 'true') throw new Error(`the Asterisk sandbox ${unavailable} (CI=true: failing instead of skipping)`);
const BLOCKED = '+493012345678';
/** Issue 9 §5: screening back within 1 s of ARI answering again. */
const BACK_WITHIN_MS = 1_000;
/**
 * Long enough that a growing backoff shows: ari-client's had reached 6.4 s by then and
 * came back 5.1 s after a 15 s outage. With a fixed probe the length does not matter.
 */
const OUTAGE_MS = 6_000;
const POLL_MS = 10;

async function ariAnswers(asterisk: { ariUrl: string; ariUser: string; ariPassword: string }): Promise<boolean> {
  const authorization = `Basic ${Buffer.from(`${asterisk.ariUser}:${asterisk.ariPassword}`).toString('base64')}`;
  try {
    const response = await fetch(`${asterisk.ariUrl}/ari/asterisk/info`, { headers: { authorization }, signal: AbortSignal.timeout(500) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    // Refused while Asterisk is down or starting: the caller asks again.
    return false;
  }
}

describe.skipIf(unavailable !== undefined)('serve and an Asterisk restart', () => {
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
    await lists.createList('dnc', { by: 'chaos' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'chaos' });
    await new RouteStore(redis, namespace).set({ ...newRoute('support'), block: ['dnc'] });
    service = await startServeFor(asterisk, redisUrl(), namespace, logs.log, { deadlineMs: '1000' });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  it('the websocket is back within 1 s of ARI answering again, and the next call is screened', async () => {
    await asterisk.stop();
    await expect.poll(() => service.readiness().detail.ari, { timeout: 10_000 }).not.toBe('connected');
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));

    let answeredAt: number | undefined;
    let connectedAt: number | undefined;
    let watching = true;
    const watch = (async () => {
      while (watching && (answeredAt === undefined || connectedAt === undefined)) {
        if (connectedAt === undefined && service.readiness().detail.ari === 'connected') connectedAt = Date.now();
        if (answeredAt === undefined && (await ariAnswers(asterisk))) answeredAt ??= Date.now();
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    })();
    asterisk = await startAsterisk(ports);
    await expect.poll(() => connectedAt, { timeout: 10_000, interval: 50 }).toBeDefined();
    watching = false;
    await watch;
    expect(answeredAt).toBeDefined();
    const backAfterMs = (connectedAt as number) - (answeredAt as number);
    console.info(`ARI websocket back ${backAfterMs} ms after ARI answered again (outage ${OUTAGE_MS} ms)`);
    expect(backAfterMs).toBeLessThan(BACK_WITHIN_MS);

    const target = `${asterisk.sipHost}:${asterisk.sipPort}`;
    expect((await placeCall({ from: BLOCKED, route: 'support', to: '+4930555000', target })).status).toBe(403);
    // One warning at the loss, not one per probe: the log stays readable through an outage.
    const unreachable = logs.lines().filter((line) => line.msg === 'ARI not reachable, retrying');
    expect(unreachable.length).toBeGreaterThan(0);
    expect(unreachable.length).toBeLessThanOrEqual(2);
  }, 60_000);
});

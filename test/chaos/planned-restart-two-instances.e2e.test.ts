import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCallLog } from '../../src/screening/call-log.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { caller, screenedStatus, seedSupportRoute } from '../helpers/chaos.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall } from '../helpers/sipp.js';

const availability = await e2eAvailability();
/** Callers sipp places at once, each one call after the other: a small, steady load. */
const CALLERS = 3;
/** Calls placed before the restart starts, and after it is over, so both ends see load. */
const CALLS_AROUND = 3;

/**
 * Issue 9 §5: a SIGTERM drain used to hold the shared app for as long as the longest
 * announcement, and every call arriving meanwhile took the dialplan fallback unscreened.
 * With a standby, the stopping instance hands the app over first. Two instances, calls
 * arriving all along, one instance stopped (what SIGTERM runs) and started again: every
 * call is screened once (the call log has each caller, blocked ones are refused), none
 * goes through the fallback (it would let a blocked caller through, and log nothing).
 */
describe.skipIf(!availability.run)('a planned restart of one of two instances under load', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  const namespace = testNamespace();
  const services: RunningService[] = [];
  const logs = [capturedLogger(), capturedLogger(), capturedLogger()];

  beforeAll(async () => {
    asterisk = await useAsterisk();
    redis = testRedis();
    await seedSupportRoute(redis, namespace);
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const service of services) await service.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  const start = async (index: number): Promise<RunningService> => {
    const service = await startServeFor(asterisk, redisUrl(), namespace, (logs[index] as ReturnType<typeof capturedLogger>).log, { deadlineMs: '1000' });
    services.push(service);
    return service;
  };

  it('every call is screened while the instance holding the shared app stops and starts again', async () => {
    const standby = await start(0);
    const holder = await start(1);
    await expect.poll(() => standby.readiness().detail.ari).toBe('standby');

    const placed: { from: string; status: number }[] = [];
    let sequence = 0;
    let loading = true;
    const callOneAfterAnother = async (): Promise<void> => {
      while (loading) {
        sequence += 1;
        const from = caller(sequence);
        const { status } = await placeCall({ from, route: 'support', to: '+4930555000', target: asterisk.sipTarget });
        placed.push({ from, status });
      }
    };
    const load = Promise.all(Array.from({ length: CALLERS }, () => callOneAfterAnother()));
    await expect.poll(() => placed.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(CALLS_AROUND);

    await holder.stop();
    services.splice(services.indexOf(holder), 1);
    await expect.poll(() => standby.readiness().detail.ari, { timeout: 10_000 }).toBe('connected');
    const restarted = await start(2);
    await expect.poll(() => standby.readiness().detail.ari).toBe('standby');
    const afterRestart = placed.length;
    await expect.poll(() => placed.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(afterRestart + CALLS_AROUND);
    loading = false;
    await load;
    expect(restarted.readiness().detail.ari).toBe('connected');

    expect(placed.filter((call) => call.status !== screenedStatus(call.from))).toEqual([]);
    // The call log takes the entries within CALL_LOG_COALESCE_MS of the calls' end.
    await expect.poll(async () => (await readCallLog(redis, namespace, { limit: 1_000 })).entries.map((entry) => entry.raw).sort()).toEqual(placed.map((call) => call.from).sort());
    const handedOver = logs[0]?.lines().filter((line) => line.msg === 'taking the shared app over');
    expect(handedOver?.map((line) => line.reason)).toEqual(['the instance holding it asked, it is stopping']);
    console.info(`${placed.length} calls, all screened, through a planned restart of the instance holding the shared app`);
  }, 120_000);
});

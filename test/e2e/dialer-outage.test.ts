import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import type { AttemptResult } from '../../src/dialer/types.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { startSippUas, type RunningUas } from '../helpers/sipp.js';
import { until } from '../helpers/until.js';

const availability = await e2eAvailability();
/** How far ahead the request is due: time enough to stop Redis before the first attempt. */
const DUE_IN_MS = 1_500;
/** Redis restarts and serve reconnects within seconds; a loaded machine takes longer. */
const WAIT = { timeoutMs: 20_000, pollMs: 50 };
/** A probe of Redis while it is away fails: that is "not yet". */
const orNotYet = <T>(probe: () => Promise<T>) => () => probe().catch(() => undefined);

/**
 * serve's dialer against real Asterisk while its Redis goes away: a request taken into
 * work is not dialled while Redis is down, even once it is due, and is dialled once
 * Redis is back. Redis keeps its data across the restart (append-only file), as a
 * production Redis does.
 */
describe.skipIf(!availability.run)('campaign dialling while Redis is down', () => {
  let asterisk: E2eAsterisk;
  let redisServer: RunningRedis | undefined;
  let redisPort: number;
  let dataDir: string;
  let redis: Redis;
  let service: RunningService | undefined;
  let uas: RunningUas | undefined;
  const namespace = testNamespace();
  const logs = capturedLogger();

  async function startRedis(): Promise<void> {
    redisServer = await startRedisServer(redisPort, ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir]);
  }

  beforeAll(async () => {
    redisPort = await freePort();
    dataDir = await mkdtemp(join(tmpdir(), 'callguard-e2e-outage-'));
    [asterisk] = await Promise.all([useAsterisk(), startRedis()]);
    redis = new Redis(`redis://127.0.0.1:${redisPort}`, { maxRetriesPerRequest: 1 });
    // This test stops Redis on purpose; its own client sees refused reconnects meanwhile.
    redis.on('error', () => undefined);
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges(
        'outage',
        undefined,
        { endpoint: 'PJSIP/${NUMBER}@test-far-end', agent: parseDialplanTarget('announcements,blocked'), region: 'DE' },
        { at: Date.now(), by: 'e2e' },
      ),
    );
    uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    service = await startServeFor(asterisk, `redis://127.0.0.1:${redisPort}`, namespace, logs.log);
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await uas?.stop();
    redis?.disconnect();
    await redisServer?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await asterisk?.stop();
  });

  it('a due request is not dialled while Redis is down, and is dialled once it is back', async () => {
    const queue = new DialQueue(redis, namespace);
    const dueAt = Date.now() + DUE_IN_MS;
    await queue.enqueue({ campaign: 'outage', number: '+4930300001', id: 'outage-1', at: dueAt });
    await until(orNotYet(async () => queue.state('outage-1')), 'the request to be taken into work', WAIT);

    await redisServer?.stop();
    redisServer = undefined;
    await until(
      async () => (Date.now() > dueAt + 1_000 && logs.lines().some((line) => line.msg === 'dialer poll failed') ? true : undefined),
      'the dialer to fail a poll after the request was due',
      WAIT,
    );
    expect(await uas?.invites()).toBe(0);

    await startRedis();
    const result: AttemptResult = await until(
      orNotYet(async () => (await queue.results({ campaign: 'outage', scan: 100 })).find((entry) => entry.request === 'outage-1')),
      'the result once Redis is back',
      WAIT,
    );
    expect(result).toMatchObject({ outcome: 'ANSWERED', attempt: 1 });
    expect(await uas?.invites()).toBe(1);
  });
});

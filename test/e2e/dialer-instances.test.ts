import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import type { AttemptResult } from '../../src/dialer/types.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { startSippUas, type RunningUas } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const REQUESTS = 6;

/**
 * Two serve instances on one Asterisk and one Redis, as a production pair runs: every
 * request is dialled once, by one of them, and answered. (Which instance wins a request
 * is timing; that a channel reports back to the instance that originated it, whichever
 * registered last, is proved deterministically in own-app.test.ts.)
 */
describe.skipIf(!availability.run)('two serve instances share the dial requests', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let uas: RunningUas | undefined;
  const services: RunningService[] = [];
  const namespace = testNamespace();

  beforeAll(async () => {
    asterisk = await useAsterisk();
    redis = testRedis();
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges(
        'shared',
        undefined,
        {
          endpoint: 'PJSIP/${NUMBER}@test-far-end',
          agent: parseDialplanTarget('announcements,blocked'),
          region: 'DE',
          maxConcurrent: 4,
          dialTimeoutMs: 5_000,
          retry: { NO_ANSWER: null, FAILED: null, BUSY: null },
        },
        { at: Date.now(), by: 'e2e' },
      ),
    );
    uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    for (const name of ['one', 'two']) {
      services.push(await startServeFor(asterisk, redisUrl(), namespace, capturedLogger().log.child({ instance: name })));
    }
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await uas?.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  it('every request is dialled exactly once and answered', async () => {
    const queue = new DialQueue(redis, namespace);
    const ids = Array.from({ length: REQUESTS }, (_, index) => `shared-${index}`);
    for (const [index, id] of ids.entries()) {
      await queue.enqueue({ campaign: 'shared', number: `+49304000000${index}`, id });
    }
    const deadline = Date.now() + 30_000;
    let results: AttemptResult[] = [];
    while (results.length < REQUESTS && Date.now() < deadline) {
      results = await queue.results({ campaign: 'shared', scan: 1_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(results.map((result) => result.request).sort()).toEqual([...ids].sort());
    expect(results.every((result) => result.outcome === 'ANSWERED')).toBe(true);
    expect(await uas?.invites()).toBe(REQUESTS);
  });
});

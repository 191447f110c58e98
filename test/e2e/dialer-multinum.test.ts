import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import { ListStore } from '../../src/lists/store.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { startSippUas, type RunningUas } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const MAIN = '+4930700001';
const MOBILE = '+4915170000002';
const OFFICE = '+4940700003';
const POOL = ['+4930900001', '+4930900002'];

/**
 * A person with several numbers (MULTINUM) and a caller id drawn from a list, dialled
 * by serve over ARI into the sandbox Asterisk; a busy sipp far end behind test-far-end.
 * What the far end received (the INVITEs' Request-URI and From) is the proof.
 */
describe.skipIf(!availability.run)('dial requests with alternates and a caller id list over ARI', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let service: RunningService;
  let uas: RunningUas;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    asterisk = await useAsterisk();
    redis = testRedis();
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    await lists.createList('dids', { by: 'e2e' });
    await lists.add('dids', POOL.map((member) => ({ member })), { by: 'e2e' });
    await lists.add('dnc', [{ member: MOBILE }], { by: 'e2e', reason: 'mobile: asked not to be called' });
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges(
        'people',
        undefined,
        {
          block: ['dnc'],
          endpoint: 'PJSIP/${NUMBER}@test-far-end',
          callerIdList: { list: 'dids', order: 'round-robin' },
          agent: parseDialplanTarget('queues,sales,1'),
          region: 'DE',
          dialTimeoutMs: 5_000,
          maxAttempts: 4,
          retry: { BUSY: 0 },
        },
        { at: Date.now(), by: 'e2e' },
      ),
    );
    uas = await startSippUas({ behaviour: 'busy', port: asterisk.farEndPort });
    service = await startServeFor(asterisk, redisUrl(), namespace, logs.log);
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await uas?.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  it('attempts rotate main, alternates; a blocked alternate is passed over; each INVITE presents the next number of the list', async () => {
    await new DialQueue(redis, namespace).enqueue({ campaign: 'people', number: MAIN, alternates: [MOBILE, '040 700003'], id: 'person-1' });
    await expect.poll(() => uas.invites(), { timeout: 30_000, interval: 200 }).toBe(4);
    const calls = (await uas.calls()).sort((a, b) => a.invitedAt - b.invitedAt);
    // Attempt 2 would dial the mobile, which is blocked: the office number instead.
    expect(calls.map((call) => call.user)).toEqual([MAIN, OFFICE, OFFICE, MAIN]);
    expect(calls.map((call) => call.from)).toEqual([POOL[0], POOL[1], POOL[0], POOL[1]]);
    const results = (await new DialQueue(redis, namespace).results({ scan: 100 })).reverse();
    expect(results.map((result) => [result.attempt, result.number, result.main, result.outcome, result.skipped ?? null])).toEqual([
      [1, MAIN, MAIN, 'BUSY', null],
      [2, '040 700003', MAIN, 'BUSY', `${MOBILE} blocked dnc`],
      [3, '040 700003', MAIN, 'BUSY', null],
      [4, MAIN, MAIN, 'BUSY', null],
    ]);
  });
});

import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import type { AttemptResult } from '../../src/dialer/types.js';
import { ListStore } from '../../src/lists/store.js';
import { applyCampaignChanges, parseDialplanTarget, type CampaignChanges } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { startSippUas, type RunningUas, type UasBehaviour } from '../helpers/sipp.js';
import { connectTestAri, type TestAriClient } from './ari-test-client.js';
import { until } from '../helpers/until.js';

const availability = await e2eAvailability();
/** Where answered campaign calls go in these tests: a context added at run time that answers and hangs up. */
const AGENTS = 'cg-agents';

/**
 * Campaign dial requests through `serve` (in-process) against real Asterisk, with sipp
 * as the far end behind the shipped test-far-end trunk. The far end's INVITE count is
 * the proof of what was dialled; the results stream is what the requester sees.
 */
describe.skipIf(!availability.run)('campaign dial requests over ARI', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let observer: TestAriClient;
  let service: RunningService | undefined;
  let uas: RunningUas | undefined;
  let lists: ListStore;
  let queue: DialQueue;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    asterisk = await useAsterisk();
    if (!asterisk.cli) throw new Error('these tests add a dialplan context through the Asterisk CLI (sandbox only)');
    await asterisk.cli(`dialplan add extension s,1,Answer, into ${AGENTS}`);
    await asterisk.cli(`dialplan add extension s,2,Wait,1 into ${AGENTS}`);
    await asterisk.cli(`dialplan add extension s,3,Hangup, into ${AGENTS}`);
    redis = testRedis();
    lists = new ListStore(redis, namespace);
    queue = new DialQueue(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    observer = await connectTestAri(asterisk, 'cg-observer', { subscribeAll: true });
    service = await startServeFor(asterisk, redisUrl(), namespace, logs.log);
  }, E2E_SETUP_TIMEOUT_MS);

  afterEach(async () => {
    await uas?.stop();
    uas = undefined;
  });

  afterAll(async () => {
    await service?.stop();
    observer?.close();
    await redis?.quit();
    await asterisk?.stop();
  });

  async function farEnd(behaviour: UasBehaviour): Promise<RunningUas> {
    uas = await startSippUas({ behaviour, port: asterisk.farEndPort });
    return uas;
  }

  async function campaign(name: string, changes: CampaignChanges = {}): Promise<void> {
    const created = applyCampaignChanges(
      name,
      undefined,
      {
        block: ['dnc'],
        endpoint: 'PJSIP/${NUMBER}@test-far-end',
        callerId: '"Callguard" <+4930555000>',
        agent: parseDialplanTarget(AGENTS),
        region: 'DE',
        dialTimeoutMs: 5_000,
        ...changes,
      },
      { at: Date.now(), by: 'e2e' },
    );
    await new CampaignStore(redis, namespace).set(created);
  }

  /** The request's results, oldest first, once there are `count` of them. */
  async function results(campaignName: string, id: string, count: number, timeoutMs = 20_000): Promise<AttemptResult[]> {
    return until(
      async () => {
        const found = (await queue.results({ campaign: campaignName, scan: 1_000 })).filter((result) => result.request === id).reverse();
        return found.length >= count ? found : undefined;
      },
      `${count} results of request ${id}`,
      { timeoutMs, pollMs: 50 },
    );
  }

  it('a blocked number is never originated: BLACKLISTED with list and reason, and the far end sees no INVITE', async () => {
    const far = await farEnd('answer');
    await campaign('blocked');
    await lists.add('dnc', [{ member: '+4930100001' }], { by: 'e2e', reason: 'asked not to be called' });
    await queue.enqueue({ campaign: 'blocked', number: '030 100001', id: 'blocked-1' });
    const [result] = await results('blocked', 'blocked-1', 1);
    expect(result).toMatchObject({ outcome: 'BLACKLISTED', list: 'dnc', reason: 'asked not to be called', final: true });
    expect(await far.invites()).toBe(0);
  });

  it('a clear number is originated, answered (ANSWERED) and continues at the campaign agent context', async () => {
    const far = await farEnd('answer');
    await campaign('clear');
    await queue.enqueue({ campaign: 'clear', number: '+4930100002', id: 'clear-1', attrs: { crm: '4711' } });
    const [result] = await results('clear', 'clear-1', 1);
    expect(result).toMatchObject({ outcome: 'ANSWERED', e164: '+4930100002', final: true });
    expect(await far.invites()).toBe(1);
    const inAgents = await observer.waitFor(
      (event) => event.channel?.name.startsWith('PJSIP/test-far-end') === true && event.channel.dialplan?.context === AGENTS,
    );
    expect(inAgents.channel?.dialplan?.exten).toBe('s');
  });

  it('a busy far end is BUSY and is dialled again after the retry delay', async () => {
    const far = await farEnd('busy');
    await campaign('busy', { retry: { BUSY: 1_000 }, maxAttempts: 2 });
    await queue.enqueue({ campaign: 'busy', number: '+4930100003', id: 'busy-1' });
    const [first, second] = await results('busy', 'busy-1', 2);
    expect(first).toMatchObject({ outcome: 'BUSY', attempt: 1, final: false });
    expect(second).toMatchObject({ outcome: 'BUSY', attempt: 2, final: true });
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect(await far.invites()).toBe(2);
  });

  it('a far end that rings past the dial timeout is NO_ANSWER', async () => {
    const far = await farEnd('ring-no-answer');
    await campaign('ringing', { dialTimeoutMs: 1_000, retry: { NO_ANSWER: null } });
    await queue.enqueue({ campaign: 'ringing', number: '+4930100004', id: 'ring-1' });
    const [result] = await results('ringing', 'ring-1', 1);
    expect(result).toMatchObject({ outcome: 'NO_ANSWER', final: true });
    expect(await far.invites()).toBe(1);
  });

  it('a number blocked after its first unanswered attempt is BLACKLISTED at the retry and not dialled again', async () => {
    const far = await farEnd('busy');
    await campaign('late-block', { retry: { BUSY: 1_000 }, maxAttempts: 3 });
    await queue.enqueue({ campaign: 'late-block', number: '+4930100005', id: 'late-1' });
    const [first] = await results('late-block', 'late-1', 1);
    expect(first).toMatchObject({ outcome: 'BUSY', final: false });
    await lists.add('dnc', [{ member: '+4930100005' }], { by: 'e2e', reason: 'blocked after the first call' });
    const [, second] = await results('late-block', 'late-1', 2);
    expect(second).toMatchObject({ outcome: 'BLACKLISTED', attempt: 2, list: 'dnc', final: true });
    expect(await far.invites()).toBe(1);
  });
});

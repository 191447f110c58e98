import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRest } from '../../src/calls/ari-rest.js';
import { ListStore } from '../../src/lists/store.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { connectTestAri, type AriEvent, type TestAriClient } from '../e2e/ari-test-client.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { startSippUas, type RunningUas } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const DIALLED = '+4930200009';
/** How long the far end may stay up after the agent hung up; callguard ends it in milliseconds. */
const FAR_END_ENDS_WITHIN_MS = 5_000;

/**
 * An agent talking through a bridge callguard made; then another instance starts and
 * takes the shared app, and with it the agent channel's events (Asterisk sends them to
 * the app's newest websocket). The instance that bridged the call must still see the
 * agent hang up and end the far end, or the callee stays on a silent line.
 * The agent's leg is a Local channel the test hangs up itself, so the takeover surely
 * comes first.
 */
describe.skipIf(!availability.run)('an agent call in conversation while another instance takes the shared app', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let observer: TestAriClient;
  let rest: AriRest;
  let uas: RunningUas;
  const namespace = testNamespace();
  const services: RunningService[] = [];

  beforeAll(async () => {
    asterisk = await useAsterisk();
    if (!asterisk.cli) throw new Error('this test adds a dialplan context through the Asterisk CLI (sandbox only)');
    await asterisk.cli('dialplan add extension hold,1,Answer, into cg-agent-hold');
    await asterisk.cli('dialplan add extension hold,2,Wait,60 into cg-agent-hold');
    redis = testRedis();
    await new ListStore(redis, namespace).createList('dnc', { by: 'chaos' });
    // [outbound] uses the campaign `default` when the agent's endpoint names none.
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges(
        'default',
        undefined,
        { block: ['dnc'], endpoint: 'PJSIP/${NUMBER}@test-far-end', agent: parseDialplanTarget('agents'), region: 'DE', dialTimeoutMs: 5_000 },
        { at: Date.now(), by: 'chaos' },
      ),
    );
    observer = await connectTestAri(asterisk, 'cg-observer', { subscribeAll: true });
    rest = new AriRest({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword });
    uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const service of services) await service.stop();
    await uas?.stop();
    rest?.close();
    observer?.close();
    await redis?.quit();
    await asterisk?.stop();
  });

  const start = async (): Promise<RunningService> => {
    const service = await startServeFor(asterisk, redisUrl(), namespace, capturedLogger().log);
    services.push(service);
    return service;
  };

  it('the instance that bridged it still ends the far end when the agent hangs up', async () => {
    const first = await start();
    const entered = (prefix: string) => (event: AriEvent) => event.type === 'ChannelEnteredBridge' && event.channel?.name.startsWith(prefix) === true;
    // The agent: a Local channel whose ;2 half runs [outbound] into Stasis(callguard,outbound,default).
    const originated = await rest.request('POST', '/channels', {
      endpoint: `Local/${DIALLED}@outbound`,
      context: 'cg-agent-hold',
      extension: 'hold',
      priority: 1,
    });
    expect(originated.status).toBe(200);
    const farEnd = (await observer.waitFor(entered('PJSIP/test-far-end'))).channel?.id;
    const agent = (await observer.waitFor(entered(`Local/${DIALLED}@outbound`))).channel?.id;

    await start();
    await expect.poll(() => first.readiness().detail.ari, { timeout: 10_000 }).toBe('standby');
    await observer.hangup(agent as string, 16);
    const hungUpAt = Date.now();
    await observer.waitFor((event) => event.type === 'ChannelDestroyed' && event.channel?.id === farEnd, FAR_END_ENDS_WITHIN_MS);
    console.info(`far end ended ${Date.now() - hungUpAt} ms after the agent hung up, with the shared app held by another instance`);
  }, 60_000);
});

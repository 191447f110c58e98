import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { readCallLog, type LoggedCall } from '../../src/screening/call-log.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall, startSippUas, type RunningUas, type UasBehaviour } from '../helpers/sipp.js';
import { connectTestAri, type AriEvent, type TestAriClient } from './ari-test-client.js';
import { until } from '../helpers/until.js';

const availability = await e2eAvailability();
// No hyphen: [from-test] reads the header with FILTER(a-z0-9_-,...), which keeps no '-'.
const CAMPAIGN = 'agentse2e';
const AGENT = '+4930555111';
const BLOCKED = '+4930200001';

/**
 * Agents dialling out: sipp places the agent's call through the shipped dialplan
 * ([from-test] -> [outbound] -> Stasis(callguard,outbound,<campaign>)), callguard (serve,
 * in-process) screens the dialled number and originates the far end itself, which is
 * sipp as a UAS behind the shipped test-far-end trunk. The agent's SIP status and the
 * far end's INVITE count are the assertions; an observer app sees every channel.
 */
describe.skipIf(!availability.run)('agents dialling out through the Stasis app', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let observer: TestAriClient;
  let service: RunningService | undefined;
  let uas: RunningUas | undefined;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    asterisk = await useAsterisk();
    redis = testRedis();
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    await lists.add('dnc', [{ member: BLOCKED }], { by: 'e2e', reason: 'asked not to be called' });
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges(
        CAMPAIGN,
        undefined,
        {
          block: ['dnc'],
          endpoint: 'PJSIP/${NUMBER}@test-far-end',
          callerId: '"Callguard" <+4930555000>',
          agent: parseDialplanTarget('agents'),
          region: 'DE',
          dialTimeoutMs: 2_000,
        },
        { at: Date.now(), by: 'e2e' },
      ),
    );
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

  function agentCall(to: string) {
    return placeCall({ from: AGENT, to, campaign: CAMPAIGN, target: asterisk.sipTarget });
  }

  /** The newest call-log entry for a dialled number (written once the outcome is known). */
  async function logged(raw: string): Promise<LoggedCall> {
    return until(
      async () => (await readCallLog(redis, namespace)).entries.find((candidate) => candidate.raw === raw),
      `the call-log entry of ${raw}`,
      { timeoutMs: 10_000, pollMs: 50 },
    );
  }

  const farEndChannel = (type: string) => (event: AriEvent) =>
    event.type === type && event.channel?.name.startsWith('PJSIP/test-far-end') === true;

  it('an agent calling a blocked number gets SIP 403 (cause 21); the far end never sees an INVITE; logged BLACKLISTED', async () => {
    const far = await farEnd('answer');
    const call = await agentCall('030 200001'.replace(' ', ''));
    expect(call.status).toBe(403);
    expect(await far.invites()).toBe(0);
    expect(await logged('030200001')).toMatchObject({
      direction: 'outbound',
      campaign: CAMPAIGN,
      e164: BLOCKED,
      verdict: 'blocked',
      list: 'dnc',
      reason: 'asked not to be called',
      action: 'hangup:21',
    });
  });

  it('an agent calling a clear number is bridged with the far end; the agent hanging up ends the far end too', async () => {
    const far = await farEnd('answer');
    const number = '+4930200002';
    const call = await agentCall(number);
    expect(call).toEqual({ status: 200, answered: true });
    expect(await far.invites()).toBe(1);
    const bridged = await observer.waitFor(
      (event) => event.type === 'ChannelEnteredBridge' && event.channel?.name.startsWith('PJSIP/test-far-end') === true,
    );
    const farEndId = bridged.channel?.id;
    await observer.waitFor((event) => farEndChannel('ChannelDestroyed')(event) && event.channel?.id === farEndId);
    expect(await logged(number)).toMatchObject({ direction: 'outbound', verdict: 'clear', action: 'dial:ANSWERED', e164: number });
  });

  it('the far end hanging up a bridged call ends the agent call', async () => {
    await farEnd('answer');
    const earlier = new Set(observer.events);
    const call = agentCall('+4930200003');
    const entered = (name: string) => (event: AriEvent) =>
      !earlier.has(event) && event.type === 'ChannelEnteredBridge' && event.channel?.name.startsWith(name) === true;
    const bridged = await observer.waitFor(entered('PJSIP/test-far-end'));
    const agentId = (await observer.waitFor(entered('PJSIP/test-caller'))).channel?.id;
    await observer.hangup(bridged.channel?.id ?? '', 16);
    // callguard hangs the agent up through ARI: a soft hangup request, before sipp's own BYE after 1 s.
    const agentHangup = await observer.waitFor((event) => event.type === 'ChannelHangupRequest' && event.channel?.id === agentId);
    expect((agentHangup as AriEvent & { soft?: boolean }).soft).toBe(true);
    expect((await call).status).toBe(200);
  });

  it('an agent whose far end rings past the dial timeout gets SIP 480 (cause 19)', async () => {
    const far = await farEnd('ring-no-answer');
    const call = await agentCall('+4930200005');
    expect(call.status).toBe(480);
    expect(await far.invites()).toBe(1);
    expect(await logged('+4930200005')).toMatchObject({ action: 'dial:NO_ANSWER' });
  });

  it('an agent calling a busy far end hears busy (SIP 486) and is never answered', async () => {
    const far = await farEnd('busy');
    const call = await agentCall('+4930200004');
    expect(call.status).toBe(486);
    expect(await far.invites()).toBe(1);
    expect(await logged('+4930200004')).toMatchObject({ action: 'dial:BUSY' });
  });
});

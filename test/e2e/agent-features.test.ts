import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { readCallLog, type LoggedCall } from '../../src/screening/call-log.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall, startSippUas, type CallParams, type RunningUas } from '../helpers/sipp.js';
import { connectTestAri, type AriEvent, type TestAriClient } from './ari-test-client.js';

const availability = await e2eAvailability();
const DIALLED = '+4930555000';
/** test-far-end is the agent's phone in these tests: a queue member, and a phone Asterisk calls to run a feature code. */
const AGENT = 'PJSIP/test-far-end';
/** The endpoint of every call sipp places: pjsip.conf identifies 127.0.0.1 as test-caller. */
const CALLER_ENDPOINT = 'PJSIP/test-caller';

/**
 * The agents' features on a real Asterisk with the shipped dialplan and features.conf:
 * *9 during a call (RFC 2833 from sipp), *30 / *31 / *32 dialled, each written by serve
 * (FastAGI, in-process) with by = the agent's endpoint. The proof is what the list, the
 * audit and the call log hold afterwards, and the next call from a listed number.
 */
describe.skipIf(!availability.run)("agents' features: *9 in a call, *30 *31 *32", () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let service: RunningService;
  let lists: ListStore;
  let uas: RunningUas | undefined;
  let observer: TestAriClient;
  const namespace = testNamespace();
  const logs = capturedLogger();

  beforeAll(async () => {
    asterisk = await useAsterisk();
    if (!asterisk.cli) throw new Error('these tests add a queue member and point the dialplan at serve: they need the sandbox (its CLI)');
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    const base = newRoute('support');
    await new RouteStore(redis, namespace).set({ ...base, block: ['dnc'] });
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges(
        'agents',
        undefined,
        { block: ['dnc'], endpoint: 'PJSIP/${NUMBER}@test-far-end', agent: parseDialplanTarget('agents'), region: 'DE' },
        { at: Date.now(), by: 'e2e' },
      ),
    );
    service = await startServeFor(asterisk, redisUrl(), namespace, logs.log, {
      deadlineMs: '1000',
      agiListen: '127.0.0.1:0',
      featureCodes: `${AGENT}=30,31,32`,
    });
    const agi = service.agi as { host: string; port: number };
    await asterisk.cli(`dialplan set global CALLGUARD_AGI ${agi.host}:${agi.port}`);
    await asterisk.cli(`queue add member ${AGENT} to support`);
    observer = await connectTestAri(asterisk, 'cg-features-observer', { subscribeAll: true });
  }, E2E_SETUP_TIMEOUT_MS);

  afterEach(async () => {
    await uas?.stop();
    uas = undefined;
  });

  afterAll(async () => {
    observer?.close();
    await service?.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  function call(from: string, extra: Partial<CallParams> = {}) {
    return placeCall({ from, route: 'support', to: DIALLED, target: asterisk.sipTarget, ...extra });
  }

  /**
   * The agent dials a feature code: Asterisk calls the agent's phone (sipp answers) and
   * runs the code in [agents] on that channel, as when the phone dials it.
   */
  async function agentDials(code: string): Promise<string> {
    uas ??= await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    const url = new URL(`${asterisk.ariUrl}/ari/channels`);
    url.search = new URLSearchParams({ endpoint: AGENT, extension: code, context: 'agents', priority: '1' }).toString();
    const auth = Buffer.from(`${asterisk.ariUser}:${asterisk.ariPassword}`).toString('base64');
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Basic ${auth}` } });
    expect(response.status).toBe(200);
    const channelId = ((await response.json()) as { id: string }).id;
    await observer.waitFor((event) => event.type === 'ChannelDestroyed' && event.channel?.id === channelId, 15_000);
    return channelId;
  }

  /** What a channel ran in the dialplan, as App(data). */
  function stepsOf(channelId: string): string[] {
    return observer.events
      .filter((event: AriEvent) => event.type === 'ChannelDialplan' && event.channel?.id === channelId)
      .map((event) => `${event.dialplan_app}(${event.dialplan_app_data})`);
  }

  /** The newest feature entry of the call log for a number. */
  async function featureLogged(e164: string, feature: string): Promise<LoggedCall> {
    let found: LoggedCall | undefined;
    await expect
      .poll(async () => {
        found = (await readCallLog(redis, namespace, { limit: 1000 })).entries.find(
          (entry) => entry.direction === 'feature' && entry.e164 === e164 && entry.feature === feature,
        );
        return found;
      })
      .toBeDefined();
    return found as LoggedCall;
  }

  it('an agent who presses *9 in an inbound call lists the caller with by = the agent, and the next call from it is refused', async () => {
    const customer = '+493012350001';
    uas = await startSippUas({ behaviour: 'answer-press-keys', port: asterisk.farEndPort, keys: '*9' });
    expect((await call(customer, { talk: { keys: '' } })).status).toBe(200);
    const entry = await featureLogged(customer, '*9');
    expect(entry).toMatchObject({ action: 'list:dnc', verdict: 'blocked', endpoint: AGENT, list: 'dnc' });
    const { listed } = await lists.entries(customer);
    expect(listed).toEqual([expect.objectContaining({ list: 'dnc', by: AGENT, reason: 'agent: asked not to be called' })]);
    expect((await lists.history(customer))[0]).toMatchObject({ action: 'add', by: AGENT, details: expect.objectContaining({ source: 'in-call-dtmf' }) });
    expect((await call(customer)).status).toBe(403);
    // The agent heard the beep; it played on the agent's channel, in the feature's subroutine.
    const agentChannel = observer.events.find(
      (event) => event.type === 'ChannelDialplan' && event.channel?.dialplan?.context === 'callguard-block-call' && event.dialplan_app === 'Playback',
    );
    expect(agentChannel?.dialplan_app_data).toBe('beep');
    expect(agentChannel?.channel?.name).toMatch(/^PJSIP\/test-far-end-/);
  });

  it('an agent who presses *9 in an outbound call callguard bridged lists the far end with by = the agent; its next call is refused', async () => {
    const customer = '+493012350006';
    uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    const agentCall = await placeCall({ from: '+493055500001', to: customer, campaign: 'agents', target: asterisk.sipTarget, talk: { keys: '*9' } });
    expect(agentCall.status).toBe(200);
    const entry = await featureLogged(customer, '*9');
    expect(entry).toMatchObject({ action: 'list:dnc', endpoint: CALLER_ENDPOINT });
    expect((await lists.entries(customer)).listed).toEqual([
      expect.objectContaining({ by: CALLER_ENDPOINT, reason: 'agent: asked not to be called' }),
    ]);
    // The agent heard the beep, played on the agent's channel only.
    const played = observer.events.flatMap((event) => {
      const playback = (event as AriEvent & { playback?: { media_uri?: string; target_uri?: string } }).playback;
      return event.type === 'PlaybackStarted' && playback ? [playback] : [];
    });
    expect(played).toContainEqual(expect.objectContaining({ media_uri: 'sound:beep', target_uri: `channel:${entry.channel}` }));
    expect((await call(customer)).status).toBe(403);
  });

  it('*32 after an inbound call the agent answered lists that caller', async () => {
    const customer = '+493012350002';
    uas = await startSippUas({ behaviour: 'answer-press-keys', port: asterisk.farEndPort, keys: '' });
    expect((await call(customer, { talk: { keys: '' } })).status).toBe(200);
    await uas.stop();
    uas = undefined;
    const channel = await agentDials('*32');
    expect(stepsOf(channel)).toContain('Playback(num-was-successfully&added)');
    expect(await featureLogged(customer, '*32')).toMatchObject({ action: 'list:dnc', endpoint: AGENT, channel });
    expect((await lists.entries(customer)).listed).toEqual([expect.objectContaining({ by: AGENT, reason: 'feature code' })]);
  });

  it('*30<number> and *31<number> from a permitted endpoint list and cancel it', async () => {
    const number = '+493012350003';
    await agentDials(`*30${number}`);
    expect((await lists.entries(number)).listed).toEqual([expect.objectContaining({ list: 'dnc', by: AGENT, reason: 'feature code' })]);
    expect((await call(number)).status).toBe(403);
    const cancelling = await agentDials(`*31${number}`);
    expect(stepsOf(cancelling)).toContain('Playback(num-was-successfully&removed)');
    const { listed, cancelled } = await lists.entries(number);
    expect(listed).toEqual([]);
    expect(cancelled).toEqual([expect.objectContaining({ by: AGENT, reason: 'feature code' })]);
    expect(await featureLogged(number, '*31')).toMatchObject({ action: 'cancel:dnc', verdict: 'clear', endpoint: AGENT });
  });

  it('*30<number> and *31<number> from an endpoint not permitted change nothing; it hears "not available"', async () => {
    const listedBefore = '+493012350004';
    await lists.add('dnc', [{ member: listedBefore }], { by: 'e2e', reason: 'before' });
    const fresh = '+493012350005';
    expect((await call('+493012350099', { to: `*30${fresh}`, route: undefined })).status).toBe(200);
    expect((await call('+493012350099', { to: `*31${listedBefore}`, route: undefined })).status).toBe(200);
    expect((await lists.entries(fresh)).listed).toEqual([]);
    expect((await lists.entries(listedBefore)).listed).toEqual([expect.objectContaining({ by: 'e2e' })]);
    expect(await featureLogged(fresh, '*30')).toMatchObject({ action: 'not-permitted', verdict: 'clear', endpoint: CALLER_ENDPOINT });
    const refused = await featureLogged(listedBefore, '*31');
    expect(refused).toMatchObject({ action: 'not-permitted', verdict: 'blocked', endpoint: CALLER_ENDPOINT });
    expect(stepsOf(refused.channel)).toContain('Playback(feature-not-avail-line)');
  });
});

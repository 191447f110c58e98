import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { readCallLog, type LoggedCall } from '../../src/screening/call-log.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { RunningService } from '../../src/service/service.js';
import { capturedLogger } from '../calls/log-capture.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall, startSippUas, type CallParams, type RunningUas } from '../helpers/sipp.js';

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
    service = await startServeFor(asterisk, redisUrl(), namespace, logs.log, {
      deadlineMs: '1000',
      agiListen: '127.0.0.1:0',
      featureCodes: `${AGENT}=30,31,32`,
    });
    const agi = service.agi as { host: string; port: number };
    await asterisk.cli(`dialplan set global CALLGUARD_AGI ${agi.host}:${agi.port}`);
    await asterisk.cli(`queue add member ${AGENT} to support`);
  }, E2E_SETUP_TIMEOUT_MS);

  afterEach(async () => {
    await uas?.stop();
    uas = undefined;
  });

  afterAll(async () => {
    await service?.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  function call(from: string, extra: Partial<CallParams> = {}) {
    return placeCall({ from, route: 'support', to: DIALLED, target: asterisk.sipTarget, ...extra });
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
  });
});

import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import type { AttemptResult } from '../../src/dialer/types.js';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { createLogger } from '../../src/log.js';
import { readCallLog } from '../../src/screening/call-log.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { RunningService } from '../../src/service/service.js';
import { callguardArgs } from '../cli/run-cli.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { startRedisCluster, type RunningCluster } from '../helpers/redis-cluster.js';
import { testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCall, startSippUas, type RunningUas } from '../helpers/sipp.js';

const availability = await e2eAvailability();
/** Where answered campaign calls go: a context added at run time that answers and hangs up. */
const AGENTS = 'cg-agents';
const RESULT_TIMEOUT_MS = 20_000;

/**
 * `serve` on a 3-primary Redis Cluster against the sandbox Asterisk: inbound screening
 * over lists in different slots, the call log, and the dialer taking a request queued
 * with `callguard call`.
 */
describe.skipIf(!availability.run)('serve on a Redis Cluster', () => {
  let asterisk: E2eAsterisk;
  let cluster: RunningCluster;
  let client: Cluster;
  let service: RunningService | undefined;
  let uas: RunningUas | undefined;
  const namespace = testNamespace();

  beforeAll(async () => {
    [asterisk, cluster] = await Promise.all([useAsterisk(), startRedisCluster({ primaries: 3 })]);
    if (!asterisk.cli) throw new Error('this file adds a dialplan context through the Asterisk CLI (sandbox only)');
    await asterisk.cli(`dialplan add extension s,1,Answer, into ${AGENTS}`);
    await asterisk.cli(`dialplan add extension s,2,Hangup, into ${AGENTS}`);
    client = new Cluster([{ host: '127.0.0.1', port: cluster.primaries[0]?.port ?? 0 }]);
    const lists = new ListStore(client, namespace);
    for (const name of ['dnc', 'harassment', 'vip']) await lists.createList(name, { by: 'e2e' });
    await lists.add('harassment', [{ member: '+493012345678' }], { by: 'e2e', reason: 'threats' });
    await lists.add('dnc', [{ member: '+4930100001' }], { by: 'e2e', reason: 'asked not to be called' });
    await new RouteStore(client, namespace).set({ ...newRoute('support'), block: ['dnc', 'harassment'], allow: ['vip'], region: 'DE' });
    await new CampaignStore(client, namespace).set(
      applyCampaignChanges(
        'sales',
        undefined,
        { block: ['dnc'], endpoint: 'PJSIP/${NUMBER}@test-far-end', agent: parseDialplanTarget(AGENTS), region: 'DE', dialTimeoutMs: 5_000 },
        { at: Date.now(), by: 'e2e' },
      ),
    );
    service = await startServeFor(asterisk, 'redis://127.0.0.1:6379', namespace, createLogger({ level: 'silent' }), {
      redisCluster: cluster.nodes,
      // Generous: this file proves behaviour, not speed, on a machine that may be busy.
      deadlineMs: '1000',
    });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await uas?.stop();
    await service?.stop();
    await client?.quit();
    await cluster?.stop();
    await asterisk?.stop();
  });

  it('screens inbound calls over lists in different slots and logs them', async () => {
    const slots = await Promise.all(['dnc', 'harassment', 'vip'].map((name) => client.call('CLUSTER', 'KEYSLOT', listKeys(namespace, name).info)));
    expect(new Set(slots).size).toBe(3);
    const call = (from: string) => placeCall({ from, route: 'support', to: '+4930555000', target: asterisk.sipTarget });
    expect((await call('+493012345678')).status).toBe(403);
    expect((await call('+493099999999')).status).toBe(200);
    await expect
      .poll(async () => (await readCallLog(client, namespace, { route: 'support' })).counts, { timeout: 10_000 })
      .toMatchObject({ blocked: 1, clear: 1 });
  });

  it('dials a request queued with callguard call, and never a blocked number', async () => {
    uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    const cli = (...args: string[]) => callguardArgs(['--redis-cluster', cluster.nodes, '--namespace', namespace, ...args]);
    expect((await cli('call', '+4930100002', '--campaign', 'sales', '--id', 'clear-1')).code).toBe(0);
    expect((await cli('call', '030 100001', '--campaign', 'sales', '--id', 'blocked-1')).code).toBe(0);
    const queue = new DialQueue(client, namespace);
    const resultOf = async (id: string): Promise<AttemptResult | undefined> =>
      (await queue.results({ campaign: 'sales', scan: 100 })).find((result) => result.request === id && result.final);
    await expect.poll(() => resultOf('clear-1'), { timeout: RESULT_TIMEOUT_MS }).toMatchObject({ outcome: 'ANSWERED', e164: '+4930100002' });
    await expect.poll(() => resultOf('blocked-1'), { timeout: RESULT_TIMEOUT_MS }).toMatchObject({ outcome: 'BLACKLISTED', list: 'dnc' });
    expect(await uas.invites()).toBe(1);
  });
});

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialQueue } from '../../src/dialer/queue.js';
import type { AttemptResult } from '../../src/dialer/types.js';
import { dialKeys } from '../../src/lists/keys.js';
import { applyCampaignChanges, parseDialplanTarget } from '../../src/screening/campaign-syntax.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { redisUrl, testNamespace, testRedis } from '../helpers/redis.js';
import { startSippUas, type RunningUas } from '../helpers/sipp.js';
import { httpStatus as status, spawnServe, type ServeProcess } from '../helpers/serve.js';

const availability = await e2eAvailability();
const CAMPAIGN = 'failover';
const REQUESTS = 10;
/** Short, so that the killed instance's attempts are redone within the test. */
const LEASE_MS = 3_000;
const AGENTS = 'cg-failover-agents';

async function ready(serve: ServeProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await status(`${serve.health}/readyz`)) !== 200) {
    if (Date.now() > deadline) throw new Error(`serve did not get ready:\n${serve.stdout().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The requests whose attempts `serve` logged as recorded. */
function recordedBy(serve: ServeProcess): Set<string> {
  const requests = new Set<string>();
  for (const line of serve.stdout().split('\n')) {
    if (!line.includes('dial attempt recorded')) continue;
    const entry = JSON.parse(line) as { request?: string };
    if (entry.request !== undefined) requests.add(entry.request);
  }
  return requests;
}

/**
 * Two `callguard serve` processes share one campaign's requests; one is killed (SIGKILL)
 * while it has attempts in flight. Its leases run out and the survivor redoes those
 * attempts: every request ends with one ANSWERED result, and no number is dialled twice
 * at once (the far end sees at most one call per number at any moment).
 */
describe.skipIf(!availability.run)('a serve instance killed mid-run loses no dial request', () => {
  let asterisk: E2eAsterisk;
  let redis: Redis;
  let uas: RunningUas | undefined;
  const namespace = testNamespace();
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    asterisk = await useAsterisk();
    if (!asterisk.cli) throw new Error('this test adds dialplan contexts through the Asterisk CLI (sandbox only)');
    await asterisk.cli(`dialplan add extension s,1,Answer, into ${AGENTS}`);
    await asterisk.cli(`dialplan add extension s,2,Wait,1 into ${AGENTS}`);
    await asterisk.cli(`dialplan add extension s,3,Hangup, into ${AGENTS}`);
    redis = testRedis();
    await new CampaignStore(redis, namespace).set(
      applyCampaignChanges(
        CAMPAIGN,
        undefined,
        {
          endpoint: 'PJSIP/${NUMBER}@test-far-end',
          agent: parseDialplanTarget(AGENTS),
          region: 'DE',
          maxConcurrent: 4,
          dialTimeoutMs: 10_000,
          retry: { NO_ANSWER: null, FAILED: null, BUSY: null },
        },
        { at: Date.now(), by: 'e2e' },
      ),
    );
    // Ringing for a second keeps every attempt in flight for a while, so the kill lands in one.
    uas = await startSippUas({ behaviour: 'answer-after-ring', port: asterisk.farEndPort });
    for (let i = 0; i < 2; i += 1) {
      running.push(
        await spawnServe({
          ARI_URL: asterisk.ariUrl,
          ARI_USERNAME: asterisk.ariUser,
          ARI_PASSWORD: asterisk.ariPassword,
          REDIS_URL: redisUrl(),
          CALLGUARD_NAMESPACE: namespace,
          CALLGUARD_REGION: 'DE',
          CALLGUARD_DIALER_LEASE_MS: String(LEASE_MS),
          CALLGUARD_DIALER_RECLAIM_IDLE_MS: '2000',
        }),
      );
    }
    for (const serve of running) await ready(serve);
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const serve of running) {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGTERM');
      await serve.exited;
    }
    await uas?.stop();
    await redis?.quit();
    await asterisk?.stop();
  });

  it('every request is answered exactly once, the killed instance’s attempts by the survivor', async () => {
    const queue = new DialQueue(redis, namespace);
    const inflight = dialKeys(namespace).inflight(CAMPAIGN);
    const ids = Array.from({ length: REQUESTS }, (_, index) => `failover-${index}`);
    for (const [index, id] of ids.entries()) {
      await queue.enqueue({ campaign: CAMPAIGN, number: `+4930500000${index}`, id });
    }

    // A lease is `<request id>|<consumer>.<n>`, and a consumer name carries its pid.
    const leasesOf = (leases: string[], pid: number | undefined): string[] =>
      leases.filter((lease) => lease.includes(`-${pid}-`));
    let victim: ServeProcess | undefined;
    let victimLeases: string[] = [];
    const deadline = Date.now() + 20_000;
    while (victim === undefined && Date.now() < deadline) {
      const leases = await redis.zrange(inflight, '0', '-1');
      victim = running.find((serve) => leasesOf(leases, serve.child.pid).length > 0);
      if (victim) {
        victim.child.kill('SIGKILL');
        victimLeases = leasesOf(leases, victim.child.pid);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(victim, 'no instance ever held an attempt').toBeDefined();
    await victim?.exited;
    const survivor = running.find((serve) => serve !== victim) as ServeProcess;
    const orphaned = victimLeases.map((lease) => lease.slice(0, lease.lastIndexOf('|')));
    expect(orphaned.length).toBeGreaterThan(0);

    let results: AttemptResult[] = [];
    const resultsDeadline = Date.now() + 40_000;
    while (results.length < REQUESTS && Date.now() < resultsDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      results = await queue.results({ campaign: CAMPAIGN, scan: 1_000 });
    }

    // Every request: exactly one result, ANSWERED, final; no request lost, none dialled to a second answer.
    expect(results.map((result) => result.request).sort()).toEqual([...ids].sort());
    expect(results.filter((result) => result.outcome !== 'ANSWERED' || !result.final)).toEqual([]);
    expect(await redis.hlen(dialKeys(namespace).state)).toBe(0);
    // The attempts the killed instance had in flight were done by the survivor.
    const survivorDid = recordedBy(survivor);
    for (const request of orphaned) expect(survivorDid.has(request), `${request} recorded by the survivor`).toBe(true);
    for (const request of recordedBy(victim as ServeProcess)) expect(orphaned).not.toContain(request);
    // The far end: one call per request, plus at most one per attempt cut short by the kill,
    // and never two calls to one number at the same time.
    const calls = (await uas?.calls()) ?? [];
    expect(calls.length).toBeGreaterThanOrEqual(REQUESTS);
    expect(calls.length).toBeLessThanOrEqual(REQUESTS + orphaned.length);
    for (const number of new Set(calls.map((call) => call.user))) {
      const toNumber = calls.filter((call) => call.user === number).sort((a, b) => a.invitedAt - b.invitedAt);
      for (let i = 1; i < toNumber.length; i += 1) {
        const previous = toNumber[i - 1];
        expect(previous?.endedAt, `${number}: call ${i} still up when call ${i + 1} came`).toBeLessThanOrEqual(toNumber[i]?.invitedAt ?? 0);
      }
    }
  });
});

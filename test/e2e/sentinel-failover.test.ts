import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalKeys } from '../../src/lists/keys.js';
import { createLogger } from '../../src/log.js';
import { ListStore } from '../../src/lists/store.js';
import { connectRedis, type RedisClient } from '../../src/redis/connect.js';
import { parseRedisTarget } from '../../src/redis/target.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import type { RunningService } from '../../src/service/service.js';
import { callguardArgs } from '../cli/run-cli.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { startSentinelGroup, type RunningSentinelGroup } from '../helpers/redis-sentinel.js';
import { testNamespace } from '../helpers/redis.js';
import { startServeFor } from '../helpers/serve.js';
import { placeCallLoad, type LoadCall } from '../helpers/sipp-load.js';

const availability = await e2eAvailability();

const RATE = 20;
const CALLS = 240;
/** Calls screened by the first primary before the failover is asked for. */
const CALLS_BEFORE_FAILOVER = 60;
/** The issue's bound: blocked callers are blocked again this soon after the replica is promoted. */
const BLOCKED_AGAIN_WITHIN_MS = 2_000;
const BLOCKED_CALLERS = 200;
/** Numbers listed before the run, then cancelled one by one during it. */
const TO_CANCEL = 400;
const ROUTE = 'support';
/** The promoted replica is watched this often, so its promotion time is known to within this. */
const ROLE_POLL_MS = 10;

function blockedCaller(n: number): string {
  return `+49301${String(n % BLOCKED_CALLERS).padStart(6, '0')}`;
}

/**
 * A Sentinel failover under inbound load: a primary, its replica and three sentinels on
 * loopback; `serve` (in-process, Sentinel settings) screens 20 calls a second from sipp
 * into the sandbox Asterisk, half of them from blocked callers; operators add and cancel
 * numbers with the CLI all along; SENTINEL FAILOVER promotes the replica mid-run.
 */
describe.skipIf(!availability.run)('a Sentinel failover during inbound load', () => {
  let asterisk: E2eAsterisk;
  let group: RunningSentinelGroup;
  let admin: RedisClient;
  let service: RunningService | undefined;
  const namespace = testNamespace();

  beforeAll(async () => {
    [asterisk, group] = await Promise.all([useAsterisk(), startSentinelGroup({ sentinels: 3 })]);
    admin = connectRedis(parseRedisTarget({ url: 'redis://127.0.0.1', sentinels: group.sentinels, sentinelName: group.name }), {
      lazyConnect: false,
      connectTimeoutMs: 2_000,
      offlineQueue: true,
      maxRetriesPerRequest: null,
      reconnectDelay: () => 50,
      followFailovers: true,
    });
    const lists = new ListStore(admin, namespace);
    await lists.createList('dnc', { by: 'e2e' });
    const blocked = Array.from({ length: BLOCKED_CALLERS }, (_, n) => ({ member: blockedCaller(n) }));
    const toCancel = Array.from({ length: TO_CANCEL }, (_, n) => ({ member: `+49302${String(n).padStart(6, '0')}` }));
    await lists.add('dnc', [...blocked, ...toCancel], { by: 'e2e' });
    await new RouteStore(admin, namespace).set({ ...newRoute(ROUTE), block: ['dnc'], region: 'DE' });
    service = await startServeFor(asterisk, 'redis://127.0.0.1:6379', namespace, createLogger({ level: 'silent' }), {
      redisSentinels: group.sentinels,
      redisSentinelName: group.name,
      // Generous: this file proves behaviour, not speed, on a machine that may be busy.
      deadlineMs: '1000',
    });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    admin?.disconnect();
    await group?.stop();
    await asterisk?.stop();
  });

  it('answers every call, blocks blocked callers again within 2 s of the promotion, and loses no acknowledged add or cancel', async () => {
    const sentinelArgs = ['--redis-sentinels', group.sentinels, '--redis-sentinel-name', group.name, '--namespace', namespace];
    const [, replica] = group.servers;
    const watcher = new Redis(replica.port, '127.0.0.1');
    let promotedAt: number | undefined;
    const watch = setInterval(() => {
      void watcher.call('ROLE').then((role) => {
        if ((role as string[])[0] === 'master') promotedAt ??= Date.now();
      });
    }, ROLE_POLL_MS);

    let loading = true;
    const writes: { kind: 'add' | 'cancel'; number: string; code: number; err: string; startedAt: number }[] = [];
    const operator = async (kind: 'add' | 'cancel', numberOf: (n: number) => string, limit: number): Promise<void> => {
      for (let n = 0; loading && n < limit; n++) {
        const number = numberOf(n);
        const startedAt = Date.now();
        const args = kind === 'add' ? ['add', number, '--list', 'dnc'] : ['cancel', number, '--list', 'dnc', '--reason', 'e2e'];
        const run = await callguardArgs([...sentinelArgs, ...args]);
        writes.push({ kind, number, code: run.code, err: run.err, startedAt });
      }
    };

    const callers = Array.from({ length: CALLS }, (_, n) => (n % 2 === 0 ? blockedCaller(n / 2) : `+49309${String(n).padStart(6, '0')}`));
    const load = placeCallLoad({ target: asterisk.sipTarget, rate: RATE, callers, route: ROUTE, to: '+4930555000' });
    const operators = Promise.all([
      operator('add', (n) => `+49303${String(n).padStart(6, '0')}`, Number.MAX_SAFE_INTEGER),
      operator('cancel', (n) => `+49302${String(n).padStart(6, '0')}`, TO_CANCEL),
    ]);

    const callLog = globalKeys(namespace).callLog;
    await expect.poll(() => admin.xlen(callLog), { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(CALLS_BEFORE_FAILOVER);
    const failoverAskedAt = Date.now();
    await group.failover();

    let calls: LoadCall[];
    try {
      calls = await load;
    } finally {
      loading = false;
      await operators;
      clearInterval(watch);
      watcher.disconnect();
    }
    expect(await group.primaryPort()).toBe(replica.port);
    expect(promotedAt).toBeDefined();
    const promoted = promotedAt ?? Number.NaN;

    // Every call got a final response: screened, failed open to the queue, or blocked.
    expect(calls).toHaveLength(CALLS);
    expect(calls.filter((call) => call.status === undefined)).toEqual([]);

    // Blocked callers: 403 before the failover was asked for, and again from 2 s after the promotion.
    const blockedCalls = calls.filter((call) => call.caller.startsWith('+49301'));
    const before = blockedCalls.filter((call) => call.invitedAt < failoverAskedAt);
    const after = blockedCalls.filter((call) => call.invitedAt > promoted + BLOCKED_AGAIN_WITHIN_MS);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(10);
    expect(before.filter((call) => call.status !== 403)).toEqual([]);
    expect(after.filter((call) => call.status !== 403)).toEqual([]);

    // An add or cancel that exited 0 was confirmed by the replica, so the new primary has it.
    const unexpected = writes.filter((write) => ![0, 3, 5].includes(write.code));
    expect(unexpected).toEqual([]);
    const acknowledged = writes.filter((write) => write.code === 0);
    const lists = new ListStore(admin, namespace);
    const lost = [];
    for (const write of acknowledged) {
      const listed = (await lists.check(write.number, ['dnc'])) !== null;
      if (listed !== (write.kind === 'add')) lost.push(write);
    }
    expect(lost).toEqual([]);

    // The old primary comes back as the new one's replica; from then on adds are confirmed again.
    const [oldPrimary] = group.servers;
    const demoted = new Redis(oldPrimary.port, '127.0.0.1');
    try {
      await expect
        .poll(async () => /master_link_status:up/.test(await demoted.info('replication')), { timeout: 60_000, interval: 200 })
        .toBe(true);
    } finally {
      demoted.disconnect();
    }
    const resyncedAt = Date.now();
    const confirmed = await callguardArgs([...sentinelArgs, '--json', 'add', '+4930400000', '--list', 'dnc']);
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.out)).toMatchObject({ added: 1, replicas: { wanted: 1, confirmed: 1 } });

    const codes = writes.reduce<Record<number, number>>((tally, write) => ({ ...tally, [write.code]: (tally[write.code] ?? 0) + 1 }), {});
    console.log(
      `sentinel failover: promoted ${promoted - failoverAskedAt} ms after SENTINEL FAILOVER; ` +
        `blocked callers not blocked: ${blockedCalls.filter((call) => call.status !== 403).map((call) => `${call.invitedAt - promoted} ms`).join(', ') || 'none'} (relative to the promotion); ` +
        `old primary a replica again ${resyncedAt - promoted} ms after it (at most); CLI writes by exit code ${JSON.stringify(codes)}`,
    );
  }, 180_000);
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriRest } from '../../src/calls/ari-rest.js';
import { OWNER_PING_TIMEOUT_MS, STANDBY_POLL_MS } from '../../src/calls/ari-connection.js';
import { ListStore } from '../../src/lists/store.js';
import { readCallLog } from '../../src/screening/call-log.js';
import { newRoute } from '../../src/screening/route.js';
import { RouteStore } from '../../src/screening/routes.js';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';
import { spawnServe, type ServeProcess } from '../helpers/serve.js';
import { placeCall, type CallOutcome } from '../helpers/sipp.js';

const availability = await e2eAvailability();
const APP = 'callguard';
const CALLS = 6;
/** One standby poll, the unanswered ping, and the 2 s a restarted serve gets to decide what it finds. */
const DECIDED_WITHIN_MS = STANDBY_POLL_MS + OWNER_PING_TIMEOUT_MS + 2_000;
const WAIT_MS = 20_000;

async function channelsInStasis(rest: AriRest): Promise<number> {
  const response = await rest.request('GET', `/applications/${APP}`);
  if (response.status === 404) return 0;
  return ((response.body as { channel_ids?: unknown[] }).channel_ids ?? []).length;
}

async function ariState(serve: ServeProcess): Promise<string | undefined> {
  try {
    const response = await fetch(`${serve.health}/readyz`, { signal: AbortSignal.timeout(1_000) });
    return ((await response.json()) as { detail?: { ari?: string } }).detail?.ari;
  } catch {
    // Not listening yet while the process starts; the caller polls.
    return undefined;
  }
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The holder of the shared app killed with -9 while calls are in it: Asterisk keeps the
 * app registered (without a websocket, Stasis() failing) for as long as those channels
 * are there, so a standby that waited for the app to disappear never took over. The
 * standby's ping goes unanswered instead; it takes the app and decides the calls.
 */
describe.skipIf(!availability.run)('the holder of the shared app killed with -9, a standby running', () => {
  let asterisk: E2eAsterisk;
  let redisServer: RunningRedis;
  let redis: Redis;
  let rest: AriRest;
  const namespace = testNamespace();
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    asterisk = await useAsterisk();
    rest = new AriRest({ url: asterisk.ariUrl, username: asterisk.ariUser, password: asterisk.ariPassword });
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    const lists = new ListStore(redis, namespace);
    await lists.createList('dnc', { by: 'chaos' });
    await lists.add('dnc', [{ member: '+49301111*' }], { by: 'chaos' });
    await new RouteStore(redis, namespace).set({ ...newRoute('support'), block: ['dnc'] });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    redisServer?.resume();
    for (const serve of running) {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
      await serve.exited;
    }
    rest?.close();
    await redis?.quit();
    await redisServer?.stop();
    await asterisk?.stop();
  });

  async function serve(expected: string): Promise<ServeProcess> {
    const started = await spawnServe({
      ARI_URL: asterisk.ariUrl,
      ARI_USERNAME: asterisk.ariUser,
      ARI_PASSWORD: asterisk.ariPassword,
      REDIS_URL: redisServer.url,
      CALLGUARD_NAMESPACE: namespace,
      CALLGUARD_REGION: 'DE',
      CALLGUARD_DECISION_DEADLINE_MS: '10000',
    });
    running.push(started);
    await until(`serve is ${expected}`, async () => (await ariState(started)) === expected);
    return started;
  }

  it('the standby takes the app over and decides every call the dead holder left in it', async () => {
    const standby = await serve('connected');
    const holder = await serve('connected');
    await until('the first serve stands by', async () => (await ariState(standby)) === 'standby');
    redisServer.stall();
    const numbers = Array.from({ length: CALLS }, (_, index) => (index % 2 === 0 ? `+4930111100${index}` : `+4930222200${index}`));
    const calls: Promise<CallOutcome>[] = numbers.map((from) => placeCall({ from, route: 'support', to: '+4930555000', target: asterisk.sipTarget }));
    await until(`${CALLS} channels are in Stasis`, async () => (await channelsInStasis(rest)) === CALLS);

    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    redisServer.resume();
    await until('no channel is left in Stasis', async () => (await channelsInStasis(rest)) === 0);
    const decidedAfterMs = Date.now() - killedAt;
    console.info(`the standby decided the ${CALLS} calls a killed holder left ${decidedAfterMs} ms after the kill`);
    expect(decidedAfterMs).toBeLessThanOrEqual(DECIDED_WITHIN_MS);
    expect(await ariState(standby)).toBe('connected');

    const outcomes = await Promise.all(calls);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(numbers.map((from) => (from.startsWith('+49301111') ? 403 : 200)));
    const logged = await readCallLog(redis, namespace, { limit: 100 });
    expect(logged.entries.map((entry) => entry.raw).sort()).toEqual([...numbers].sort());
  }, 120_000);
});

import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SessionStore } from '../access/sessions.js';
import { TokenStore } from '../access/tokens.js';
import { DialQueue } from '../dialer/queue.js';
import { GatedListStore, migrateAtStart } from '../lists/migrate.js';
import type { RedisClient } from '../redis/connect.js';
import { evictionProblem, readRedisSafety } from '../redis/safety.js';
import type { Logger } from '../log.js';
import { CampaignStore } from '../screening/campaigns.js';
import { RouteStore } from '../screening/routes.js';
import { createServiceRedis } from '../redis/process-connection.js';
import { startWebhookWorker } from '../webhooks/worker.js';
import { TokenVerifier } from './auth.js';
import { CallFeed } from './call-feed.js';
import { describeApiConfig, type ApiConfig } from './config.js';
import type { ApiContext } from './context.js';
import { ImportJobs } from './jobs.js';
import { ScrubJobs } from './scrub-jobs.js';
import { ApiMetrics } from './metrics.js';
import { problemFor } from './problem.js';
import { isRedisDown } from './redis-down.js';
import { buildApi, type RouteName } from './server.js';

export interface RunningApi {
  /** where it listens (the real port when 0 was asked) */
  address: { host: string; port: number };
  url: string;
  /** every route it serves (method and URL template), for the tests that hold the OpenAPI document to them */
  routes: readonly RouteName[];
  /** Resolves once Redis is connected. */
  ready(): Promise<void>;
  /** Stops taking requests, finishes those in flight and the background work, closes every connection. */
  stop(): Promise<void>;
}

/** Where `npm run build` puts the console's bundle, from src/api (tsx) and from dist/api alike. */
export const BUILT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

export interface StartOptions {
  /** the console's bundled files; default the build's (BUILT_CONSOLE_DIR) */
  consoleDir?: string;
}

/** `callguard api` as an object: the command, the tests and the benchmark run it. */
export async function startApi(config: ApiConfig, log: Logger, options: StartOptions = {}): Promise<RunningApi> {
  log.info({ config: describeApiConfig(config) }, 'callguard api starting');
  const metrics = new ApiMetrics();
  const redis = createServiceRedis(config.redis.target, log);
  const bulkRedis = createServiceRedis(config.redis.target, log.child({ connection: 'bulk' }));
  try {
    await refuseEvictingRedis(redis, config.redis.allowEviction, log);
  } catch (error) {
    redis.disconnect();
    bulkRedis.disconnect();
    throw error;
  }
  // The check scripts read only today's list format; a stalled Redis must not hold the start.
  // Every store the api checks with is gated: a check, a number's report or a scrub
  // during the migration waits for it instead of meeting an old list.
  const formatMigration = migrateAtStart(redis, config.redis.namespace, log);
  redis.on('ready', () => metrics.redisConnected.set(1));
  redis.on('close', () => metrics.redisConnected.set(0));
  const tokens = new TokenStore(redis, config.redis.namespace);
  // Scrubs check through the bulk connection: their batches never queue in front of a call's check.
  const scrubs = await ScrubJobs.create(redis, new GatedListStore(formatMigration, bulkRedis, config.redis.namespace), config.redis.namespace, log, (error) => {
    const problem = problemFor(error, { requestId: 'scrub-job', path: '', request: {}, redisDown: (candidate) => isRedisDown(candidate, bulkRedis) });
    return { status: problem.status, detail: problem.detail };
  });
  const jobs = await ImportJobs.create(redis, bulkRedis, config.redis.namespace, log, metrics, (error) => {
    const problem = problemFor(error, { requestId: 'import-job', path: '', request: {}, redisDown: (candidate) => isRedisDown(candidate, bulkRedis) });
    return { status: problem.status, detail: problem.detail };
  });
  const feed = new CallFeed(redis, createServiceRedis(config.redis.target, log.child({ connection: 'call-feed' })), config.redis.namespace, log.child({ component: 'call-feed' }));
  const context: ApiContext = {
    config,
    namespace: config.redis.namespace,
    redis,
    bulkRedis,
    lists: new GatedListStore(formatMigration, redis, config.redis.namespace, Date.now, { waitReplicas: config.redis.waitReplicas }),
    routes: new RouteStore(redis, config.redis.namespace),
    campaigns: new CampaignStore(redis, config.redis.namespace),
    dial: new DialQueue(redis, config.redis.namespace),
    tokens,
    verifier: new TokenVerifier(tokens),
    sessions: new SessionStore(redis, config.redis.namespace, tokens),
    feed,
    consoleDir: options.consoleDir ?? BUILT_CONSOLE_DIR,
    jobs,
    scrubs,
    metrics,
    log,
  };
  const { app, routes } = await buildApi(context);
  const closeRedis = async (): Promise<void> => {
    await feed.stop();
    await jobs.stop();
    await scrubs.stop();
    await Promise.all([redis, bulkRedis].map((client) => client.quit().catch(() => client.disconnect())));
  };
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (error) {
    await closeRedis();
    throw error;
  }
  const webhooks = startWebhookWorker({
    redis,
    blocking: createServiceRedis(config.redis.target, log.child({ connection: 'webhook-reader' })),
    namespace: config.redis.namespace,
    log,
    settings: config.webhooks,
    onQueued: (events) => {
      for (const event of events) metrics.webhookQueued.inc({ type: event.type });
    },
    onResult: (webhook, result) => {
      if (result === 'dropped') metrics.webhookDropped.inc({ webhook });
      else metrics.webhookDeliveries.inc({ webhook, result });
    },
  });
  const bound = app.server.address() as AddressInfo;
  const address = { host: config.listen.host, port: bound.port };
  const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  log.info({ listen: `${address.host}:${address.port}` }, 'callguard api listening');
  return {
    address,
    url,
    routes,
    ready: () => (redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()))),
    stop: async () => {
      log.info('callguard api stopping: no new requests, finishing those in flight');
      await app.close();
      await webhooks.stop();
      await closeRedis();
      log.info('callguard api stopped');
    },
  };
}

/** How long the api waits at start for Redis, to read its eviction policy; a Redis that is down does not stop the start (/readyz says so). */
const REDIS_START_CHECK_WAIT_MS = 3_000;

/**
 * The api writes lists: on a Redis whose maxmemory-policy may evict keys an entry it
 * writes can vanish and read as "not listed", so it refuses to start there unless allowed.
 */
async function refuseEvictingRedis(redis: RedisClient, allowEviction: boolean, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ready = redis.status === 'ready' ? Promise.resolve(true) : new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true)));
  const waited = await Promise.race([ready, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), REDIS_START_CHECK_WAIT_MS)))]);
  clearTimeout(timer);
  if (!waited) return;
  const problem = evictionProblem(await readRedisSafety(redis));
  if (!problem) return;
  if (!allowEviction) throw new Error(`${problem}; or set CALLGUARD_ALLOW_EVICTION=1 (--allow-eviction) to run anyway`);
  log.warn({ problem }, 'Redis may evict list entries: running anyway, as --allow-eviction says');
}

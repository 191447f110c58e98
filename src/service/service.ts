import { agentFeatureUse } from '../calls/agent-feature.js';
import { agiApp } from '../calls/agi-app.js';
import { AgiServer } from '../calls/agi-server.js';
import { AriCallControl } from '../calls/ari-call-control.js';
import { AriConnection, type ConnectionState } from '../calls/ari-connection.js';
import { AriRest } from '../calls/ari-rest.js';
import { handleInbound, inboundCallLogEntry, type InboundOutcome } from '../calls/inbound.js';
import { createDialerLeg } from '../calls/dialer-leg.js';
import { ariDialplanCheck } from '../calls/dialplan-check.js';
import { agentCallLogEntry, handleAgentCall, type AgentCallOutcome } from '../calls/outbound.js';
import { ownAppName, PEER_EVENTS } from '../calls/peers.js';
import { StasisApp } from '../calls/stasis-app.js';
import { answerCensus, ariSweepView, peerCensus, StasisSweep } from '../calls/stasis-sweep.js';
import { Dialer } from '../dialer/dialer.js';
import { describeConfig, type ServeConfig } from '../config.js';
import { GatedListStore, migrateAtStart } from '../lists/migrate.js';
import type { CallCounter, CheckGuard } from '../lists/types.js';
import type { RedisClient } from '../redis/connect.js';
import type { Logger } from '../log.js';
import { loadScriptsOnReady } from '../redis/lua-scripts.js';
import { evictionProblem } from '../redis/safety.js';
import { featureCallLogEntry, type AgentFeatureOutcome } from '../screening/agent-features.js';
import { AUTO_BLOCK_ACTOR, AUTO_BLOCK_SOURCE } from '../screening/auto-block.js';
import { CallerIdPicker } from '../screening/caller-ids.js';
import { LastCallers } from '../screening/last-callers.js';
import { CampaignStore } from '../screening/campaigns.js';
import { CapCounter } from '../screening/caps.js';
import { HoursStore } from '../screening/hours/store.js';
import { DEFAULT_OUTBOUND_CHECK_DEADLINE_MS } from '../screening/outbound.js';
import { RouteStore } from '../screening/routes.js';
import { AuditTrim } from './audit-trim.js';
import { CallLogSpool } from './call-log-spool.js';
import { CallLogWriter } from './call-log-writer.js';
import { startHealthServer, type Readiness } from './health-server.js';
import { ServiceMetrics } from './metrics.js';
import { logReadyLine } from './ready-line.js';
import { createServiceRedis } from '../redis/process-connection.js';
import { RedisHealth } from './redis-health.js';
import { RedisWatch } from './redis-watch.js';

/**
 * At start, how long serve waits for Redis to read its eviction policy, and refuse to
 * run on one that evicts. A Redis that is down or refuses the login does not stop the
 * start (calls then fail open, readiness says why); the watch reads the policy once
 * Redis is there.
 */
const REDIS_START_CHECK_WAIT_MS = 3_000;

export interface RunningService {
  /** where /healthz, /readyz and /metrics answer (the real port when 0 was asked) */
  health: { host: string; port: number };
  /** where FastAGI answers, when CALLGUARD_AGI_LISTEN asked for it (the real port when 0 was asked) */
  agi?: { host: string; port: number };
  metrics: ServiceMetrics;
  readiness(): Readiness;
  /** Resolves once ARI and Redis are both connected. */
  ready(): Promise<void>;
  /** Stops taking calls, finishes those in flight, closes every connection. */
  stop(): Promise<{ unfinished: number }>;
}

/** The log line at the start of a stop, by what became of the shared app. */
const STOPPING_MESSAGES = {
  'handed-over': 'stopping: a standby screens new calls, finishing those in flight',
  kept: 'stopping: no standby took the calls over, new calls go to the dialplan fallback; finishing those in flight',
  'not-held': 'stopping: finishing the calls in flight',
} as const;

/** `callguard serve` as an object: tests and the benchmark run it in-process. */
export async function startService(config: ServeConfig, log: Logger): Promise<RunningService> {
  log.info({ config: describeConfig(config) }, 'callguard starting');
  const metrics = new ServiceMetrics();
  // Calls are screened on `redis`; background work (call log, watches, the dialer's
  // polling) has a connection of its own, so its commands never queue ahead of a check.
  const redis = createServiceRedis(config.redis.target, log);
  const background = createServiceRedis(config.redis.target, log.child({ connection: 'background' }));
  const disconnectRedis = (): void => {
    redis.disconnect();
    background.disconnect();
  };
  const redisHealth = new RedisHealth(redis, config.redisSafety.probeDeadlineMs, log.child({ component: 'redis' }));
  const scriptLoadFailed = (error: unknown): void =>
    log.warn({ err: error }, 'Redis script load failed: the next call of the script sends it whole');
  loadScriptsOnReady(redis, scriptLoadFailed);
  loadScriptsOnReady(background, scriptLoadFailed);
  // Beside the start, first on the call connection once it is ready: the check scripts
  // read only today's list format, and a stalled Redis must not hold the start. Every
  // store that checks is gated, so a call during it waits for it instead of meeting an
  // old list (in-call block and dialer included).
  const formatMigration = migrateAtStart(redis, config.redis.namespace, log);
  const lists = new GatedListStore(formatMigration, redis, config.redis.namespace);
  const watch = new RedisWatch({
    redis: background,
    lists: new GatedListStore(formatMigration, background, config.redis.namespace),
    allowEviction: config.redisSafety.allowEviction,
    intervalMs: config.redisSafety.watchIntervalMs,
    listMaxAgeMs: config.redisSafety.listMaxAgeMs,
    log: log.child({ component: 'redis-watch' }),
    metrics,
  });
  const spool = config.spoolDir === undefined ? undefined : new CallLogSpool(config.spoolDir, config.redis.namespace);
  const callLog = new CallLogWriter({ redis: background, namespace: config.redis.namespace, log, metrics, spool });
  try {
    await callLog.open();
  } catch (error) {
    disconnectRedis();
    throw error;
  }
  // Read beside the start, not before it: a stalled or unreachable Redis must not delay
  // screening (a call then fails open); an evicting one ends the start below.
  // The watch reads on the background connection: that is the one to wait for.
  const evictionCheck = refuseEvictingRedis(background, redisHealth, watch, config.redisSafety.allowEviction);
  evictionCheck.catch(() => undefined);
  // Channels this instance originates enter an app of its own, so their events come back here.
  const ownApp = ownAppName(config.ari.app);
  const ari = new AriConnection({ ...config.ari, ownApp, log });
  const rest = new AriRest({ url: config.ari.url, username: config.ari.username, password: config.ari.password });
  const calls = new AriCallControl({ rest, events: ari, app: ownApp });
  const routes = new RouteStore(redis, config.redis.namespace);

  const record = (outcome: InboundOutcome): void => {
    metrics.recordInbound(outcome);
    callLog.append(inboundCallLogEntry(outcome));
  };
  const useFeature = agentFeatureUse({
    lists,
    permissions: config.features.permissions,
    defaultRegion: config.defaultRegion,
    log: log.child({ component: 'agent-features' }),
    record: async (outcome: AgentFeatureOutcome) => {
      metrics.recordFeature(outcome);
      callLog.append(featureCallLogEntry(outcome));
    },
  });
  const screeningSettings = {
    deadlineMs: config.decisionDeadlineMs,
    defaultRegion: config.defaultRegion,
    unknownRouteAction: config.unknownRouteAction,
  };
  const screening = {
    routes,
    check: (e164: string, names: string[]) => lists.checkEach(e164, names),
    checkCounting: (e164: string, names: string[], counters: CallCounter[]) => lists.checkCounting(e164, names, counters),
    checkGuarded: (guard: CheckGuard, e164: string, names: string[], counters: CallCounter[]) => lists.checkGuarded(guard, e164, names, counters),
    autoBlock: async (list: string, e164: string, expiresAt: number, reason: string) => {
      await lists.add(list, [{ member: e164, expiresAt }], { by: AUTO_BLOCK_ACTOR, reason, source: AUTO_BLOCK_SOURCE });
    },
    settings: screeningSettings,
    log,
  };

  const campaigns = new CampaignStore(redis, config.redis.namespace);
  const hours = new HoursStore(redis, config.redis.namespace);
  const rules = { policy: (name: string) => hours.get(name), caps: new CapCounter(redis, config.redis.namespace) };
  const recordOutbound = async (outcome: AgentCallOutcome): Promise<void> => callLog.append(agentCallLogEntry(outcome));

  const app = new StasisApp({
    calls,
    log,
    inbound: async (call) => {
      metrics.callsInFlight.inc();
      try {
        const outcome = await handleInbound(call, { calls, ...screening });
        record(outcome);
      } finally {
        metrics.callsInFlight.dec();
      }
    },
    outbound: (call) =>
      handleAgentCall(
        call,
        {
          calls,
          events: ari,
          campaigns,
          lists,
          rules,
          // Nobody rings yet while an agent's call is checked: the outbound deadline, not the inbound one.
          settings: { deadlineMs: DEFAULT_OUTBOUND_CHECK_DEADLINE_MS, defaultRegion: config.defaultRegion },
          callerIds: new CallerIdPicker(redis, config.redis.namespace),
          ...(config.features.blockDigits === ''
            ? {}
            : { inCallBlock: { digits: config.features.blockDigits, list: config.features.list, use: useFeature } }),
          log,
        },
        recordOutbound,
      ),
  });
  // Every serve runs a dialer; instances share the requests through the consumer group.
  const dialer = new Dialer({
    redis: background,
    namespace: config.redis.namespace,
    dial: createDialerLeg({ calls, events: ari, dialplan: ariDialplanCheck(rest, ownApp), log }),
    logger: log,
    lists: new GatedListStore(formatMigration, background, config.redis.namespace),
    rules,
    defaultRegion: config.defaultRegion,
    leaseMs: config.dialer.leaseMs,
    reclaimIdleMs: config.dialer.reclaimIdleMs,
  });
  // Channels left in the shared app by an instance that died are this one's to decide while it holds the app.
  const sweep = new StasisSweep({
    app: config.ari.app,
    view: ariSweepView(rest, calls, config.ari.app),
    census: peerCensus(ari),
    stasis: app,
    log,
  });
  ari.peers?.answer(PEER_EVENTS.census, answerCensus((channelIds) => app.handling(channelIds)));
  let stopping = false;
  ari.on('stasisStart', (event) => app.onStasisStart(event));
  ari.on('state', (state) => {
    metrics.ariConnected.set(ariUp(state) ? 1 : 0);
    metrics.ariStandby.set(state === 'standby' ? 1 : 0);
    if (state === 'connected') sweep.start();
    else sweep.stop();
  });
  redisHealth.on('change', (state) => metrics.redisConnected.set(state === 'ready' ? 1 : 0));
  metrics.redisConnected.set(redisHealth.state === 'ready' ? 1 : 0);

  const readiness = (): Readiness => {
    const problems = watch.problems();
    const detail: Record<string, string> = { ari: ari.state, redis: redisHealth.state };
    if (problems.eviction) detail.redisPolicy = problems.eviction;
    if (problems.lists.length > 0) detail.lists = problems.lists.map((alarm) => `${alarm.list}: ${alarm.kind}`).join(', ');
    const ready = ariUp(ari.state) && redisHealth.state === 'ready' && !problems.eviction && problems.lists.length === 0;
    return { ready, detail };
  };
  const health = await startHealthServer({ ...config.health, readiness, registry: metrics.registry }).catch(
    async (error: unknown) => {
      await callLog.close();
      disconnectRedis();
      throw error;
    },
  );
  redisHealth.start();
  watch.start();
  const auditTrim = new AuditTrim(redis, config.redis.namespace, log.child({ component: 'audit-trim' }));
  auditTrim.start();
  log.info({ health: `${health.address.host}:${health.address.port}` }, 'health and metrics listening');
  const agi = config.agi === undefined ? undefined : await startAgi(config.agi);
  async function startAgi(listen: { host: string; port: number }): Promise<AgiServer> {
    const agiLog = log.child({ component: 'agi' });
    const handle = agiApp({
      screening,
      recordCall: record,
      useFeature,
      lastCallers: new LastCallers(redis, config.redis.namespace),
      featureList: config.features.list,
      // features.conf is not ours to read; its sequence is documented to match this one.
      blockCode: config.features.blockDigits === '' ? '*9' : config.features.blockDigits,
      log: agiLog,
    });
    const server = await AgiServer.listen({
      ...listen,
      log: agiLog,
      handler: async (session) => {
        metrics.callsInFlight.inc();
        try {
          await handle(session);
        } finally {
          metrics.callsInFlight.dec();
        }
      },
    }).catch(async (error: unknown) => {
      redisHealth.stop();
      await watch.stop();
      await callLog.close();
      disconnectRedis();
      await health.close();
      throw error;
    });
    log.info({ agi: `${server.address.host}:${server.address.port}` }, 'FastAGI listening');
    return server;
  }
  ari.start();
  // Dialling needs ARI (or every attempt would fail); the dialer then rides out outages of either by itself.
  void Promise.all([ari.connected(), redisReady(redis), evictionCheck]).then(
    () => {
      if (!stopping) dialer.start();
    },
    () => undefined,
  );
  void logReadyLine({
    ready: Promise.all([ari.connected(), redisReady(redis)]).then(() => undefined),
    stopping: () => stopping,
    config,
    health: health.address,
    rest,
    redis,
    log,
  });

  const service: RunningService = {
    health: health.address,
    ...(agi === undefined ? {} : { agi: agi.address }),
    metrics,
    readiness,
    ready: () => Promise.all([ari.connected(), redisReady(redis)]).then(() => undefined),
    stop: async () => {
      stopping = true;
      // Screening goes on until a standby holds the shared app, so no call in between goes unscreened.
      const handover = await ari.handOver();
      log.info({ callsInFlight: app.callsInFlight, handover }, STOPPING_MESSAGES[handover]);
      // The dialer's calls in flight end (and record their results) while ARI and Redis are still up.
      // A FastAGI request arriving now fails at once and the dialplan goes on unscreened.
      const [drained, agiDrained] = await Promise.all([app.drain(), agi?.close(), dialer.stop()]);
      const heldApp = ari.state === 'connected';
      sweep.stop();
      ari.close();
      // A call let into Stasis() just before the websocket closed got no StasisStart: send it on.
      if (heldApp) {
        await sweep.pass(0).catch((error: unknown) => log.warn({ err: error }, 'last look for channels left in the Stasis app failed'));
        await app.drain();
      }
      rest.close();
      redisHealth.stop();
      await watch.stop();
      await auditTrim.stop();
      await callLog.close();
      await Promise.all([redis, background].map((client) => client.quit().catch(() => client.disconnect())));
      await health.close();
      const unfinished = drained.unfinished + (agiDrained?.unfinished ?? 0);
      log.info({ unfinished }, 'callguard stopped');
      return { unfinished };
    },
  };
  try {
    await evictionCheck;
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/**
 * A standby counts as up: its websocket and own app work (it dials), and it takes the
 * shared app over by itself the moment the instance holding it stops. Taking it out of
 * rotation would only hide a healthy spare; the detail `ari: 'standby'` tells it apart.
 */
function ariUp(state: ConnectionState): boolean {
  return state === 'connected' || state === 'standby';
}

/**
 * Refuses to start on a Redis whose eviction policy may drop list entries, unless
 * allowed. Waits for Redis at most REDIS_START_CHECK_WAIT_MS, less when it refuses the login.
 */
async function refuseEvictingRedis(redis: RedisClient, health: RedisHealth, watch: RedisWatch, allowEviction: boolean): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onChange: ((state: string) => void) | undefined;
  const givenUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, REDIS_START_CHECK_WAIT_MS);
    onChange = (state) => {
      if (state === 'auth-failed') resolve();
    };
    health.on('change', onChange);
  });
  await Promise.race([redisReady(redis), givenUp]);
  clearTimeout(timer);
  if (onChange) health.off('change', onChange);
  if (redis.status !== 'ready') return;
  const safety = await watch.readNow();
  const problem = safety && evictionProblem(safety);
  if (problem && !allowEviction) {
    throw new Error(`${problem}; or set CALLGUARD_ALLOW_EVICTION=1 (--allow-eviction) to run anyway`);
  }
}

function redisReady(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

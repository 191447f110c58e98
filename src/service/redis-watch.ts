import type { RedisClient } from '../redis/connect.js';
import { ListSizeAlarms, type ListAlarm } from '../lists/size-alarms.js';
import type { ListStore } from '../lists/store.js';
import { listAgeMs } from '../lists/source-date.js';
import type { ListSizeReading } from '../lists/types.js';
import type { Logger } from '../log.js';
import { evictionProblem, persistenceProblem, readRedisSafety, type RedisSafety } from '../redis/safety.js';
import type { ServiceMetrics } from './metrics.js';

export interface RedisWatchOptions {
  redis: RedisClient;
  lists: ListStore;
  /** run on a Redis whose policy may evict (loudly) rather than refuse it */
  allowEviction: boolean;
  intervalMs: number;
  /** a list whose data is older than this gets a warning (once, until it is fresh again) */
  listMaxAgeMs: number;
  /** the clock list ages are measured with */
  clock?: () => number;
  log: Logger;
  metrics: ServiceMetrics;
}

/** What keeps the service from being ready, as the last reading found it. */
export interface RedisWatchProblems {
  /** the policy evicts and that was not allowed */
  eviction?: string;
  lists: ListAlarm[];
}

/**
 * Reads, every interval, whether Redis keeps what callguard stores (its eviction policy
 * and persistence, readRedisSafety) and whether each list still holds what its size
 * says (ListSizeAlarms), and reports changes: a log line when something goes wrong and
 * when it is mended, the metrics, and the problems readiness refuses on. A reading that
 * fails (Redis down or stalled) changes nothing: the probe reports that.
 */
export class RedisWatch {
  private readonly alarms = new ListSizeAlarms();
  /** lists warned about as older than listMaxAgeMs, until their data is fresh again */
  private readonly stale = new Set<string>();
  private safety: RedisSafety | undefined;
  private current: RedisWatchProblems = { lists: [] };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private reading: Promise<void> | undefined;

  constructor(private readonly options: RedisWatchOptions) {}

  problems(): RedisWatchProblems {
    return this.current;
  }

  /** One reading now; resolves with Redis' safety as read (undefined when Redis did not answer). */
  async readNow(): Promise<RedisSafety | undefined> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    await this.reading;
    return this.safety;
  }

  start(): void {
    const next = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.readNow().then(next), this.options.intervalMs);
      this.timer.unref();
    };
    next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.reading;
  }

  private async read(): Promise<void> {
    const { redis, lists, log } = this.options;
    if (redis.status !== 'ready') return;
    try {
      this.noteSafety(await readRedisSafety(redis));
      const readings = await lists.sizes(this.alarms.known);
      this.noteAlarms(this.alarms.assess(readings), readings);
    } catch (error) {
      log.debug({ err: error }, 'Redis watch: reading failed, trying again at the next interval');
    }
  }

  private noteSafety(safety: RedisSafety): void {
    const { log, metrics, allowEviction } = this.options;
    const before = this.safety;
    this.safety = safety;
    metrics.redisEvicting.set(safety.evicts ? 1 : 0);
    metrics.redisPersistsNothing.set(safety.persistence === 'none' ? 1 : 0);
    const eviction = evictionProblem(safety);
    if (safety.maxmemoryPolicy !== before?.maxmemoryPolicy) {
      if (eviction && allowEviction) {
        log.warn({ maxmemoryPolicy: safety.maxmemoryPolicy, problem: eviction }, 'Redis may evict list entries: running anyway, as --allow-eviction says');
      } else if (eviction) {
        log.error({ maxmemoryPolicy: safety.maxmemoryPolicy, problem: eviction }, 'Redis may evict list entries: not ready until maxmemory-policy is noeviction');
      } else if (before) {
        log.info({ maxmemoryPolicy: safety.maxmemoryPolicy }, 'Redis maxmemory-policy changed');
      }
    }
    if (safety.persistence !== before?.persistence) {
      const unpersisted = persistenceProblem(safety);
      if (unpersisted) log.warn({ persistence: safety.persistence, problem: unpersisted }, 'Redis persists nothing');
      else if (safety.persistence === 'unknown') log.info('Redis persistence settings cannot be read (CONFIG refused)');
      else if (before) log.info({ persistence: safety.persistence }, 'Redis persistence changed');
    }
    this.current = { ...this.current, eviction: eviction && !allowEviction ? eviction : undefined };
  }

  private noteAlarms(alarms: ListAlarm[], readings: ListSizeReading[]): void {
    const { log, metrics } = this.options;
    const key = (alarm: ListAlarm): string => `${alarm.list}\u0000${alarm.kind}`;
    const before = new Map(this.current.lists.map((alarm) => [key(alarm), alarm]));
    for (const alarm of alarms) {
      metrics.listAlarm.set({ list: alarm.list, kind: alarm.kind }, 1);
      if (!before.delete(key(alarm))) log.error({ ...alarm }, LIST_ALARM_MESSAGES[alarm.kind]);
    }
    for (const ended of before.values()) {
      metrics.listAlarm.remove({ list: ended.list, kind: ended.kind });
      log.info({ list: ended.list, kind: ended.kind }, 'list alarm over');
    }
    metrics.listEntries.reset();
    for (const reading of readings) if (reading.exists) metrics.listEntries.set({ list: reading.name }, reading.entries);
    this.current = { ...this.current, lists: alarms };
    this.noteAges(readings);
  }

  /** The age of each list's data, and a warning the first time one is older than allowed. */
  private noteAges(readings: ListSizeReading[]): void {
    const { log, metrics, listMaxAgeMs } = this.options;
    const now = (this.options.clock ?? Date.now)();
    metrics.listAge.reset();
    for (const reading of readings) {
      const age = reading.exists ? listAgeMs(reading.source, now) : undefined;
      if (age === undefined) {
        this.stale.delete(reading.name);
        continue;
      }
      metrics.listAge.set({ list: reading.name }, Math.floor(age / 1000));
      if (age > listMaxAgeMs && !this.stale.has(reading.name)) {
        this.stale.add(reading.name);
        log.warn(
          { list: reading.name, ageSeconds: Math.floor(age / 1000), maxAgeSeconds: listMaxAgeMs / 1000, dataDate: new Date(reading.source?.dataDate ?? 0).toISOString(), file: reading.source?.name },
          'list data older than the allowed age: load a fresh copy',
        );
      } else if (age <= listMaxAgeMs && this.stale.delete(reading.name)) {
        log.info({ list: reading.name, ageSeconds: Math.floor(age / 1000) }, 'list data fresh again');
      }
    }
  }
}

const LIST_ALARM_MESSAGES: Record<ListAlarm['kind'], string> = {
  'entries-lost': 'list lost entries: its keys hold fewer members than its size',
  vanished: 'list vanished: its keys are gone without a list rm',
  'rolled-back': 'list rolled back: its newest change is gone (a failover to a replica without it?)',
};

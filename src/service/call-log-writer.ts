import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import type { Logger } from '../log.js';
import { appendCallLogOnce, type CallLogEntry, type PendingCallLogEntry } from '../screening/call-log.js';
import type { CallLogSpool } from './call-log-spool.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * Entries kept at most while Redis does not take them: about an hour of a busy contact
 * centre's calls (30/s), some 40 MB. Past it new entries are dropped, each one logged.
 */
export const CALL_LOG_MAX_PENDING = 100_000;
/** Entries a script call appends at most, so catching up after an outage never holds Redis long. */
const CALL_LOG_BATCH = 200;
/**
 * How long a new entry waits for others to share its script call. One script call a call
 * cost serve about a sixth of its CPU at 100 calls/s (bench:peer's CPU profile); the entries
 * of this window go in one. The call itself is acted on before its entry is queued.
 */
export const CALL_LOG_COALESCE_MS = 50;
/** Waits between tries while Redis does not take entries; a reconnection ends the wait at once. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;
/** At a stop, how long entries still waiting may take to reach a Redis that answers. */
export const CALL_LOG_STOP_WAIT_MS = 2_000;

export interface CallLogWriterOptions {
  redis: RedisClient;
  namespace: string;
  log: Logger;
  metrics: Pick<ServiceMetrics, 'callLogPending' | 'callLogDropped'>;
  /** a file that keeps waiting entries across a restart; none: in memory only */
  spool?: CallLogSpool;
  maxPending?: number;
  now?: () => number;
}

/**
 * Writes call-log entries in the order of the calls, and keeps those Redis does not take
 * (down, stalled, a write whose answer never came) until it does, each written once:
 * every entry carries an id, and the append script skips ids it appended already, so a
 * write that reached Redis after its timeout is not written again (appendCallLogOnce).
 * One writer works the queue, oldest first; while entries wait, later calls queue
 * behind them, so the log keeps the order in which calls were decided.
 */
export class CallLogWriter {
  private readonly queue: PendingCallLogEntry[] = [];
  private readonly idPrefix = randomBytes(6).toString('hex');
  private sequence = 0;
  private draining: Promise<void> | undefined;
  /** set while entries wait out CALL_LOG_COALESCE_MS before the next write */
  private coalescing: NodeJS.Timeout | undefined;
  private closing = false;
  private wake: (() => void) | undefined;
  /** set while entries wait for Redis: counts for the line logged when they are written */
  private outage: { written: number; alreadyWritten: number; dropped: number } | undefined;
  private readonly log: Logger;
  private readonly maxPending: number;
  private readonly now: () => number;

  constructor(private readonly options: CallLogWriterOptions) {
    this.log = options.log.child({ component: 'call-log' });
    this.maxPending = options.maxPending ?? CALL_LOG_MAX_PENDING;
    this.now = options.now ?? Date.now;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Opens the spool, if any, and queues what a previous run left in it, first. */
  async open(): Promise<void> {
    if (!this.options.spool) return;
    const { left, unreadable } = await this.options.spool.open();
    if (unreadable > 0) this.log.warn({ unreadable, spool: this.options.spool.dir }, 'call log: spool lines that could not be read were skipped');
    if (left.length === 0) return;
    this.log.info({ entries: left.length, spool: this.options.spool.dir }, 'call log: writing the entries a previous run kept in the spool');
    this.queue.push(...left);
    this.changed();
    this.kick();
  }

  append(entry: CallLogEntry): void {
    if (this.closing) return;
    if (this.queue.length >= this.maxPending) {
      this.options.metrics.callLogDropped.inc();
      if (this.outage) this.outage.dropped += 1;
      this.log.error({ channel: entry.channel, entry, maxPending: this.maxPending }, 'call-log entry dropped: too many entries wait for Redis');
      return;
    }
    const pending = { id: `${this.idPrefix}-${(this.sequence++).toString(36)}`, entry };
    this.queue.push(pending);
    this.options.spool?.append(pending);
    this.changed();
    // A write in flight picks this entry up when it is done; otherwise wait for company.
    if (this.draining || this.coalescing) return;
    this.coalescing = setTimeout(() => {
      this.coalescing = undefined;
      this.kick();
    }, CALL_LOG_COALESCE_MS);
  }

  /**
   * Stops taking entries. Those still waiting get CALL_LOG_STOP_WAIT_MS to reach a Redis
   * that answers; what is left stays in the spool for the next start or, without one, is
   * logged entry by entry (the only record left of those calls).
   */
  async close(): Promise<{ unwritten: number }> {
    if (this.coalescing) {
      clearTimeout(this.coalescing);
      this.coalescing = undefined;
      this.kick();
    }
    if (this.draining && this.options.redis.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.draining, new Promise((resolve) => (timer = setTimeout(resolve, CALL_LOG_STOP_WAIT_MS)))]);
      clearTimeout(timer);
    }
    this.closing = true;
    this.wake?.();
    await this.draining;
    const unwritten = this.queue.length;
    const { spool } = this.options;
    if (unwritten > 0 && spool) {
      await spool.begin(this.queue);
      this.log.warn({ unwritten, spool: spool.dir }, 'call log: entries Redis has not taken stay in the spool for the next start');
    } else if (unwritten > 0) {
      for (const { entry } of this.queue) {
        this.log.error({ channel: entry.channel, entry }, 'call-log entry not written: Redis did not take it before the stop');
      }
    }
    await spool?.close();
    return { unwritten };
  }

  private kick(): void {
    if (this.draining || this.closing) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // An entry queued while the loop was ending would wait for the next one otherwise.
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (this.queue.length > 0 && !this.closing) {
      const batch = this.queue.slice(0, CALL_LOG_BATCH);
      let result: { appended: number; skipped: number };
      try {
        result = await appendCallLogOnce(this.options.redis, this.options.namespace, batch, this.now());
      } catch (error) {
        if (this.closing) return;
        await this.keepForLater(error);
        await this.pause(delay);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        continue;
      }
      delay = RETRY_MIN_MS;
      this.queue.splice(0, batch.length);
      this.changed();
      if (this.outage) {
        this.outage.written += result.appended;
        this.outage.alreadyWritten += result.skipped;
      }
      if (this.queue.length === 0) await this.caughtUp();
    }
  }

  /** The first failure of an outage: say so once, and start the spool with what waits. */
  private async keepForLater(error: unknown): Promise<void> {
    if (this.outage) return;
    this.outage = { written: 0, alreadyWritten: 0, dropped: 0 };
    this.log.warn({ err: error, pending: this.queue.length }, 'call log: Redis does not take entries; keeping them until it does');
    const { spool } = this.options;
    if (!spool) return;
    try {
      await spool.begin(this.queue);
    } catch (spoolError) {
      this.log.error({ err: spoolError, spool: spool.dir }, 'call log: cannot write the spool; entries are kept in memory only');
    }
  }

  private async caughtUp(): Promise<void> {
    const { spool } = this.options;
    // A spool left behind only means entries sent again at the next start, which skips them.
    await spool?.clear().catch((error: unknown) => this.log.error({ err: error, spool: spool.dir }, 'call log: cannot remove the spool'));
    if (!this.outage) return;
    this.log.info({ ...this.outage }, 'call log: the entries kept while Redis did not take them are written');
    this.outage = undefined;
  }

  /** Waits `ms`, or less: until Redis (re)connects, or close() is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.options.redis.off('ready', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.options.redis.once('ready', done);
      this.wake = done;
    });
  }

  private changed(): void {
    this.options.metrics.callLogPending.set(this.queue.length);
  }
}

import type { RedisClient } from '../redis/connect.js';
import type { Logger } from '../log.js';
import { isAfter, lastCallLogId, readCallLogAfter, waitForCallsAfter, type LoggedCall } from '../screening/call-log.js';

/** One XREAD waits this long for new calls before it asks again (and notices a stop). */
const FEED_BLOCK_MS = 5_000;
/** Calls read per XREAD or XRANGE. */
const FEED_BATCH = 500;
/** A client that reconnects with Last-Event-ID gets at most this many missed calls replayed. */
const FEED_REPLAY_MAX = 1_000;
/** After a failed read (Redis away), the next try waits this long. */
const FEED_RETRY_MS = 1_000;

interface Subscriber {
  deliver: (calls: LoggedCall[]) => void;
  /** the id of the last call handed to it; undefined: every call from now on */
  lastId: string | undefined;
  /** calls read live while its replay of missed calls still runs */
  held: LoggedCall[] | undefined;
}

/**
 * The live feed of screened calls for the console's server-sent events: ONE blocking read
 * of the call log per API process (its own connection), however many browsers watch,
 * running only while someone does. A subscriber that names the last call it saw gets the
 * calls it missed first, then the live ones, each call once.
 */
export class CallFeed {
  private readonly subscribers = new Set<Subscriber>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly redis: RedisClient,
    /** held by XREAD BLOCK: a connection of its own */
    private readonly blocking: RedisClient,
    private readonly namespace: string,
    private readonly log: Logger,
  ) {}

  /** Calls after `after` (a call-log id; undefined: from now), then each new one. Returns the unsubscribe. */
  async subscribe(after: string | undefined, deliver: (calls: LoggedCall[]) => void): Promise<() => void> {
    const subscriber: Subscriber = { deliver, lastId: after, held: after === undefined ? undefined : [] };
    this.subscribers.add(subscriber);
    this.running ??= this.run();
    const unsubscribe = () => {
      this.subscribers.delete(subscriber);
    };
    if (after !== undefined) {
      try {
        const missed = await readCallLogAfter(this.redis, this.namespace, after, FEED_REPLAY_MAX);
        this.hand(subscriber, missed.calls);
      } finally {
        const held = subscriber.held ?? [];
        subscriber.held = undefined;
        this.hand(subscriber, held);
      }
    }
    return unsubscribe;
  }

  /** Ends the read; subscribers get nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribers.clear();
    this.blocking.disconnect();
    await this.running;
  }

  private hand(subscriber: Subscriber, calls: LoggedCall[]): void {
    if (subscriber.held) {
      subscriber.held.push(...calls);
      return;
    }
    const fresh = calls.filter((call) => isAfter(call.id, subscriber.lastId));
    if (fresh.length === 0) return;
    subscriber.lastId = (fresh.at(-1) as LoggedCall).id;
    subscriber.deliver(fresh);
  }

  private async run(): Promise<void> {
    let position: string | undefined;
    while (!this.stopped && this.subscribers.size > 0) {
      try {
        position ??= await lastCallLogId(this.redis, this.namespace);
        const read = await waitForCallsAfter(this.blocking, this.namespace, position, FEED_BLOCK_MS, FEED_BATCH);
        position = read.lastId ?? position;
        for (const subscriber of this.subscribers) this.hand(subscriber, read.calls);
      } catch (error) {
        if (this.stopped) break;
        this.log.warn({ err: error }, 'live call feed: reading the call log failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, FEED_RETRY_MS));
      }
    }
    this.running = undefined;
  }
}

import { randomBytes } from 'node:crypto';
import { isCluster, type RedisClient } from '../redis/connect.js';
import { globalKeys } from '../lists/keys.js';
import type { Logger } from '../log.js';
import { eventSources, streamIdTime, type EventSource, type WebhookEvent } from './events.js';
import type { Webhook, WebhookStore } from './store.js';

/** How long the reader's lease lasts; it is renewed at every read, so another instance takes over this long after one dies. */
export const READER_LEASE_MS = 10_000;
/**
 * How long one XREAD waits for new entries (on Redis Cluster the wait after a read that
 * found none): also how soon a new list's audit stream is read.
 */
export const READ_BLOCK_MS = 1_000;
/** Entries read per stream per XREAD. */
const READ_COUNT = 500;
/** The wait after an error, or while there is nothing to read for (no webhook, another instance reading). */
export const READER_IDLE_MS = 1_000;

export interface ReaderDeps {
  store: WebhookStore;
  /** for the list index */
  redis: RedisClient;
  /** a connection of its own: XREAD BLOCK holds it */
  blocking: RedisClient;
  namespace: string;
  log: Logger;
  /** called with the events queued by each read */
  onQueued: (events: WebhookEvent[]) => void;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Reads the streams events come from (the call log, the dial results, each list's audit)
 * from where it left off, and queues each event for every webhook that wants it; the
 * cursor moves in the same MULTI as the queueing, so an event is queued once and never
 * lost. One api instance at a time reads (a lease in Redis); the others stand by.
 */
export class EventReader {
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly owner = randomBytes(8).toString('hex');
  private lastError = '';

  constructor(private readonly deps: ReaderDeps) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!(await this.readOnce())) await this.deps.sleep(READER_IDLE_MS);
        this.lastError = '';
      } catch (error) {
        if (this.stopped) return;
        const message = error instanceof Error ? error.message : String(error);
        // Redis away: one line per different error, then quiet retries.
        if (message !== this.lastError) this.deps.log.warn({ err: error }, 'webhook event reader failed, retrying');
        this.lastError = message;
        await this.deps.sleep(READER_IDLE_MS);
      }
    }
  }

  /** One read; false when there was nothing to read for. */
  private async readOnce(): Promise<boolean> {
    const { store, redis, blocking, namespace } = this.deps;
    // While Redis is away its connections say so in the log; the reader just waits.
    if (redis.status !== 'ready' || blocking.status !== 'ready') return false;
    if (!(await store.holdReaderLease(this.owner, READER_LEASE_MS))) return false;
    const hooks = await store.all();
    if (hooks.length === 0) return false;
    const lists = (await redis.smembers(globalKeys(namespace).lists)).sort();
    const sources = eventSources(namespace, lists).filter((source) => wantedBy(hooks, source).length > 0);
    if (sources.length === 0) return false;
    const stored = await store.cursors(sources.map((source) => source.key));
    const ids = sources.map((source, i) => stored[i] ?? startOf(wantedBy(hooks, source)));
    const reply = await this.readStreams(blocking, sources.map((source) => source.key), ids);
    if (reply === null || this.stopped) return true;
    const byKey = new Map(sources.map((source) => [source.key, source]));
    const items: { hook: string; event: WebhookEvent }[] = [];
    const moved = new Map<string, string>();
    for (const [key, entries] of reply) {
      const source = byKey.get(key);
      if (!source) continue;
      for (const [id, fields] of entries) {
        moved.set(key, id);
        const event = source.toEvent(id, fields);
        if (!event) continue;
        for (const hook of hooks) {
          if (hook.events.includes(event.type) && streamIdTime(id) >= hook.createdAt) items.push({ hook: hook.name, event });
        }
      }
    }
    await store.queue(items, moved, Date.now());
    if (items.length > 0) this.deps.onQueued(items.map((item) => item.event));
    return true;
  }

  /**
   * The new entries of each stream after its id, or null when none came within
   * READ_BLOCK_MS. On a standalone Redis one XREAD BLOCK reads every stream. On a Redis
   * Cluster one XREAD cannot span slots, and the call log, the dial results and each
   * list's audit stream are each in a slot of their own: there each stream gets an XREAD
   * of its own, sent together, without BLOCK (blocked reads on one connection would run
   * one after the other), and a read that found nothing waits READ_BLOCK_MS before the
   * next, so an event is read at most about as late as with BLOCK.
   */
  private async readStreams(blocking: RedisClient, keys: string[], ids: string[]): Promise<StreamReply | null> {
    if (!isCluster(blocking)) {
      return (await blocking.xread('COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS', ...keys, ...ids)) as StreamReply | null;
    }
    const replies = await Promise.all(keys.map((key, i) => blocking.xread('COUNT', READ_COUNT, 'STREAMS', key, ids[i] as string) as Promise<StreamReply | null>));
    const read = replies.flatMap((reply) => reply ?? []);
    if (read.length > 0) return read;
    await this.deps.sleep(READ_BLOCK_MS);
    return null;
  }
}

type StreamReply = [string, [string, string[]][]][];

function wantedBy(hooks: Webhook[], source: EventSource): Webhook[] {
  return hooks.filter((hook) => hook.events.some((type) => source.types.includes(type)));
}

/** Where a stream never read before is read from: just before the oldest webhook that wants it was added. */
function startOf(hooks: Webhook[]): string {
  return `${Math.max(0, Math.min(...hooks.map((hook) => hook.createdAt)) - 1)}-0`;
}

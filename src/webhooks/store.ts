import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import { LIST_NAME_PATTERN, webhookKeys } from '../lists/keys.js';
import { isEventType, type EventType, type WebhookEvent } from './events.js';
import { defineWebhookScripts } from './scripts.js';

/** Webhook names follow the list-name rule: they are part of Redis keys and log lines. */
export const WEBHOOK_NAME_PATTERN = LIST_NAME_PATTERN;
/** A shorter secret is guessable enough to forge a signature. */
export const MIN_SECRET_LENGTH = 16;
/** Delivery attempts kept per webhook (approximately; older ones are trimmed). */
export const DELIVERIES_KEPT = 1_000;

export interface Webhook {
  name: string;
  url: string;
  events: EventType[];
  /** the HMAC key; never shown after creation */
  secret: string;
  /** ms since epoch of Redis' clock: events before it are not sent to this webhook */
  createdAt: number;
  createdBy: string;
}

export type WebhookInfo = Omit<Webhook, 'secret'>;

/** An event waiting in a webhook's queue. */
export interface QueuedEvent {
  event: WebhookEvent;
  attempts: number;
  lastError?: string;
}

/** One attempt, as `webhook deliveries` shows it. */
export interface Delivery {
  id: string;
  event: string;
  type: string;
  attempt: number;
  status: 'delivered' | 'failed' | 'dropped';
  /** the receiver's HTTP status; absent when it did not answer */
  code?: number;
  ms: number;
  error?: string;
  at: number;
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly code: 'exists' | 'missing' | 'invalid',
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export interface NewWebhook {
  name: string;
  url: string;
  events: string[];
  /** generated when absent */
  secret?: string;
  createdBy: string;
}

/**
 * Webhooks and their delivery queues in Redis (keys.ts webhookKeys), one cluster slot:
 * queueing an event and moving the reader's cursor are one MULTI, and so are the steps
 * of a delivery's outcome.
 */
export class WebhookStore {
  readonly keys: ReturnType<typeof webhookKeys>;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
  ) {
    defineWebhookScripts(redis);
    this.keys = webhookKeys(namespace);
  }

  /** Adds a webhook; returns it with its secret (the only time the secret is shown). */
  async add(input: NewWebhook): Promise<Webhook> {
    if (!WEBHOOK_NAME_PATTERN.test(input.name)) {
      throw new WebhookError(`"${input.name}" is not a webhook name: 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit`, 'invalid');
    }
    const url = parseWebhookUrl(input.url);
    const events = [...new Set(input.events)];
    const unknown = events.filter((event) => !isEventType(event));
    if (events.length === 0 || unknown.length > 0) {
      throw new WebhookError(`${unknown.length > 0 ? `unknown event ${unknown.map((e) => JSON.stringify(e)).join(', ')}` : 'no events'}: give some of entry.added, entry.cancelled, import.finished, call.blocked, campaign.blacklisted`, 'invalid');
    }
    if (input.secret !== undefined && input.secret.length < MIN_SECRET_LENGTH) {
      throw new WebhookError(`the secret must be at least ${MIN_SECRET_LENGTH} characters (or leave it out and one is made)`, 'invalid');
    }
    const [seconds, micros] = await this.redis.time();
    const webhook: Webhook = {
      name: input.name,
      url,
      events: events as EventType[],
      secret: input.secret ?? randomBytes(24).toString('base64url'),
      createdAt: Number(seconds) * 1000 + Math.floor(Number(micros) / 1000),
      createdBy: input.createdBy,
    };
    if ((await this.redis.hsetnx(this.keys.hooks, webhook.name, JSON.stringify(webhook))) === 0) {
      throw new WebhookError(`a webhook named ${webhook.name} exists already`, 'exists');
    }
    return webhook;
  }

  /** Every webhook, with its secret (for the sender; front doors show infoOf). */
  async all(): Promise<Webhook[]> {
    const all = await this.redis.hgetall(this.keys.hooks);
    return Object.values(all)
      .map(parseWebhook)
      .filter((hook): hook is Webhook => hook !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes a webhook with its queue and its delivery log. */
  async remove(name: string): Promise<void> {
    const [[, removed]] = (await this.redis
      .multi()
      .hdel(this.keys.hooks, name)
      .del(this.keys.due(name), this.keys.events(name), this.keys.deliveries(name))
      .exec()) as [[Error | null, number]];
    if (removed === 0) throw new WebhookError(`no webhook named ${name}`, 'missing');
  }

  /** Events waiting for delivery, and the newest attempts first. */
  async deliveries(name: string, limit: number): Promise<{ pending: number; deliveries: Delivery[] }> {
    if ((await this.redis.hexists(this.keys.hooks, name)) === 0) throw new WebhookError(`no webhook named ${name}`, 'missing');
    const [pending, entries] = await Promise.all([
      this.redis.zcard(this.keys.due(name)),
      this.redis.xrevrange(this.keys.deliveries(name), '+', '-', 'COUNT', limit),
    ]);
    return { pending, deliveries: entries.map(([id, fields]) => parseDelivery(id, fields)) };
  }

  /**
   * Queues events for their webhooks and moves the readers' cursors past them, in one
   * MULTI: a crash leaves either both or neither, so nothing read is lost. An event
   * already queued keeps its attempts (HSETNX, ZADD NX).
   */
  async queue(items: { hook: string; event: WebhookEvent }[], cursors: Map<string, string>, now: number): Promise<void> {
    const multi = this.redis.multi();
    for (const { hook, event } of items) {
      const queued: QueuedEvent = { event, attempts: 0 };
      multi.hsetnx(this.keys.events(hook), event.id, JSON.stringify(queued)).zadd(this.keys.due(hook), 'NX', now, event.id);
    }
    for (const [key, id] of cursors) multi.hset(this.keys.cursors, key, id);
    const replies = await multi.exec();
    const failed = replies?.find(([error]) => error !== null);
    if (!replies || failed) throw failed?.[0] ?? new Error('Redis discarded the webhook queue transaction');
  }

  /** The last entry id read of each source stream, or undefined. */
  async cursors(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    return (await this.redis.hmget(this.keys.cursors, ...keys)).map((id) => id ?? undefined);
  }

  /** Takes or keeps the event reader's lease; true when `owner` holds it. */
  async holdReaderLease(owner: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.callguardWebhookLock(this.keys.lock, owner, leaseMs)) === 1;
  }

  /** Due events of a webhook, each leased until `leaseEnd`. */
  async claim(name: string, now: number, limit: number, leaseEnd: number): Promise<{ id: string; queued: QueuedEvent }[]> {
    const reply = await this.redis.callguardWebhookClaim(this.keys.due(name), this.keys.events(name), now, limit, leaseEnd);
    const claimed: { id: string; queued: QueuedEvent }[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) claimed.push({ id: reply[i] as string, queued: JSON.parse(reply[i + 1] as string) as QueuedEvent });
    return claimed;
  }

  /** Delivered, or given up on: out of the queue, into the delivery log. */
  async settle(name: string, id: string, delivery: Omit<Delivery, 'id'>): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.keys.due(name), id)
      .hdel(this.keys.events(name), id)
      .xadd(this.keys.deliveries(name), 'MAXLEN', '~', DELIVERIES_KEPT, '*', ...deliveryFields(delivery))
      .exec();
  }

  /** Failed: tried again at `retryAt`, the attempt in the delivery log. */
  async retry(name: string, id: string, queued: QueuedEvent, retryAt: number, delivery: Omit<Delivery, 'id'>): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.keys.due(name), 'XX', retryAt, id)
      .hset(this.keys.events(name), id, JSON.stringify(queued))
      .xadd(this.keys.deliveries(name), 'MAXLEN', '~', DELIVERIES_KEPT, '*', ...deliveryFields(delivery))
      .exec();
  }
}

export function infoOf(webhook: Webhook): WebhookInfo {
  return { name: webhook.name, url: webhook.url, events: webhook.events, createdAt: webhook.createdAt, createdBy: webhook.createdBy };
}

/** A name for a webhook from its URL's host (`hooks.example.com` → `hooks-example-com`). */
export function nameFromUrl(text: string): string {
  const host = parseWebhookUrl(text).replace(/^https?:\/\//, '').split(/[/:?#]/)[0] ?? '';
  return host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'webhook';
}

function parseWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookError(`"${text}" is not a URL; write e.g. https://crm.example.com/callguard`, 'invalid');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookError(`"${text}" must start with http:// or https://`, 'invalid');
  return url.toString();
}

function parseWebhook(text: string): Webhook | undefined {
  try {
    const raw = JSON.parse(text) as Partial<Webhook>;
    if (typeof raw.name !== 'string' || typeof raw.url !== 'string' || typeof raw.secret !== 'string' || !Array.isArray(raw.events)) return undefined;
    return {
      name: raw.name,
      url: raw.url,
      events: raw.events.filter((event): event is EventType => typeof event === 'string' && isEventType(event)),
      secret: raw.secret,
      createdAt: typeof raw.createdAt === 'number' ? raw.createdAt : 0,
      createdBy: typeof raw.createdBy === 'string' ? raw.createdBy : '',
    };
  } catch {
    // A hand-edited entry that is not JSON sends nothing.
    return undefined;
  }
}

function deliveryFields(delivery: Omit<Delivery, 'id'>): string[] {
  const fields = ['event', delivery.event, 'type', delivery.type, 'attempt', String(delivery.attempt), 'status', delivery.status, 'ms', String(delivery.ms), 'at', String(delivery.at)];
  if (delivery.code !== undefined) fields.push('code', String(delivery.code));
  if (delivery.error !== undefined) fields.push('error', delivery.error);
  return fields;
}

function parseDelivery(id: string, flat: string[]): Delivery {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] as string, flat[i + 1] as string);
  const status = fields.get('status');
  const delivery: Delivery = {
    id,
    event: fields.get('event') ?? '',
    type: fields.get('type') ?? '',
    attempt: Number(fields.get('attempt') ?? 0),
    status: status === 'delivered' || status === 'dropped' ? status : 'failed',
    ms: Number(fields.get('ms') ?? 0),
    at: Number(fields.get('at') ?? 0),
  };
  const code = fields.get('code');
  if (code !== undefined) delivery.code = Number(code);
  const error = fields.get('error');
  if (error !== undefined) delivery.error = error;
  return delivery;
}

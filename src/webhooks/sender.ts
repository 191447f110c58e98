import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signature, TIMESTAMP_HEADER } from './signature.js';
import type { QueuedEvent, Webhook, WebhookStore } from './store.js';

/** A receiver that has not answered within this long has failed the attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How often the queues are looked at when nothing wakes the sender. */
export const SEND_POLL_MS = 250;
/** Deliveries at once per webhook, so one slow receiver does not hold the others up. */
export const IN_FLIGHT_PER_WEBHOOK = 8;
/** The wait after a first failure; it doubles with each attempt up to the configured maximum. */
export const FIRST_RETRY_MS = 1_000;
/** A delivery's lease outlasts its timeout by this much, so it is never delivered twice at once. */
const LEASE_MARGIN_MS = 5_000;
/** Longest receiver error text kept in the delivery log. */
const MAX_ERROR_LENGTH = 200;

export interface SenderSettings {
  /** an event its receiver kept failing for this long (since it happened) is dropped */
  dropAfterMs: number;
  retryMaxMs: number;
}

export interface SenderDeps {
  store: WebhookStore;
  log: Logger;
  settings: SenderSettings;
  onResult: (webhook: string, result: 'delivered' | 'failed' | 'dropped') => void;
  sleep: (ms: number) => Promise<void>;
  /** whether Redis is connected */
  ready: () => boolean;
}

/**
 * Delivers queued events: a signed POST each, at least once, with exponential backoff
 * after a failure. An event whose receiver has failed it for longer than dropAfterMs is
 * dropped, with a log line and a metric. Runs in every api instance; the claim script's
 * lease keeps two from sending one event at once.
 */
export class EventSender {
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly inFlight = new Map<string, Set<Promise<void>>>();
  private readonly failing = new Set<string>();
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;

  constructor(private readonly deps: SenderDeps) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Looks at the queues now (new events were queued). */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops sending. Deliveries under way are abandoned, not recorded: their lease runs out
   * and an instance delivers them again (at least once, never lost).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wake();
    await this.running;
    await Promise.all([...this.inFlight.values()].flatMap((set) => [...set]));
  }

  private async loop(): Promise<void> {
    let lastError = '';
    while (!this.stopped) {
      try {
        // While Redis is away its connection says so in the log; the sender just waits.
        if (this.deps.ready()) for (const hook of await this.deps.store.all()) await this.sendDue(hook);
        lastError = '';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) this.deps.log.warn({ err: error }, 'webhook sender failed, retrying');
        lastError = message;
      }
      if (this.stopped) break;
      await Promise.race([this.deps.sleep(SEND_POLL_MS), new Promise<void>((resolve) => (this.wakeUp = resolve))]);
      this.wakeUp = undefined;
    }
  }

  private async sendDue(hook: Webhook): Promise<void> {
    const running = this.inFlight.get(hook.name) ?? new Set<Promise<void>>();
    this.inFlight.set(hook.name, running);
    const room = IN_FLIGHT_PER_WEBHOOK - running.size;
    if (room <= 0) return;
    const now = Date.now();
    for (const { id, queued } of await this.deps.store.claim(hook.name, now, room, now + DELIVERY_TIMEOUT_MS + LEASE_MARGIN_MS)) {
      const delivery: Promise<void> = this.deliver(hook, id, queued)
        .catch((error: unknown) => this.deps.log.warn({ err: error, webhook: hook.name, event: id }, 'webhook delivery not recorded; it is sent again'))
        .finally(() => running.delete(delivery));
      running.add(delivery);
    }
  }

  private async deliver(hook: Webhook, id: string, queued: QueuedEvent): Promise<void> {
    const attempt = queued.attempts + 1;
    const body = JSON.stringify(queued.event);
    const timestamp = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let code: number | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'callguard-webhooks/1',
          [EVENT_ID_HEADER]: queued.event.id,
          [EVENT_TYPE_HEADER]: queued.event.type,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signature(hook.secret, timestamp, body),
        },
        body,
        // A redirect is the receiver's misconfiguration: following it would send the signed event elsewhere.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), this.abort.signal]),
      });
      code = response.status;
      await response.body?.cancel();
      if (code < 200 || code > 299) error = `HTTP ${code}`;
    } catch (failure) {
      if (this.stopped) return;
      error = describeFailure(failure);
    }
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    const record = { event: queued.event.id, type: queued.event.type, attempt, ms, at: Date.now(), ...(code === undefined ? {} : { code }) };
    const { store, log, settings } = this.deps;
    if (error === undefined) {
      await store.settle(hook.name, id, { ...record, status: 'delivered' });
      this.deps.onResult(hook.name, 'delivered');
      if (this.failing.delete(hook.name)) log.info({ webhook: hook.name }, 'webhook receiver answers again');
      return;
    }
    this.deps.onResult(hook.name, 'failed');
    if (!this.failing.has(hook.name)) {
      this.failing.add(hook.name);
      log.warn({ webhook: hook.name, event: queued.event.id, error }, 'webhook receiver failing; events wait and are retried');
    }
    const age = Date.now() - Date.parse(queued.event.at);
    if (age >= settings.dropAfterMs) {
      await store.settle(hook.name, id, { ...record, status: 'dropped', error });
      this.deps.onResult(hook.name, 'dropped');
      log.warn({ webhook: hook.name, event: queued.event.id, type: queued.event.type, attempts: attempt, ageMs: age, error }, 'webhook event dropped: its receiver kept failing');
      return;
    }
    const retryAt = Date.now() + backoff(attempt, settings.retryMaxMs);
    await store.retry(hook.name, id, { ...queued, attempts: attempt, lastError: error }, retryAt, { ...record, status: 'failed', error });
  }
}

/** The wait before attempt n+1: doubling from FIRST_RETRY_MS up to `maxMs`, ±20% so retries of many events spread out. */
export function backoff(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, FIRST_RETRY_MS * 2 ** Math.min(attempt - 1, 30));
  return Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
}

/** What went wrong, short, without the URL (it may carry a receiver's key). */
function describeFailure(failure: unknown): string {
  if (failure instanceof Error && failure.name === 'TimeoutError') return `no answer within ${DELIVERY_TIMEOUT_MS} ms`;
  const cause = failure instanceof Error ? (failure.cause as { code?: string; message?: string } | undefined) : undefined;
  const text = cause?.code ?? cause?.message ?? (failure instanceof Error ? failure.message : String(failure));
  return text.slice(0, MAX_ERROR_LENGTH);
}

import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../redis/connect.js';
import type { Logger } from '../log.js';
import type { WebhookEvent } from './events.js';
import { EventReader } from './reader.js';
import { EventSender, type SenderSettings } from './sender.js';
import { WebhookStore } from './store.js';

export interface WebhookWorkerDeps {
  redis: RedisClient;
  /** a connection for the reader's blocking XREAD alone; the worker closes it at stop */
  blocking: RedisClient;
  namespace: string;
  log: Logger;
  settings: SenderSettings;
  onQueued: (events: WebhookEvent[]) => void;
  onResult: (webhook: string, result: 'delivered' | 'failed' | 'dropped') => void;
}

/** The webhooks' background work in `callguard api`: read events, deliver them. Never on the call path. */
export function startWebhookWorker(deps: WebhookWorkerDeps): { stop(): Promise<void> } {
  const log = deps.log.child({ component: 'webhooks' });
  const stopping = new AbortController();
  const sleep = (ms: number): Promise<void> => delay(ms, undefined, { signal: stopping.signal, ref: false }).catch(() => undefined);
  const store = new WebhookStore(deps.redis, deps.namespace);
  const sender = new EventSender({ store, log, settings: deps.settings, onResult: deps.onResult, sleep, ready: () => deps.redis.status === 'ready' });
  const reader = new EventReader({
    store,
    redis: deps.redis,
    blocking: deps.blocking,
    namespace: deps.namespace,
    log,
    sleep,
    onQueued: (events) => {
      deps.onQueued(events);
      sender.wake();
    },
  });
  reader.start();
  sender.start();
  return {
    stop: async () => {
      stopping.abort();
      // Ends a blocking XREAD at once instead of waiting out its timeout.
      deps.blocking.disconnect();
      await Promise.all([reader.stop(), sender.stop()]);
    },
  };
}

import { createRequire } from 'node:module';
import type { AsteriskTarget } from '../helpers/asterisk-sandbox.js';

/** The parts of an ARI event the end-to-end tests look at. */
export interface AriEvent {
  type: string;
  application?: string;
  args?: string[];
  channel?: {
    id: string;
    name: string;
    caller: { name: string; number: string };
    dialplan?: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
  };
  dialplan_app?: string;
  dialplan_app_data?: string;
}

interface AriClientModule {
  connect(url: string, user: string, password: string): Promise<AriClient>;
}

interface AriClient {
  on(event: '*', listener: (event: AriEvent) => void): void;
  start(apps: string | string[], subscribeAll?: boolean): Promise<void>;
  stop(): void;
  channels: {
    getChannelVar(params: { channelId: string; variable: string }): Promise<{ value: string }>;
    hangup(params: { channelId: string; reason_code?: string; reason?: string }): Promise<void>;
    continueInDialplan(params: { channelId: string; context: string; extension: string; priority: number }): Promise<void>;
  };
}

export interface TestAriClient {
  /** Every event received so far, oldest first. */
  events: AriEvent[];
  /** The first event (already received or still to come) that matches. */
  waitFor(matches: (event: AriEvent) => boolean, timeoutMs?: number): Promise<AriEvent>;
  getVariable(channelId: string, variable: string): Promise<string>;
  hangup(channelId: string, reasonCode?: number): Promise<void>;
  continueTo(channelId: string, context: string, extension: string, priority?: number): Promise<void>;
  close(): void;
}

// ari-client ships no type declarations; this file is the only place that touches it
// untyped, and only for the handful of calls above.
const ari = createRequire(import.meta.url)('ari-client') as AriClientModule;
const DEFAULT_WAIT_MS = 10_000;

/**
 * An ARI client for assertions: registers `app` (the dialplan's Stasis app name, or an
 * observer name with subscribeAll to see every channel's dialplan steps) and records
 * every event.
 */
export async function connectTestAri(
  target: AsteriskTarget,
  app: string,
  options: { subscribeAll?: boolean } = {},
): Promise<TestAriClient> {
  const client = await ari.connect(target.ariUrl, target.ariUser, target.ariPassword);
  const events: AriEvent[] = [];
  const waiters = new Set<{ matches: (event: AriEvent) => boolean; resolve: (event: AriEvent) => void }>();
  client.on('*', (event) => {
    events.push(event);
    for (const waiter of waiters) {
      if (waiter.matches(event)) {
        waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  });
  await client.start(app, options.subscribeAll ?? false);

  return {
    events,
    waitFor(matches, timeoutMs = DEFAULT_WAIT_MS) {
      const seen = events.find(matches);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          matches,
          resolve: (event: AriEvent) => {
            clearTimeout(timer);
            resolve(event);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const types = events.map((event) => `${event.type}:${event.channel?.name ?? ''}`).join(', ');
          reject(new Error(`no matching ARI event within ${timeoutMs} ms; received: ${types}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async getVariable(channelId, variable) {
      return (await client.channels.getChannelVar({ channelId, variable })).value;
    },
    async hangup(channelId, reasonCode) {
      await client.channels.hangup(
        reasonCode === undefined ? { channelId } : { channelId, reason_code: String(reasonCode) },
      );
    },
    async continueTo(channelId, context, extension, priority = 1) {
      await client.channels.continueInDialplan({ channelId, context, extension, priority });
    },
    close() {
      client.stop();
    },
  };
}

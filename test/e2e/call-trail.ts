import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { readCallLog, type LoggedCall } from '../../src/screening/call-log.js';
import type { AriEvent, TestAriClient } from './ari-test-client.js';

/** What the end-to-end tests read back of a call: its call-log entry, and where it went in the dialplan. */

/** The newest call-log entry of a caller, once it is written (within CALL_LOG_COALESCE_MS of the action). */
export async function loggedCall(redis: Redis, namespace: string, raw: string): Promise<LoggedCall> {
  let found: LoggedCall | undefined;
  await expect
    .poll(async () => {
      found = (await readCallLog(redis, namespace, { limit: 1000 })).entries.find((entry) => entry.raw === raw);
      return found;
    })
    .toBeDefined();
  return found as LoggedCall;
}

/** The dialplan contexts a channel went through, as an observer app subscribed to every channel saw them. */
export function contextsOf(observer: TestAriClient, channelId: string): string[] {
  return observer.events
    .filter((event: AriEvent) => event.type === 'ChannelDialplan' && event.channel?.id === channelId)
    .map((event) => event.channel?.dialplan?.context ?? '');
}

/** A Redis client for a test that stops its Redis on purpose: refused reconnects are expected. */
export function stoppableRedisClient(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return client;
}

import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../src/redis/connect.js';
import { appendCallLogOnce, type CallLogEntry } from '../../src/screening/call-log.js';

/** Appends one call-log entry as serve's writer does, with an id of its own; for tests that need a log. */
export async function appendCallLog(redis: RedisClient, namespace: string, entry: CallLogEntry, maxLength?: number): Promise<void> {
  await appendCallLogOnce(redis, namespace, [{ id: randomBytes(6).toString('hex'), entry }], Date.now(), maxLength);
}

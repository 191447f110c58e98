import type { RedisClient } from '../redis/connect.js';

/**
 * What ioredis says when a command could not reach Redis: the connection is down (no
 * offline queue: commands fail at once), was closed, or the command timed out.
 */
const UNREACHABLE_MESSAGES = [/Stream isn't writeable/, /Connection is closed/, /Command timed out/, /connect ECONNREFUSED/, /Reached the max retries/];

/** True when `error` means Redis cannot be reached, so the answer is 503, not 500. */
export function isRedisDown(error: unknown, redis: RedisClient): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (UNREACHABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // An unexpected error while the connection is not ready comes from it going away.
  return redis.status !== 'ready';
}

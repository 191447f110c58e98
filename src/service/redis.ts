import { Redis } from 'ioredis';
import { redactRedisUrl } from '../cli/redis-url.js';
import type { Logger } from '../log.js';

/** Longest wait between two reconnection attempts; ioredis retries forever with this strategy. */
export const REDIS_RETRY_MAX_MS = 2_000;
/**
 * A command that gets no answer fails after this long, so a hung Redis does not pile up
 * pending commands; calls do not wait for it, the decision deadline is much shorter.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/**
 * The service's Redis connection. Reconnects forever; while it is down, commands fail at
 * once (no offline queue) instead of waiting, so a call's check becomes `unavailable`
 * within its deadline and nothing replays stale commands when Redis comes back.
 */
export function createServiceRedis(url: string, parent: Logger): Redis {
  const log = parent.child({ component: 'redis', redis: redactRedisUrl(url) });
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), REDIS_RETRY_MAX_MS),
  });
  let wasReady = false;
  let lastError = '';
  redis.on('ready', () => {
    wasReady = true;
    lastError = '';
    log.info('Redis connected');
  });
  redis.on('close', () => {
    if (wasReady) log.warn('Redis connection lost, reconnecting');
    wasReady = false;
  });
  redis.on('error', (error: Error) => {
    // ioredis reports every failed attempt; one line per different error is enough.
    if (error.message === lastError) return;
    lastError = error.message;
    log.warn({ error: { type: error.name, message: error.message } }, 'Redis error');
  });
  return redis;
}

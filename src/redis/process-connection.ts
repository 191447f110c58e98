import type { Logger } from '../log.js';
import { authFailureReason, isAuthError } from './auth.js';
import { connectRedis, type RedisClient } from './connect.js';
import { describeRedisTarget, type RedisTarget } from './target.js';

/**
 * Longest wait between two reconnection attempts; ioredis retries forever with this
 * strategy (with Sentinel: asking the sentinels again; with Cluster: the startup nodes).
 */
export const REDIS_RETRY_MAX_MS = 2_000;
/**
 * A command that gets no answer fails after this long, so a hung Redis does not pile up
 * pending commands; calls do not wait for it, the decision deadline is much shorter.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/**
 * A refused login is an error an operator must fix, not a blip: it is logged at once and
 * again this often while every reconnection is refused, so it stays in view in the logs.
 */
export const REDIS_AUTH_ERROR_LOG_INTERVAL_MS = 60_000;

export interface ServiceRedisOptions {
  /** the clock the auth error's repetition is timed by; tests pass their own */
  now?: () => number;
}

/** How long one connection attempt may take before it counts as failed and is retried. */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/**
 * The service's Redis connection. Reconnects forever; while it is down, commands fail at
 * once (no offline queue) instead of waiting, so a call's check becomes `unavailable`
 * within its deadline and nothing replays stale commands when Redis comes back. During
 * a Sentinel failover that is the time from the old primary's end to the new one's start.
 */
export function createServiceRedis(target: RedisTarget, parent: Logger, options: ServiceRedisOptions = {}): RedisClient {
  const now = options.now ?? Date.now;
  const log = parent.child({ component: 'redis', redis: describeRedisTarget(target) });
  const redis = connectRedis(target, {
    lazyConnect: false,
    connectTimeoutMs: REDIS_CONNECT_TIMEOUT_MS,
    offlineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS,
    reconnectDelay: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), REDIS_RETRY_MAX_MS),
    followFailovers: true,
  });
  let wasReady = false;
  let lastError = '';
  let authLoggedAt: number | undefined;
  redis.on('ready', () => {
    wasReady = true;
    lastError = '';
    authLoggedAt = undefined;
    log.info('Redis connected');
  });
  redis.on('close', () => {
    if (wasReady) log.warn('Redis connection lost, reconnecting');
    wasReady = false;
  });
  redis.on('error', (error: Error) => {
    if (isAuthError(error)) {
      if (authLoggedAt !== undefined && now() - authLoggedAt < REDIS_AUTH_ERROR_LOG_INTERVAL_MS) return;
      authLoggedAt = now();
      lastError = error.message;
      log.error(
        { err: error, problem: `Redis ${authFailureReason(error)}` },
        'Redis refused the login: not ready until REDIS_URL has the right user and password',
      );
      return;
    }
    // ioredis reports every failed attempt; one line per different error is enough.
    if (error.message === lastError) return;
    lastError = error.message;
    log.warn({ err: error }, 'Redis error');
  });
  return redis;
}

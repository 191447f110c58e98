import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import type { RedisTarget } from '../../src/redis/target.js';
import { assertMayUseRedis } from './test-kind.js';

export function testNamespace(): string {
  return `cgtest-${randomBytes(6).toString('hex')}`;
}

export function redisUrl(): string {
  assertMayUseRedis();
  return inject('redisUrl');
}

/** A client for one test; the caller quits it in afterEach/afterAll. */
export function testRedis(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}

/** One standalone Redis as the connection factory takes it, for tests that start serve's parts by hand. */
export function standaloneTarget(url: string): RedisTarget {
  return { mode: 'standalone', url };
}

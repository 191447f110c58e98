import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';

export function testNamespace(): string {
  return `cgtest-${randomBytes(6).toString('hex')}`;
}

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A client for one test; the caller quits it in afterEach/afterAll. */
export function testRedis(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}

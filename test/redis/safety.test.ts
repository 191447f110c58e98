import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evictionProblem, persistenceProblem, readRedisSafety } from '../../src/redis/safety.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';

describe('what a Redis keeps', () => {
  let server: RunningRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  it('noeviction and volatile-* keep every list; allkeys-* may evict them', async () => {
    for (const [policy, evicts] of [
      ['noeviction', false],
      ['volatile-lru', false],
      ['volatile-ttl', false],
      ['allkeys-lru', true],
      ['allkeys-lfu', true],
      ['allkeys-random', true],
    ] as const) {
      await redis.config('SET', 'maxmemory-policy', policy);
      const safety = await readRedisSafety(redis);
      expect({ policy, evicts: safety.evicts }).toEqual({ policy, evicts });
      expect(evictionProblem(safety) === undefined).toBe(!evicts);
    }
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
  });

  it('a Redis with neither an append-only file nor save points persists nothing; either one persists', async () => {
    await redis.config('SET', 'save', '');
    await redis.config('SET', 'appendonly', 'no');
    const none = await readRedisSafety(redis);
    expect(none.persistence).toBe('none');
    expect(persistenceProblem(none)).toMatch(/a restart of Redis empties every list/);

    await redis.config('SET', 'save', '3600 1');
    expect((await readRedisSafety(redis)).persistence).toBe('rdb');
    await redis.config('SET', 'appendonly', 'yes');
    expect((await readRedisSafety(redis)).persistence).toBe('aof+rdb');
    await redis.config('SET', 'save', '');
    const aof = await readRedisSafety(redis);
    expect(aof.persistence).toBe('aof');
    expect(persistenceProblem(aof)).toBeUndefined();
    await redis.config('SET', 'appendonly', 'no');
  });

  it('a user that may not run CONFIG still gets the policy, and persistence reads as unknown', async () => {
    await redis.acl('SETUSER', 'noconfig', 'on', '>pw', '~*', '&*', '+@all', '-config');
    const limited = new Redis(server.url, { username: 'noconfig', password: 'pw', maxRetriesPerRequest: 1 });
    try {
      expect(await readRedisSafety(limited)).toEqual({ maxmemoryPolicy: 'noeviction', evicts: false, persistence: 'unknown' });
    } finally {
      await limited.quit();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiConfig } from '../../src/api/config.js';
import { startApi } from '../../src/api/start.js';
import { testNamespace } from '../helpers/redis.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { capturedLogger } from '../helpers/log-capture.js';

describe('callguard api on a Redis that may evict', () => {
  let server: RunningRedis;
  beforeAll(async () => {
    server = await startRedisServer(undefined, ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(() => server.stop());

  const config = (allowEviction?: string) =>
    parseApiConfig({ listen: '127.0.0.1:0', redisUrl: server.url, namespace: testNamespace(), ...(allowEviction ? { allowEviction } : {}) });

  it('refuses to start, naming the policy and how to fix it', async () => {
    await expect(startApi(config(), capturedLogger().log)).rejects.toThrow(/maxmemory-policy is allkeys-lru.*noeviction/);
  });

  it('starts when allowed, and says so in a warning', async () => {
    const logs = capturedLogger();
    const api = await startApi(config('1'), logs.log);
    try {
      expect(logs.lines().some((line) => line.level === 40 && /evict/.test(String(line.msg)))).toBe(true);
    } finally {
      await api.stop();
    }
  });
});

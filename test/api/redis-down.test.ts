import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../helpers/redis-server.js';
import { startTestApi } from './helpers.js';
import { until } from '../helpers/until.js';

describe('Redis unreachable', () => {
  it('answers 503 problems and a 503 /readyz while Redis is down, and recovers by itself', async () => {
    const redis = await startRedisServer();
    const running = await startTestApi({}, redis.url);
    try {
      const { request, tokens } = running;
      expect((await request('GET', '/v1/lists', { token: tokens.viewer })).status).toBe(200);
      await running.redis.quit();
      await redis.stop();

      const down = await request('GET', '/v1/lists', { token: tokens.viewer });
      expect(down.status).toBe(503);
      expect(down.json).toMatchObject({ type: 'urn:callguard:problem:redis-unavailable', status: 503 });
      const unknownToken = await request('GET', '/v1/lists', { token: `cg_${'1'.repeat(16)}_${'B'.repeat(43)}` });
      expect(unknownToken.status).toBe(503);
      expect((await request('GET', '/readyz')).status).toBe(503);

      const again = await startRedisServer(redis.port);
      try {
        await until(async () => (await request('GET', '/readyz')).status === 200, 'the api ready again', { timeoutMs: 20_000, pollMs: 100 });
      } finally {
        await again.stop();
      }
    } finally {
      await running.api.stop();
    }
  });
});

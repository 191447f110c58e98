import { standaloneTarget } from '../helpers/redis.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/config.js';
import { RedisHealth } from '../../src/service/redis-health.js';
import { createServiceRedis, REDIS_AUTH_ERROR_LOG_INTERVAL_MS } from '../../src/redis/process-connection.js';
import { startService } from '../../src/service/service.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { freePort, startRedisServer, type RunningRedis } from '../helpers/redis-server.js';
import { testNamespace } from '../helpers/redis.js';

const REFUSED = 'Redis refused the login: not ready until REDIS_URL has the right user and password';

describe('serve on a Redis that refuses its login', () => {
  let server: RunningRedis;

  beforeAll(async () => {
    server = await startRedisServer(undefined, ['--requirepass', 'right-pw']);
  });
  afterAll(() => server?.stop());

  it('is auth-failed, logs an error at once and again each minute while refused, and is ready once let in', async () => {
    const logs = capturedLogger();
    let clock = 0;
    const redis = createServiceRedis(standaloneTarget(`redis://:wrong-pw@127.0.0.1:${server.port}`), logs.log, { now: () => clock });
    const health = new RedisHealth(redis, 1_000, logs.log);
    let refusals = 0;
    redis.on('error', (error: Error) => {
      if (error.message.startsWith('WRONGPASS')) refusals += 1;
    });
    const logged = () => logs.lines().filter((line) => line.msg === REFUSED);
    try {
      await expect.poll(() => health.state, { timeout: 10_000 }).toBe('auth-failed');
      await expect.poll(() => refusals, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      expect(logged()).toHaveLength(1);
      expect(logged()[0]).toMatchObject({ level: 50, problem: 'Redis refused the user name or password', err: { message: expect.stringMatching(/^WRONGPASS/) } });
      expect(JSON.stringify(logs.lines())).not.toContain('wrong-pw');

      clock += REDIS_AUTH_ERROR_LOG_INTERVAL_MS;
      await expect.poll(() => logged().length, { timeout: 20_000 }).toBe(2);

      const admin = createServiceRedis(standaloneTarget(`redis://:right-pw@127.0.0.1:${server.port}`), capturedLogger().log);
      await expect.poll(() => admin.status, { timeout: 10_000 }).toBe('ready');
      await admin.config('SET', 'requirepass', 'wrong-pw');
      admin.disconnect();
      await expect.poll(() => health.state, { timeout: 20_000 }).toBe('ready');
    } finally {
      redis.disconnect();
    }
  });

  it('startService starts, but is not ready, and says redis: auth-failed', async () => {
    const logs = capturedLogger();
    const config = parseServeConfig({
      ariUrl: `http://127.0.0.1:${await freePort()}`,
      ariUsername: 'callguard',
      ariPassword: 'unused',
      redisUrl: `redis://:not-it@127.0.0.1:${server.port}`,
      namespace: testNamespace(),
      region: 'DE',
      health: '127.0.0.1:0',
    });
    const service = await startService(config, logs.log);
    try {
      await expect.poll(() => service.readiness().detail.redis, { timeout: 10_000 }).toBe('auth-failed');
      expect(service.readiness().ready).toBe(false);
      const readyz = await fetch(`http://${service.health.host}:${service.health.port}/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toMatchObject({ ready: false, detail: { redis: 'auth-failed' } });
      expect(logs.lines().some((line) => line.msg === REFUSED)).toBe(true);
    } finally {
      await service.stop();
    }
  });
});

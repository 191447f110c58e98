import type { RedisClient } from '../../src/redis/connect.js';
import { standaloneTarget } from '../helpers/redis.js';
import { afterEach, expect, it } from 'vitest';
import { RedisHealth } from '../../src/service/redis-health.js';
import { createServiceRedis } from '../../src/redis/process-connection.js';
import { capturedLogger } from '../helpers/log-capture.js';
import { startRedisServer, type RunningRedis } from '../helpers/redis-server.js';

const PROBE_DEADLINE_MS = 300;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function watched(): Promise<{ server: RunningRedis; redis: RedisClient; health: RedisHealth; lines: () => Record<string, unknown>[] }> {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  const logs = capturedLogger();
  const redis = createServiceRedis(standaloneTarget(server.url), logs.log);
  cleanups.push(() => redis.disconnect());
  const health = new RedisHealth(redis, PROBE_DEADLINE_MS, logs.log);
  health.start();
  cleanups.push(() => health.stop());
  await expect.poll(() => health.state).toBe('ready');
  return { server, redis, health, lines: logs.lines };
}

it('a stalled Redis (SIGSTOP) reads as stalled while its socket stays open, and ready again after SIGCONT', async () => {
  const { server, redis, health, lines } = await watched();
  const states: string[] = [];
  health.on('change', (state) => states.push(state));

  server.pause();
  // One and a half deadlines at most (a probe every half deadline); the poll's margin is for a busy machine.
  await expect.poll(() => health.state, { timeout: 10 * PROBE_DEADLINE_MS, interval: 20 }).toBe('stalled');
  expect(redis.status).toBe('ready');

  server.resume();
  await expect.poll(() => health.state, { timeout: 10_000, interval: 20 }).toBe('ready');
  expect(states).toEqual(['stalled', 'ready']);
  expect(lines().map((line) => line.msg)).toEqual(
    expect.arrayContaining(['Redis stalled: no answer to PING within the probe deadline', 'Redis answers again']),
  );
});

it('a Redis that went away reads as its connection state, not as stalled', async () => {
  const { server, health } = await watched();
  await server.kill();
  await expect.poll(() => health.state, { timeout: 5_000 }).not.toBe('ready');
  expect(['connecting', 'reconnecting', 'close']).toContain(health.state);
  await server.restart();
  await expect.poll(() => health.state, { timeout: 10_000 }).toBe('ready');
});

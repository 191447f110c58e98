import type { TestProject } from 'vitest/node';
import { dockerEngineAvailable, startRedisContainer } from './redis-container.js';
import { startRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * One Redis for the whole run: REDIS_URL when given, else a testcontainers container
 * where a Docker engine runs (CALLGUARD_TEST_REDIS=server skips it), else a throwaway
 * redis-server. Tests isolate themselves by namespace, never by flushing. Tests that stop
 * or stall Redis start a redis-server of their own either way.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.REDIS_URL;
  if (given) {
    project.provide('redisUrl', given);
    return async () => {};
  }
  const useContainer = process.env.CALLGUARD_TEST_REDIS !== 'server' && (await dockerEngineAvailable());
  const redis = useContainer ? await startRedisContainer() : await startRedisServer();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}

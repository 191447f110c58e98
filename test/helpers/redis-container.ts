import { access } from 'node:fs/promises';
import type { RunningRedis } from './redis-server.js';

/** The image of the run-wide test Redis where a Docker engine runs: the server line DESIGN.md measures. */
export const REDIS_TEST_IMAGE = 'redis:7.0';
const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/**
 * Whether a Docker engine can be asked for a container: DOCKER_HOST names one, or the
 * default socket exists. Only then is testcontainers loaded; elsewhere (no engine, as on
 * the team's machines and in CI) the run uses a throwaway redis-server.
 */
export async function dockerEngineAvailable(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.DOCKER_HOST) return true;
  return access(DEFAULT_DOCKER_SOCKET).then(
    () => true,
    () => false,
  );
}

/** A Redis container for the whole run, without persistence, on a port Docker maps to loopback. */
export async function startRedisContainer(): Promise<Pick<RunningRedis, 'url' | 'port' | 'stop'>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(REDIS_TEST_IMAGE)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  const port = container.getMappedPort(6379);
  return {
    url: `redis://${container.getHost()}:${port}`,
    port,
    stop: async () => {
      await container.stop();
    },
  };
}

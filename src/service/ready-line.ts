import type { RedisClient } from '../redis/connect.js';
import type { AriRest } from '../calls/ari-rest.js';
import { describeConfig, type ServeConfig } from '../config.js';
import type { Logger } from '../log.js';

export interface ReadyLineDeps {
  /** resolves once ARI and Redis are both connected */
  ready: Promise<void>;
  stopping: () => boolean;
  config: ServeConfig;
  health: { host: string; port: number };
  rest: AriRest;
  redis: RedisClient;
  log: Logger;
}

/**
 * The one line an operator waits for: serve is taking calls, its health server is here,
 * and these are the Asterisk and the Redis it reached (versions, no credentials). A
 * version it cannot read is left out; it never delays or fails the service.
 */
export async function logReadyLine(deps: ReadyLineDeps): Promise<void> {
  await deps.ready;
  if (deps.stopping()) return;
  const [asterisk, redisVersion] = await Promise.all([asteriskVersion(deps.rest), redisServerVersion(deps.redis)]);
  const { ariUrl, ariApp, redis, namespace } = describeConfig(deps.config);
  deps.log.info(
    {
      health: `http://${deps.health.host}:${deps.health.port}`,
      ari: ariUrl,
      ariApp,
      ...(asterisk === undefined ? {} : { asterisk }),
      redis,
      ...(redisVersion === undefined ? {} : { redisVersion }),
      namespace,
    },
    'callguard ready',
  );
}

async function asteriskVersion(rest: AriRest): Promise<string | undefined> {
  const response = await rest.request('GET', '/asterisk/info').catch(() => undefined);
  const version = (response?.body as { system?: { version?: unknown } } | undefined)?.system?.version;
  return typeof version === 'string' ? version : undefined;
}

async function redisServerVersion(redis: RedisClient): Promise<string | undefined> {
  const info = await redis.info('server').catch(() => '');
  return /^redis_version:(\S+)/m.exec(info)?.[1];
}

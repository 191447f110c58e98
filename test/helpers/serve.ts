import { parseServeConfig, type ServeSettings } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/service/service.js';
import type { AsteriskTarget } from './asterisk-sandbox.js';

/**
 * `serve` in-process against a test Asterisk and Redis (region DE, health on a free
 * port), resolved once it is ready; `settings` adds to or overrides those.
 */
export async function startServeFor(
  asterisk: AsteriskTarget,
  redisUrl: string,
  namespace: string,
  log: Logger,
  settings: ServeSettings = {},
): Promise<RunningService> {
  const config = parseServeConfig({
    ariUrl: asterisk.ariUrl,
    ariUsername: asterisk.ariUser,
    ariPassword: asterisk.ariPassword,
    redisUrl,
    namespace,
    region: 'DE',
    health: '127.0.0.1:0',
    ...settings,
  });
  const service = await startService(config, log);
  await service.ready();
  return service;
}

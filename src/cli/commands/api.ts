import { Option, type Command } from 'commander';
import { API_DEFAULTS, API_SETTINGS, ApiConfigError, apiSettingsFromEnv, parseApiConfig, type ApiSettings } from '../../api/config.js';
import { createLogger } from '../../log.js';
import type { CliIo, GlobalOptions } from '../context.js';
import { environmentHelp } from '../environment.js';
import { CliError, UsageError } from '../../front-door/errors.js';
import { firstSignal } from './serve.js';

/** Redis, namespace and --allow-eviction are global options (every command has them); passwords come from the environment only. */
type ApiFlags = Omit<
  ApiSettings,
  'redisUrl' | 'redisSentinels' | 'redisSentinelName' | 'redisSentinelPassword' | 'redisCluster' | 'redisWaitReplicas' | 'allowEviction' | 'namespace'
>;

function option(key: keyof ApiFlags, valueName: string, description: string): Option {
  const { flag, env } = API_SETTINGS[key];
  const fallback = (API_DEFAULTS as Partial<Record<keyof ApiFlags, string>>)[key];
  return new Option(`${flag} <${valueName}>`, fallback ? `${description} (default: ${fallback})` : description).env(env);
}

/**
 * `callguard api`: the HTTP API, a process of its own so that an upload or a slow client
 * never stalls a call decision in serve. Runs until SIGTERM or SIGINT.
 */
export function registerApi(program: Command, _io: CliIo): void {
  program
    .command('api')
    .description('run the HTTP API: lists, checks, routes, campaigns, imports and webhooks for other systems')
    .addOption(option('listen', 'host:port', 'where the API listens; put a TLS reverse proxy in front of it'))
    .addOption(option('region', 'CC', 'region for national numbers when a request names none, e.g. DE'))
    .addOption(option('logLevel', 'level', 'fatal, error, warn, info, debug, trace or silent'))
    .addOption(option('trustProxy', 'how', 'false, true, a hop count, or the proxies\' addresses/CIDRs (X-Forwarded-For)'))
    .addOption(option('rateLimit', 'rate', 'requests per token: 100/s, 6000/min, or off'))
    .addOption(option('bodyLimit', 'size', 'largest JSON body'))
    .addOption(option('uploadLimit', 'size', 'largest import upload (spooled to disk)'))
    .addOption(option('webhookDropAfter', 'time', 'an event its receiver kept refusing this long is dropped'))
    .addOption(option('webhookRetryMax', 'time', 'longest wait between two delivery attempts'))
    .addHelpText(
      'after',
      `
Every request but /healthz, /readyz, /metrics and /v1/openapi.json needs a token
(Authorization: Bearer <token>); make one with: callguard token create --name <n> --role <r>
Errors are application/problem+json. The API document: GET /v1/openapi.json.
Webhooks (callguard webhook add) are delivered by this process. Details: docs/api.md

Redis must keep what the api writes: it refuses to start on a maxmemory-policy that
evicts keys (allkeys-*) unless --allow-eviction (CALLGUARD_ALLOW_EVICTION=1).

${environmentHelp(API_SETTINGS)}

Examples:
  $ callguard api
  $ CALLGUARD_API_LISTEN=127.0.0.1:9000 CALLGUARD_REGION=DE callguard api --trust-proxy 127.0.0.1

SIGTERM or SIGINT: no new requests, those in flight are finished, then exit 0.`,
    )
    .action(async (flags: ApiFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      let config;
      try {
        config = parseApiConfig({
          ...apiSettingsFromEnv(process.env),
          ...Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)),
          redisUrl: globals.redis,
          redisSentinels: globals.redisSentinels,
          redisSentinelName: globals.redisSentinelName,
          redisCluster: globals.redisCluster,
          ...(globals.redisWaitReplicas === undefined ? {} : { redisWaitReplicas: globals.redisWaitReplicas }),
          ...(globals.allowEviction ? { allowEviction: 'true' } : {}),
          namespace: globals.namespace,
        });
      } catch (error) {
        if (error instanceof ApiConfigError) throw new UsageError(error.message);
        throw error;
      }
      const log = createLogger({ level: config.logLevel });
      let api;
      try {
        // Loaded here, not at the top: Fastify, its plugins and the route schemas take a
        // second or more to load, which every other command would pay at each start.
        const { startApi } = await import('../../api/start.js');
        api = await startApi(config, log);
      } catch (error) {
        log.flush();
        throw new CliError(`api could not start: ${error instanceof Error ? error.message : String(error)}`);
      }
      const signal = await firstSignal(() => {
        log.warn('second signal: exiting without finishing requests');
        log.flush();
        process.exit(1);
      });
      log.info({ signal }, 'signal received');
      await api.stop();
      log.flush();
    });
}

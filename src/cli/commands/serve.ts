import { Option, type Command } from 'commander';
import { ConfigError, DEFAULTS, parseServeConfig, SETTINGS, settingsFromEnv, type ServeSettings } from '../../config.js';
import { createLogger } from '../../log.js';
import type { CliIo, GlobalOptions } from '../context.js';
import { environmentHelp } from '../environment.js';
import { CliError, UsageError } from '../../front-door/errors.js';

/** Redis and namespace are global options (every command has them); passwords come from the environment only. */
type ServeFlags = Omit<
  ServeSettings,
  'redisUrl' | 'redisSentinels' | 'redisSentinelName' | 'redisSentinelPassword' | 'redisCluster' | 'namespace' | 'ariPassword' | 'allowEviction'
>;

function option(key: keyof ServeFlags, valueName: string, description: string, fallback?: string): Option {
  const { flag, env } = SETTINGS[key];
  return new Option(`${flag} <${valueName}>`, fallback ? `${description} (default: ${fallback})` : description).env(env);
}

/**
 * `callguard serve`: the Stasis app. Runs until SIGTERM or SIGINT, then stops taking
 * calls, finishes those in flight and exits 0. stdout carries only JSON log lines.
 */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the Stasis app: screen every inbound call Asterisk hands to it')
    .addOption(option('ariUrl', 'url', 'Asterisk HTTP server address', DEFAULTS.ariUrl))
    .addOption(option('ariUsername', 'user', 'ARI user (ari.conf); the password comes from ARI_PASSWORD only'))
    .addOption(option('ariApp', 'name', 'Stasis app name used in the dialplan', DEFAULTS.ariApp))
    .addOption(option('region', 'CC', 'region for national caller numbers when the route names none, e.g. DE'))
    .addOption(option('deadlineMs', 'ms', 'decision deadline: a slower list check gives the verdict unavailable', DEFAULTS.deadlineMs))
    .addOption(
      option(
        'unknownRouteAction',
        'action',
        'for a route that does not exist: fallback (the dialplan line after Stasis()), hangup:<cause>, announce:<sound>[:<cause>] or continue:<context>,<exten>[,<prio>]',
        DEFAULTS.unknownRouteAction,
      ),
    )
    .addOption(option('health', 'host:port', 'where /healthz, /readyz and /metrics answer', DEFAULTS.health))
    .addOption(option('logLevel', 'level', 'fatal, error, warn, info, debug, trace or silent', DEFAULTS.logLevel))
    .addOption(
      option('dialerLeaseMs', 'ms', "a dial attempt's lease: how soon another instance redoes the attempt of one that died", DEFAULTS.dialerLeaseMs),
    )
    .addOption(
      option('dialerReclaimIdleMs', 'ms', 'how long a dial request read by an instance that died waits before another takes it', DEFAULTS.dialerReclaimIdleMs),
    )
    .addOption(option('agiListen', 'host:port', 'also answer FastAGI here, AGI(agi://<host:port>/screen?route=<route>) (default: off)'))
    .addOption(option('featureList', 'list', "the list agents' *9, *30 and *32 add to and *31 cancels on", DEFAULTS.featureList))
    .addOption(
      option('featureCodes', 'rules', 'who may use *30/*31/*32: "PJSIP/sup-*=30,31,32; PJSIP/1001=32" (default: nobody)'),
    )
    .addOption(
      option('blockDigits', 'digits', "DTMF an agent presses in a call callguard bridged to list the other party, or off", DEFAULTS.blockDigits),
    )
    .addOption(
      option('redisProbeMs', 'ms', 'readiness probe deadline: a PING unanswered this long makes Redis "stalled" (not ready)', DEFAULTS.redisProbeMs),
    )
    .addOption(
      option('redisWatchMs', 'ms', "how often Redis' eviction policy, persistence and every list's size are read again", DEFAULTS.redisWatchMs),
    )
    .addOption(
      option('listMaxAge', 'age', 'warn when the data of a list is older than this (its --source-date; its oldest area code\'s), e.g. 31d', DEFAULTS.listMaxAge),
    )
    .addOption(
      option('spoolDir', 'dir', 'keep call-log entries Redis does not take in a file here, across restarts (default: in memory only)'),
    )
    .addHelpText(
      'after',
      `
${environmentHelp(SETTINGS)}

Redis must keep what callguard stores: serve refuses to start on a maxmemory-policy
that evicts keys (allkeys-*) unless --allow-eviction (CALLGUARD_ALLOW_EVICTION=1), and
is not ready while the policy evicts, Redis stalls or refuses the login, or a list lost
entries (eviction, FLUSHALL, a failover); it warns when Redis persists nothing.

SIGTERM or SIGINT: a standby instance, when one runs, takes the new calls at once
(else they go on to the dialplan fallback), calls being decided are finished, then the
process exits 0. A second signal exits at once with code 1. deploy/ has a systemd unit.

FastAGI (--agi-listen 127.0.0.1:4573): the dialplan's [screen-agi] screens a call
without leaving the dialplan, *9 and *30/*31/*32 write to --feature-list. FastAGI has
no login: keep it on loopback, or let only the PBX reach it.`,
    )
    .action(async (flags: ServeFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      let config;
      try {
        config = parseServeConfig({
          ...settingsFromEnv(process.env),
          ...definedOnly(flags),
          redisUrl: globals.redis,
          redisSentinels: globals.redisSentinels,
          redisSentinelName: globals.redisSentinelName,
          redisCluster: globals.redisCluster,
          namespace: globals.namespace,
          ...(globals.allowEviction ? { allowEviction: 'true' } : {}),
        });
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
      const log = createLogger({ level: config.logLevel });
      // Listened for before the start: the ready line can be out while startService still
      // waits (the eviction check), and a SIGTERM then would end serve without its stop.
      const signalled = firstSignal(() => {
        log.warn('second signal: exiting without finishing calls');
        log.flush();
        process.exit(1);
      });
      let service;
      try {
        // Loaded here, not at the top: the service's modules (ARI, metrics, AGI) are what every
        // other command would otherwise load at each start.
        const { startService } = await import('../../service/service.js');
        service = await startService(config, log);
      } catch (error) {
        log.flush();
        throw new CliError(`serve could not start: ${error instanceof Error ? error.message : String(error)}`);
      }
      const signal = await signalled;
      log.info({ signal }, 'signal received');
      await service.stop();
      log.flush();
    });
}

function definedOnly(flags: ServeFlags): ServeFlags {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as ServeFlags;
}

/** Resolves with the first SIGTERM/SIGINT; a later one calls `onSecond`. */
export function firstSignal(onSecond: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: NodeJS.Signals): void => {
      if (received) {
        onSecond();
        return;
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

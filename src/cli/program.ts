import { Command, Option } from 'commander';
import { registerCommands } from './commands/index.js';
import type { CliIo } from './context.js';
import { environmentHelp, GLOBAL_SETTINGS as GLOBAL } from './environment.js';
import { throwCommandLineErrors } from './usage-errors.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_NAMESPACE = 'callguard';

/**
 * The whole `callguard` program. Commander prints no error of its own and exits nowhere:
 * every command throws a CommandLineError, which runCli() prints as one line and turns
 * into an exit code.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('callguard')
    .description('Real-time call screening for Asterisk: number lists in Redis, checked on every call.')
    .addOption(new Option(`${GLOBAL.redisUrl.flag} <url>`, 'Redis URL').env(GLOBAL.redisUrl.env).default(DEFAULT_REDIS_URL))
    .addOption(
      new Option(`${GLOBAL.redisSentinels.flag} <host:port,...>`, 'ask these Redis Sentinels for the primary (with --redis-sentinel-name)')
        .env(GLOBAL.redisSentinels.env),
    )
    .addOption(new Option(`${GLOBAL.redisSentinelName.flag} <name>`, 'the master group the sentinels monitor').env(GLOBAL.redisSentinelName.env))
    .addOption(new Option(`${GLOBAL.redisCluster.flag} <host:port,...>`, 'nodes of a Redis Cluster to start from').env(GLOBAL.redisCluster.env))
    .addOption(
      new Option(`${GLOBAL.redisWaitReplicas.flag} <n>`, 'replicas that must confirm each add and cancel (default: 1 with Sentinel or Cluster, else 0)')
        .env(GLOBAL.redisWaitReplicas.env),
    )
    .addOption(
      new Option(`${GLOBAL.namespace.flag} <prefix>`, 'prefix of every Redis key, so installations can share one Redis')
        .env(GLOBAL.namespace.env)
        .default(DEFAULT_NAMESPACE),
    )
    .option('--json', 'machine-readable JSON output, for scripts', false)
    .option(
      GLOBAL.allowEviction.flag,
      `write even though Redis' maxmemory-policy may evict list entries (env ${GLOBAL.allowEviction.env}=1); a warning says so`,
    )
    .addHelpText('after', `\n${environmentHelp(GLOBAL)}`)
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text), outputError: () => undefined });
  registerCommands(program, io);
  throwCommandLineErrors(program);
  return program;
}

import { Command, Option } from 'commander';
import { REDIS_TARGET_SETTINGS as REDIS } from '../redis/target.js';
import { registerCommands } from './commands/index.js';
import type { CliIo } from './context.js';
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
    .addOption(new Option('--redis <url>', 'Redis URL').env('REDIS_URL').default(DEFAULT_REDIS_URL))
    .addOption(
      new Option(`${REDIS.sentinels.flag} <host:port,...>`, 'ask these Redis Sentinels for the primary (with --redis-sentinel-name)')
        .env(REDIS.sentinels.env),
    )
    .addOption(new Option(`${REDIS.sentinelName.flag} <name>`, 'the master group the sentinels monitor').env(REDIS.sentinelName.env))
    .addOption(new Option(`${REDIS.cluster.flag} <host:port,...>`, 'nodes of a Redis Cluster to start from').env(REDIS.cluster.env))
    .addOption(
      new Option(`${REDIS.waitReplicas.flag} <n>`, 'replicas that must confirm each add and cancel (default: 1 with Sentinel or Cluster, else 0)')
        .env(REDIS.waitReplicas.env),
    )
    .addOption(
      new Option('--namespace <prefix>', 'prefix of every Redis key, so installations can share one Redis')
        .env('CALLGUARD_NAMESPACE')
        .default(DEFAULT_NAMESPACE),
    )
    .option('--json', 'machine-readable JSON output, for scripts', false)
    .option(
      '--allow-eviction',
      "write even though Redis' maxmemory-policy may evict list entries (env CALLGUARD_ALLOW_EVICTION=1); a warning says so",
    )
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text), outputError: () => undefined });
  registerCommands(program, io);
  throwCommandLineErrors(program);
  return program;
}

import { Command, Option } from 'commander';
import { registerCommands } from './commands/index.js';
import { contextOf, type CliContext, type CliIo } from './context.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_NAMESPACE = 'callguard';

/**
 * The whole `callguard` program. Errors throw instead of exiting (exitOverride, set
 * before the subcommands are added so they inherit it); runCli() turns them into exit codes.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('callguard')
    .description('Real-time call screening for Asterisk: number lists in Redis, checked on every call.')
    .addOption(new Option('--redis <url>', 'Redis URL').env('REDIS_URL').default(DEFAULT_REDIS_URL))
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
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride();
  registerCommands(program, io);
  return program;
}

/** Runs a command's work with a context that is always closed afterwards. */
export async function withContext<T>(
  command: Command,
  io: CliIo,
  work: (context: CliContext) => Promise<T>,
): Promise<T> {
  const context = contextOf(command, io);
  try {
    return await work(context);
  } catch (error) {
    throw context.lostRedis(error) ?? error;
  } finally {
    await context.close();
  }
}

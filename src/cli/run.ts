import { CommanderError } from 'commander';
import { ListError } from '../lists/types.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors.js';
import type { CliIo } from './context.js';
import { buildProgram } from './program.js';

/**
 * Runs `callguard` with `argv` (as process.argv: node, script, args...) and returns the
 * exit code. Every failure becomes one `callguard: ...` line on err, never a stack trace
 * (unless CALLGUARD_DEBUG is set). Tests call this in-process with their own io.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    return exitCodeOf(error, io);
  }
}

function exitCodeOf(error: unknown, io: CliIo): number {
  // Commander already printed its message; any parse error is a usage error.
  if (error instanceof CommanderError) return error.exitCode === EXIT_OK ? EXIT_OK : EXIT_USAGE;
  if (error instanceof CliError) {
    if (error.message) io.err(`callguard: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ListError) {
    io.err(`callguard: ${error.message}`);
    return error.code === 'invalid-name' ? EXIT_USAGE : EXIT_FAILURE;
  }
  io.err(`callguard: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.CALLGUARD_DEBUG) io.err(String(error instanceof Error ? error.stack : error));
  return EXIT_FAILURE;
}

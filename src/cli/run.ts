import { CommanderError } from 'commander';
import { ListError } from '../lists/types.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../front-door/errors.js';
import type { CliIo } from './context.js';
import { escapeControlCharacters } from '../front-door/format.js';
import { buildProgram } from './program.js';
import { usageErrorLine } from './usage-errors.js';

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
  // Any parse error is a usage error; help and --version end with 0.
  if (error instanceof CommanderError) {
    const line = usageErrorLine(error);
    if (line) io.err(line);
    return error.exitCode === EXIT_OK ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof CliError) {
    if (error.message) io.err(`callguard: ${printable(error.message)}`);
    return error.exitCode;
  }
  if (error instanceof ListError) {
    io.err(`callguard: ${printable(error.message)}`);
    return error.code === 'invalid-name' ? EXIT_USAGE : EXIT_FAILURE;
  }
  io.err(`callguard: unexpected error: ${printable(error instanceof Error ? error.message : String(error))}`);
  if (process.env.CALLGUARD_DEBUG) io.err(String(error instanceof Error ? error.stack : error));
  return EXIT_FAILURE;
}

/**
 * A message for the terminal: control characters escaped, except the line breaks of the
 * few messages that list one bad input a line (add with several invalid numbers).
 */
function printable(message: string): string {
  return message
    .split('\n')
    .map((line) => escapeControlCharacters(line))
    .join('\n');
}

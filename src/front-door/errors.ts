/**
 * Exit codes, the same for every command, so scripts can branch on them:
 *   0  done (check: the number is clear)
 *   1  the command could not do its work (no such list, unexpected error)
 *   2  bad input on the command line; nothing was written
 *   3  Redis could not be reached
 *   4  cancel: none of the numbers was listed, so nothing was cancelled
 *   5  add/cancel: written on the primary, but fewer replicas confirmed it than asked
 *   10 check: blocked · 11 check: hidden · 12 check: malformed
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_REDIS_UNREACHABLE = 3;
export const EXIT_NOTHING_CANCELLED = 4;
export const EXIT_NOT_REPLICATED = 5;
export const EXIT_BLOCKED = 10;
export const EXIT_HIDDEN = 11;
export const EXIT_MALFORMED = 12;

/** An error the user can fix: its message is printed as is, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Bad input on the command line (a number, a flag value): exit code 2, nothing written. */
export class UsageError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT_USAGE, options);
    this.name = 'UsageError';
  }
}

/**
 * Ends a command that already printed its result with an exit code that carries
 * meaning (check's verdict), without an error message.
 */
export class ExitWith extends CliError {
  constructor(exitCode: number) {
    super('', exitCode);
    this.name = 'ExitWith';
  }
}

/**
 * A Redis error fit for the log. ioredis hangs the failed command on its errors, with
 * every argument: the password of an AUTH or HELLO, a batch of call-log entries. The
 * log keeps the error and the command's name, not its arguments.
 */
export function redisErrorForLog(error: unknown): unknown {
  if (!(error instanceof Error) || !('command' in error)) return error;
  const copy = new Error(error.message);
  copy.name = error.name;
  copy.stack = error.stack;
  const command = (error as { command?: { name?: unknown } }).command;
  if (typeof command?.name === 'string') Object.assign(copy, { command: command.name });
  return copy;
}

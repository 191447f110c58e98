import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Field names that may carry a secret. Callguard never logs its configuration whole,
 * so this is a safety net for a field added carelessly later, not the protection itself.
 */
const REDACTED_PATHS = ['password', '*.password', 'ariPassword', 'authorization', '*.authorization'];

/**
 * pino's error serializer (type, message, stack, cause, and the error's own fields, such
 * as a CallControlError's operation and status), for the one field every log line puts
 * an error in: `err`. ioredis hangs the failed command on its errors with every
 * argument (the password of an AUTH or HELLO, a batch of call-log entries): only the
 * command's name is kept.
 */
export function serializeError(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  if (typeof serialized !== 'object' || serialized === null || !('command' in serialized)) return serialized;
  const command = (serialized as { command?: { name?: unknown } }).command;
  return { ...serialized, command: typeof command?.name === 'string' ? command.name : undefined };
}

export interface LoggerOptions {
  level?: LogLevel;
  /** where the JSON lines go; stdout when absent (tests pass a stream to read them) */
  destination?: DestinationStream;
}

/** The service logger: one JSON object a line, `msg` a short fixed text, data in fields. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: 'callguard',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '***' },
      serializers: { err: serializeError },
      base: { pid: process.pid },
    },
    options.destination ?? standardOutput(),
  );
}

/** Whether the service's stdout has its error listener (a process may make several loggers). */
let stdoutWatched = false;
/** Whether a write to stdout failed: said once, as every later line fails the same way. */
let stdoutLost = false;

/**
 * process.stdout, the service's log destination. To a pipe or socket (journald, Docker,
 * a supervisor) Node writes each line at once from the event loop's own thread without
 * blocking it: what a slow reader cannot take yet is buffered and written as the pipe
 * drains; to a file it writes synchronously. pino's asynchronous destination (sonic-boom,
 * `sync: false`) handed every line to a libuv thread-pool thread and back, two thread
 * wake-ups and an event-loop turn a line: about 55 µs more CPU a line at one line a
 * millisecond (docs/performance.md). A reader gone (EPIPE) ends the logging, not the
 * service, as pino's own destination does.
 */
function standardOutput(): DestinationStream {
  if (!stdoutWatched) {
    stdoutWatched = true;
    process.stdout.on('error', (error: Error) => {
      if (stdoutLost) return;
      stdoutLost = true;
      process.stderr.write(`callguard: log output lost: ${error.message}\n`);
    });
  }
  return process.stdout;
}

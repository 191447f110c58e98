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
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

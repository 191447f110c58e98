import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Field names that may carry a secret. Callguard never logs its configuration whole,
 * so this is a safety net for a field added carelessly later, not the protection itself.
 */
const REDACTED_PATHS = ['password', '*.password', 'ariPassword', 'authorization', '*.authorization'];

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
      base: { pid: process.pid },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

import { createLogger, type Logger } from '../../src/log.js';

/** A logger whose JSON lines a test can read back. */
export function capturedLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const written: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => void written.push(line) } });
  return {
    log,
    lines: () => written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

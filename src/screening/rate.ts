import { formatDelay, parseDelay } from './delay-syntax.js';

/** So many calls within a sliding window: `3/24h` (a campaign's cap per number), `7/15m` (an auto-block rule). */
export interface Rate {
  count: number;
  windowMs: number;
}

/** The longest window a rate may count over: its calls are kept in Redis that long. */
export const MAX_RATE_WINDOW_MS = 31 * 86_400_000;
export const MAX_RATE_COUNT = 1_000;

export class RateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RateSyntaxError';
  }
}

/** `3/24h`, `7/15m`, `15/1d`: a count from 1 and a window up to 31d. */
export function parseRate(text: string): Rate {
  const [count = '', window, extra] = text.trim().split('/');
  const windowMs = window === undefined || extra !== undefined ? null : safeDelay(window);
  if (!/^[1-9]\d{0,3}$/.test(count) || windowMs === null || windowMs === 0) {
    throw new RateSyntaxError(`"${text}" is not <calls>/<window>: write e.g. 3/24h or 7/15m (window in s, m, h or d)`);
  }
  const rate = { count: Number(count), windowMs };
  if (rate.count > MAX_RATE_COUNT) throw new RateSyntaxError(`"${text}": at most ${MAX_RATE_COUNT} calls`);
  if (rate.windowMs > MAX_RATE_WINDOW_MS) throw new RateSyntaxError(`"${text}": the window is at most ${formatDelay(MAX_RATE_WINDOW_MS)}`);
  return rate;
}

function safeDelay(text: string): number | null {
  try {
    return parseDelay(text);
  } catch {
    // parseDelay's own message names delays, not rates; parseRate says what a rate is.
    return null;
  }
}

export function formatRate(rate: Rate): string {
  return `${rate.count}/${formatDelay(rate.windowMs)}`;
}

/** Whether a stored value is a rate within the limits. */
export function isRate(value: unknown): value is Rate {
  if (typeof value !== 'object' || value === null) return false;
  const { count, windowMs } = value as Record<string, unknown>;
  return (
    typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= MAX_RATE_COUNT &&
    typeof windowMs === 'number' && Number.isInteger(windowMs) && windowMs >= 1_000 && windowMs <= MAX_RATE_WINDOW_MS
  );
}

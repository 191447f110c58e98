/** How long a wait lasts, unless the caller says otherwise, before it fails naming what it waited for. */
export const WAIT_TIMEOUT_MS = 10_000;
/** How often a wait looks again, unless the caller says otherwise. */
export const WAIT_POLL_MS = 10;

export interface WaitOptions {
  timeoutMs?: number;
  /** 0: look again at the next turn of the event loop */
  pollMs?: number;
}

/**
 * Polls `probe` until it gives something truthy (true, a value it found) and returns
 * that; past the timeout, throws naming `what`. State, not time, decides: the one wait
 * loop of the tests.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  what: string,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = WAIT_TIMEOUT_MS, pollMs = WAIT_POLL_MS } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => (pollMs === 0 ? setImmediate(resolve) : setTimeout(resolve, pollMs)));
  }
}

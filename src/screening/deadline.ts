/**
 * How long a call waits for Redis before screening gives up and the verdict becomes
 * `unavailable`. Loopback round trips are ~0.1 ms, so 150 ms only fires when Redis is
 * down, blocked or far away, and stays well under what a caller notices as ringing.
 */
export const DEFAULT_DECISION_DEADLINE_MS = 150;

export type DeadlineOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Runs `work` and settles with its value, or with a reason when it fails or takes longer
 * than `deadlineMs`. Never rejects; the timer is cleared as soon as the work settles, and
 * a late failure of the work is absorbed here rather than left as an unhandled rejection.
 */
export function withDeadline<T>(work: () => Promise<T>, deadlineMs: number): Promise<DeadlineOutcome<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      // After a stall of the event loop, the timer and Redis' reply can be due in the
      // same turn; timers run before the reply is read, so give the reply that turn
      // before calling the deadline missed.
      setImmediate(() => resolve({ ok: false, reason: `no answer within ${deadlineMs} ms` }));
    }, deadlineMs);
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: error instanceof Error ? error.message : String(error) });
      },
    );
  });
}

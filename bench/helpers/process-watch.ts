/** How often a child is read; what it does after the last read is not counted. */
const POLL_MS = 25;

/**
 * Polls `read` of a child process until the returned function is called, which returns
 * the highest value read (0 if none): for counters that only grow (CPU time, VmHWM), the
 * last read. `read` answers undefined once the process is gone; the previous read stands.
 */
export function watchHighest(child: { pid?: number | undefined }, read: (pid: number) => Promise<number | undefined>): () => number {
  let highest = 0;
  const poll = setInterval(() => {
    if (child.pid !== undefined) void read(child.pid).then((value) => (highest = Math.max(highest, value ?? 0)));
  }, POLL_MS);
  return () => {
    clearInterval(poll);
    return highest;
  };
}

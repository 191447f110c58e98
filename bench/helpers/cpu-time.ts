import { readFile } from 'node:fs/promises';
import { watchHighest } from './process-watch.js';

/** Clock ticks a second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/** User and system CPU ticks a process has used (Linux). */
export async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) in its parentheses: utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Polls a child's CPU time until the returned function is called; that returns it, in
 * seconds: what the process itself spent, the measure that the machine's load inflates
 * least (its wall time waits for the cores other work holds).
 */
export function watchCpuSeconds(child: { pid?: number | undefined }): () => number {
  const ticks = watchHighest(child, (pid) =>
    cpuTicks(pid).catch(() => {
      // The process exited between two polls; the previous read stands.
      return undefined;
    }),
  );
  return () => ticks() / TICKS_PER_SECOND;
}

/**
 * How often a process's main thread (its event loop, for Node) went to sleep and was woken:
 * its voluntary context switches (Linux). Each is one wait in epoll that had to block, so per
 * call it counts the event-loop wake-ups a call costs, a figure the machine's load moves
 * far less than CPU time (a loaded machine only lets a few more events share one wake-up).
 */
export async function loopWakeups(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/task/${pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

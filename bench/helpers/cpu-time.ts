import { readFile } from 'node:fs/promises';

/** Clock ticks a second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
/** How often a child's CPU time is read; what it spends after the last read is not counted. */
const POLL_MS = 25;

/** A running process's CPU time, user and system (Linux), in seconds; undefined once it is gone. */
async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) in its parentheses: utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    // The process exited between two polls; the previous read stands.
    return undefined;
  }
}

/**
 * Polls a child's CPU time until the returned function is called; that returns it, in
 * seconds: what the process itself spent, the measure that the machine's load inflates
 * least (its wall time waits for the cores other work holds).
 */
export function watchCpuSeconds(child: { pid?: number | undefined }): () => number {
  let seconds = 0;
  const poll = setInterval(() => {
    if (child.pid !== undefined) void cpuSecondsOf(child.pid).then((read) => (seconds = Math.max(seconds, read ?? 0)));
  }, POLL_MS);
  return () => {
    clearInterval(poll);
    return seconds;
  };
}

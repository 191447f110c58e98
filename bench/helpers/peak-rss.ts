import { readFile } from 'node:fs/promises';
import { watchHighest } from './process-watch.js';

/** Peak resident memory of a running process (Linux), in kB: VmHWM only grows, so the last read is the peak. */
export async function vmHwmKb(pid: number): Promise<number | undefined> {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb);
  } catch {
    // The process exited between two polls; the previous read stands.
    return undefined;
  }
}

/** Polls a child's peak RSS until the returned function is called; that returns it, in MB. */
export function watchPeakRss(child: { pid?: number | undefined }): () => number {
  const peakKb = watchHighest(child, vmHwmKb);
  return () => peakKb() / 1024;
}

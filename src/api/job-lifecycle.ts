import { rm } from 'node:fs/promises';

/**
 * What import jobs and scrub jobs share about the jobs running in this process: each runs
 * until done or interrupted (stop() aborts and waits for them all), its files are removed
 * a while after it ended, and the folder holding them goes at stop.
 */
export class JobLifecycle {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly expiryTimers = new Set<NodeJS.Timeout>();

  constructor(
    /** where the jobs' files are kept, removed at stop */
    private readonly dir: string,
    /** told how many jobs run, each time that changes */
    private readonly onRunning: (count: number) => void = () => undefined,
  ) {}

  /** Runs a job in the background; `run` is given the signal stop() aborts. */
  launch(id: string, run: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const done = run(controller.signal).finally(() => {
      this.running.delete(id);
      this.onRunning(this.running.size);
    });
    this.running.set(id, { controller, done });
    this.onRunning(this.running.size);
  }

  /** Removes a finished job's files after `afterMs`, unless stop() removed them first. */
  expire(afterMs: number, paths: string[]): void {
    const timer = setTimeout(() => {
      this.expiryTimers.delete(timer);
      void Promise.all(paths.map((path) => rm(path, { force: true })));
    }, afterMs);
    timer.unref();
    this.expiryTimers.add(timer);
  }

  /** Interrupts the running jobs, waits for them, removes the files. */
  async stop(): Promise<void> {
    for (const job of this.running.values()) job.controller.abort();
    await Promise.all([...this.running.values()].map((job) => job.done));
    for (const timer of this.expiryTimers) clearTimeout(timer);
    await rm(this.dir, { recursive: true, force: true });
  }
}

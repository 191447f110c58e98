/** How often a long import or scrub tells its progress: a bar moves a few times a second. */
export const PROGRESS_EVERY_MS = 250;

/**
 * When a run's progress is due: every `everyMs` of its clock, however many rows that is.
 * Counted in rows, a slow file (national numbers each parsed, a scrub's checks) moved its
 * bar in rare jumps, and a fast one reported, and the API saved its job, dozens of times
 * a second. Asked once a chunk of rows, so reading the clock costs nothing measurable.
 */
export class ProgressPace {
  private next: number;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly everyMs: number = PROGRESS_EVERY_MS,
  ) {
    this.next = now() + everyMs;
  }

  /** True once `everyMs` passed since the last time it said true (or since it was made). */
  due(): boolean {
    const at = this.now();
    if (at < this.next) return false;
    this.next = at + this.everyMs;
    return true;
  }
}

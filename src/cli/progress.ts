import { SingleBar } from 'cli-progress';

/**
 * A progress line on a terminal's stderr: a bar with ETA when the total is known (bytes
 * of a file, entries of a list), else just the count and rate. Shared by import and export.
 */
export interface Progress {
  /** false when nothing is drawn, so callers can skip work done only for the bar */
  readonly enabled: boolean;
  /** `done` of `total` (bytes or entries) and the rows handled so far */
  update(done: number, total: number | undefined, rows: number): void;
  stop(): void;
}

const silent: Progress = { enabled: false, update: () => undefined, stop: () => undefined };

/** Redraws per second: enough to look alive, cheap on a busy import. */
const FPS = 5;

/**
 * A bar only for people watching: never with --json, never when stderr is not a
 * terminal (a pipe, a log file, a cron job), so scripts never see control characters.
 */
export function startProgress(enabled: boolean, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return silent;
  const started = performance.now();
  let bar: SingleBar | undefined;
  return {
    enabled: true,
    update(done, total, rows) {
      const seconds = (performance.now() - started) / 1000;
      const payload = { rows, rate: seconds > 0 ? Math.round(rows / seconds) : 0, unit };
      if (!bar) {
        const format =
          total === undefined
            ? '{rows} {unit} | {rate} {unit}/s | {duration_formatted}'
            : '{bar} {percentage}% | {rows} {unit} | {rate} {unit}/s | ETA {eta_formatted}';
        bar = new SingleBar({ format, stream, fps: FPS, hideCursor: true, clearOnComplete: true, etaBuffer: 50 });
        bar.start(total ?? 0, done, payload);
      } else {
        if (total !== undefined) bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

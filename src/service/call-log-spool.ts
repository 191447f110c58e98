import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingCallLogEntry } from '../screening/call-log.js';

/**
 * A file beside serve where call-log entries wait while Redis does not take them, so a
 * restart or a crash of serve during an outage loses none: the next start writes them
 * first. One JSON line an entry. The file exists only while entries wait; while it
 * exists it holds every waiting entry, in order (and maybe some written since, which the
 * call log's ids make harmless to send again).
 *
 * One serve a directory and namespace: a lock file with the owner's pid refuses a second
 * live one, whose spooling would overwrite the first one's entries.
 */
export class CallLogSpool {
  private readonly file: string;
  private readonly lock: string;
  private stream: WriteStream | undefined;

  constructor(
    readonly dir: string,
    namespace: string,
  ) {
    this.file = join(dir, `${namespace}.call-log.jsonl`);
    this.lock = join(dir, `${namespace}.call-log.lock`);
  }

  /**
   * Takes the directory (creating it) and returns the entries a previous run left,
   * oldest first, and how many lines could not be read (a line torn by a crash).
   */
  async open(): Promise<{ left: PendingCallLogEntry[]; unreadable: number }> {
    await mkdir(this.dir, { recursive: true });
    await this.takeLock();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (isMissing(error)) return { left: [], unreadable: 0 };
      throw error;
    }
    const lines = text.split('\n').filter((text) => text.trim() !== '');
    const left = lines.flatMap((text) => parseLine(text));
    // Later entries go after these, in the same file.
    if (left.length > 0) this.stream = this.appendStream();
    return { left, unreadable: lines.length - left.length };
  }

  /** True while the file holds the waiting entries. */
  get active(): boolean {
    return this.stream !== undefined;
  }

  /** Starts the file with every entry waiting now; later ones are added by append(). */
  async begin(waiting: readonly PendingCallLogEntry[]): Promise<void> {
    if (this.stream) return;
    await writeFile(this.file, waiting.map(line).join(''));
    this.stream = this.appendStream();
  }

  append(entry: PendingCallLogEntry): void {
    this.stream?.write(line(entry));
  }

  /** Nothing waits any more: the file goes. */
  async clear(): Promise<void> {
    if (!this.stream) return;
    await this.end();
    await rm(this.file, { force: true });
  }

  /** Closes the file (kept when entries wait) and gives up the directory. */
  async close(): Promise<void> {
    await this.end();
    await rm(this.lock, { force: true });
  }

  private appendStream(): WriteStream {
    return createWriteStream(this.file, { flags: 'a' });
  }

  private async end(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  private async takeLock(): Promise<void> {
    for (;;) {
      try {
        const handle = await open(this.lock, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number((await readFile(this.lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(`${this.dir} is the spool directory of another running serve (pid ${owner}): give each instance its own`);
      }
      // Left by a serve that is gone: take it over.
      await rm(this.lock, { force: true });
    }
  }
}

function line(entry: PendingCallLogEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** A line as written, or nothing for a line torn by a crash. */
function parseLine(text: string): PendingCallLogEntry[] {
  try {
    const parsed = JSON.parse(text) as PendingCallLogEntry;
    return typeof parsed.id === 'string' && typeof parsed.entry === 'object' ? [parsed] : [];
  } catch (error) {
    if (error instanceof SyntaxError) return [];
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

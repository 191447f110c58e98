import { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** The first bytes of a zip file: a local file header, or the end record of an empty archive. */
export const ZIP_MAGIC = [0x50, 0x4b];
const ZIP_SECOND = [0x03, 0x05];
const LINE_FEED = 0x0a;

export function looksLikeZip(head: Buffer): boolean {
  return head[0] === ZIP_MAGIC[0] && head[1] === ZIP_MAGIC[1] && ZIP_SECOND.includes(head[2] as number);
}

export interface ZipContent {
  /** every member's content, one after the other, a line break after a member that ends without one */
  content: Readable;
  /** the newest member's date (ms since epoch) */
  newestDate: number;
  /** uncompressed bytes of every member, and those read so far (the progress bar) */
  totalBytes: number;
  bytesRead(): number;
  /** where a line of `content` is: the member and its own line there (MemberLine); also once the zip is closed */
  memberLine(line: number): Promise<MemberLine>;
  close(): void;
}

/** A line of a zip's joined content as the member it is in counts it. */
export interface MemberLine {
  member: string;
  line: number;
}

/**
 * Opens a zip file and streams its members' contents as one input: the FTC ships each
 * area code's numbers (or the whole registry) as one or more text files in a zip. The
 * central directory is read first (yauzl: a zip is read from its end, so it needs a
 * file, not a pipe), then each member is inflated as it is read. Folders are skipped.
 */
export async function openZip(path: string): Promise<ZipContent> {
  const { zip, entries } = await openMembers(path);
  // An archive without a file is a download that failed, not a registry without numbers: read, it would record a fresh data date.
  if (entries.length === 0) {
    zip.close();
    throw new Error('the zip archive holds no file');
  }
  let read = 0;
  async function* members(): AsyncGenerator<Buffer> {
    for (const [i, entry] of entries.entries()) {
      const stream = await zip.openReadStreamPromise(entry);
      let last = LINE_FEED;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        read += chunk.length;
        if (chunk.length > 0) last = chunk[chunk.length - 1] as number;
        yield chunk;
      }
      // Members need not end with a line break: the last line of one is not the first of the next.
      // One that does gets none more, which would count as a blank line.
      if (i < entries.length - 1 && last !== LINE_FEED) yield Buffer.from('\n');
    }
  }
  // One member: its lines are the content's, nothing to count.
  const single = entries.length === 1 ? (entries[0] as yauzl.Entry).fileName : undefined;
  let counter: MemberCounter | undefined = single === undefined ? new MemberCounter(path) : undefined;
  return {
    content: Readable.from(members(), { objectMode: false }),
    newestDate: entries.reduce((newest, entry) => Math.max(newest, entry.getLastModDate().getTime()), -Infinity),
    totalBytes: entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0),
    bytesRead: () => read,
    memberLine: async (line) => {
      if (single !== undefined) return { member: single, line };
      if (counter) return counter.locate(line);
      // Asked once the zip was closed (where a file broke, told after the read): a count of its own.
      const once = new MemberCounter(path);
      try {
        return await once.locate(line);
      } finally {
        once.close();
      }
    },
    close: () => {
      zip.close();
      counter?.close();
      counter = undefined;
    },
  };
}

async function openMembers(path: string): Promise<{ zip: yauzl.ZipFile; entries: yauzl.Entry[] }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const entries = await new Promise<yauzl.Entry[]>((resolve, reject) => {
    const found: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) found.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(found));
    zip.once('error', reject);
    zip.readEntry();
  });
  return { zip, entries };
}

/**
 * Where lines of a zip's joined content are (1-based), found by reading the archive
 * again, as openZip joins it, as far as the lines asked for: counting every member's
 * lines while they stream would cost some 25 ns a line (seconds on a national registry)
 * for the few rejected or broken lines that need it. The count goes on from where the
 * last call left it, so the rejects of one import, asked in line order, read the archive
 * again once at most; a line before that is found among the members already counted. A
 * member that cannot be read to the line (the break itself) holds it.
 */
class MemberCounter {
  private opened: Promise<{ zip: yauzl.ZipFile; entries: yauzl.Entry[] }> | undefined;
  /** lines of the members before each member counted so far: starts[i] for member i */
  private readonly starts: number[] = [0];
  /** the member being counted, its line breaks so far, its last byte, and its stream */
  private member = 0;
  private breaks = 0;
  private last = LINE_FEED;
  private stream: Readable | undefined;
  private chunks: AsyncIterator<Buffer> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** Calls one at a time: each goes on from where the one before left the count. */
  locate(line: number): Promise<MemberLine> {
    const located = this.queue.then(() => this.count(line));
    this.queue = located.catch(() => undefined);
    return located;
  }

  close(): void {
    this.stream?.destroy();
    void this.opened?.then(({ zip }) => zip.close(), () => undefined);
    this.opened = undefined;
  }

  private async count(line: number): Promise<MemberLine> {
    this.opened ??= openMembers(this.path);
    const { zip, entries } = await this.opened;
    if (entries.length === 0) throw new Error('the zip archive holds no file');
    const at = (member: number): MemberLine => ({ member: (entries[member] as yauzl.Entry).fileName, line: line - (this.starts[member] as number) });
    for (let member = this.member; member > 0; member -= 1) {
      if (line > (this.starts[member - 1] as number) && line <= (this.starts[member] as number)) return at(member - 1);
    }
    for (;;) {
      const before = this.starts[this.member] as number;
      if (before + this.breaks >= line) return at(this.member);
      let next: IteratorResult<Buffer>;
      try {
        if (this.chunks === undefined) {
          this.stream = await zip.openReadStreamPromise(entries[this.member] as yauzl.Entry);
          this.chunks = (this.stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
        }
        next = await this.chunks.next();
      } catch {
        return at(this.member);
      }
      if (!next.done) {
        const chunk = next.value;
        for (let found = chunk.indexOf(LINE_FEED); found >= 0; found = chunk.indexOf(LINE_FEED, found + 1)) this.breaks += 1;
        if (chunk.length > 0) this.last = chunk[chunk.length - 1] as number;
        continue;
      }
      // A line past the content's end (a cut input's first line not read) is the last member's.
      if (this.member === entries.length - 1) return at(this.member);
      // A member that ends without a line break ends a line all the same (openZip adds one).
      const lines = this.breaks + (this.last === LINE_FEED ? 0 : 1);
      if (before + lines >= line) return at(this.member);
      this.starts.push(before + lines);
      this.member += 1;
      this.breaks = 0;
      this.last = LINE_FEED;
      this.stream = undefined;
      this.chunks = undefined;
    }
  }
}

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
  /** where a line of `content` is: the member and its own line there (MemberLine) */
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
  return {
    content: Readable.from(members(), { objectMode: false }),
    newestDate: entries.reduce((newest, entry) => Math.max(newest, entry.getLastModDate().getTime()), -Infinity),
    totalBytes: entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0),
    bytesRead: () => read,
    memberLine: (line) => memberLine(path, line),
    close: () => zip.close(),
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
 * Where line `line` (1-based) of the joined content is, found by reading the archive
 * again up to it, as openZip joins it: asked only of a file that broke, as counting every
 * member's lines while they stream costs some 25 ns a line (seconds on a national
 * registry). A member that cannot be read to the line (the break itself) holds it.
 */
async function memberLine(path: string, line: number): Promise<MemberLine> {
  const { zip, entries } = await openMembers(path);
  let before = 0;
  try {
    for (const [i, entry] of entries.entries()) {
      let lines = 0;
      let last = LINE_FEED;
      try {
        for await (const chunk of (await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer>) {
          for (let at = chunk.indexOf(LINE_FEED); at >= 0; at = chunk.indexOf(LINE_FEED, at + 1)) lines += 1;
          if (chunk.length > 0) last = chunk[chunk.length - 1] as number;
          if (before + lines >= line) return { member: entry.fileName, line: line - before };
        }
      } catch {
        return { member: entry.fileName, line: line - before };
      }
      // A line past the content's end (a cut input's first line not read) is the last member's.
      if (before + lines >= line || i === entries.length - 1) return { member: entry.fileName, line: line - before };
      if (last !== LINE_FEED) lines += 1;
      if (before + lines >= line) return { member: entry.fileName, line: line - before };
      before += lines;
    }
    throw new Error('the zip archive holds no file');
  } finally {
    zip.close();
  }
}

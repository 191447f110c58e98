import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { InputProblem } from './broken-file.js';
import { WholeLines } from './whole-lines.js';
import { looksLikeZip, openZip, type MemberLine } from './zip.js';

/** An input opened for reading: decompressed bytes, and how far into the raw input we are. */
export interface ImportSource {
  /** what the audit log and the summary call it: the file name, or `stdin` */
  name: string;
  /**
   * the content, gunzipped when the input was gzip, in whole lines; it ends early, and
   * without an error event, at a problem of the input (see problem())
   */
  content: Readable;
  /** why the content ended before the input did (a truncated gzip, a NUL byte); undefined when read whole */
  problem(): InputProblem | undefined;
  gzip: boolean;
  /** the input is a zip archive (its members are read one after the other) */
  zip?: boolean;
  /** a zip's: the member a line of the content is in, and its line there */
  memberLine?: (line: number) => Promise<MemberLine>;
  /**
   * the file's own date (ms since epoch), the date of its data unless told otherwise:
   * a zip's newest member, a gzip header's time, else a regular file's modification time
   */
  fileDate?: number;
  /** raw bytes read so far (compressed bytes for gzip), for the progress bar's ETA */
  bytesRead(): number;
  /** size of the raw input when it is a regular file; unknown for stdin and pipes */
  totalBytes: number | undefined;
  /** stops reading and releases the input */
  close(): void;
}

/** Where a line of the content is in the input: in a zip, the member's own line and its name. */
export async function lineOf(source: Pick<ImportSource, 'memberLine'>, line: number): Promise<{ line: number; member?: string }> {
  return source.memberLine ? source.memberLine(line) : { line };
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** The gzip header up to its MTIME field (bytes 4-7, seconds since epoch, 0 when unset). */
const GZIP_HEADER_BYTES = 8;

/**
 * The start of a stream, read until `enough` says so (or the stream ends), and a stream
 * that still yields all of it, so the caller can look at the start and read everything.
 * It never waits for more than it needs: a slow stdin is not held up.
 */
export async function peek(stream: Readable, enough: (head: Buffer) => boolean): Promise<{ head: Buffer; content: Readable }> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const seen: Buffer[] = [];
  let ended = false;
  let head: Buffer = Buffer.alloc(0);
  while (!enough(head)) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    seen.push(next.value);
    head = seen.length === 1 ? next.value : Buffer.concat(seen);
  }
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, content: Readable.from(all(), { objectMode: false }) };
}

/**
 * Opens `path` (or stdin for `-`). Gzip is recognized by its magic bytes, so a
 * compressed file imports whatever its name, and stdin may be compressed too.
 */
export async function openSource(path: string, stdin: Readable = process.stdin): Promise<ImportSource> {
  const fromStdin = path === '-';
  const file = fromStdin ? undefined : await regularFile(path);
  if (file?.zip) return openZipSource(path);
  const totalBytes = file?.size;
  const raw = fromStdin ? stdin : createReadStream(path);
  let bytesRead = 0;
  const counted = new PassThrough({ highWaterMark: 1 << 16 });
  raw.on('data', (chunk: Buffer) => {
    bytesRead += chunk.length;
  });
  raw.on('error', (error: Error) => counted.destroy(error));
  raw.pipe(counted);

  const { head, content: raws } = await peek(counted, (start) => start.length >= GZIP_HEADER_BYTES);
  if (fromStdin && looksLikeZip(head)) {
    throw new Error('a zip archive cannot be read from stdin (a zip is read from its end): give its path, or unzip -p it into callguard');
  }
  const gzip = GZIP_MAGIC.every((byte, i) => head[i] === byte);
  const gzipTime = gzip && head.length >= GZIP_HEADER_BYTES ? head.readUInt32LE(4) * 1000 : 0;
  let decoded: Readable = raws;
  if (gzip) {
    const gunzip = createGunzip();
    raws.on('error', (error: Error) => gunzip.destroy(error));
    decoded = raws.pipe(gunzip);
  }
  // Attached at once: corrupt gzip fails within a tick, before anyone reads the content.
  const content = new WholeLines(decoded);
  return {
    name: fromStdin ? 'stdin' : path,
    content,
    problem: () => content.problem(),
    gzip,
    ...(gzipTime > 0 ? { fileDate: gzipTime } : file?.mtime !== undefined ? { fileDate: file.mtime } : {}),
    bytesRead: () => bytesRead,
    totalBytes,
    close: () => {
      raw.unpipe(counted);
      if (fromStdin) raw.pause();
      else raw.destroy();
      // Ending the bottom of the chain wakes every reader above it, even one waiting on stdin.
      counted.destroy();
      content.destroy();
    },
  };
}

/** A path's size, date and whether it is a zip; undefined fields for a pipe or device. */
async function regularFile(path: string): Promise<{ size?: number; mtime?: number; zip: boolean }> {
  const info = await stat(path);
  if (info.isDirectory()) throw new Error('it is a directory');
  if (!info.isFile()) return { zip: false };
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return { size: info.size, mtime: info.mtimeMs, zip: looksLikeZip(buffer.subarray(0, bytesRead)) };
  } finally {
    await handle.close();
  }
}

/** A zip archive's members as one input (zip.ts). */
async function openZipSource(path: string): Promise<ImportSource> {
  const zip = await openZip(path);
  const content = new WholeLines(zip.content);
  return {
    name: path,
    content,
    problem: () => content.problem(),
    gzip: false,
    zip: true,
    memberLine: zip.memberLine,
    fileDate: zip.newestDate,
    bytesRead: zip.bytesRead,
    totalBytes: zip.totalBytes,
    close: () => {
      content.destroy();
      zip.close();
    },
  };
}

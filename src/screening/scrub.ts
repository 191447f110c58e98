import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { planOfRegion } from '../lists/dense.js';
import { BrokenFileError, describeInputProblem } from '../lists/import/broken-file.js';
import { planColumns, type ColumnSpec } from '../lists/import/columns.js';
import { detectDialect } from '../lists/import/dialect.js';
import { readNationalBytes } from '../lists/import/national.js';
import { readsWithRegion } from '../lists/import/classify.js';
import { RegionSample } from '../lists/import/needs-region.js';
import { ProgressPace } from '../lists/import/progress-pace.js';
import type { Reject, RejectsFile } from '../lists/import/rejects.js';
import { lineOf, peek, type ImportSource } from '../lists/import/source.js';
import type { BulkMatches } from '../lists/bulk-read.js';
import type { HeldCheck, HeldOptions } from '../lists/held-lists.js';
import type { EntryMember } from '../lists/types.js';
import { digitsOf } from '../numbers/digits.js';
import { normalize } from '../numbers/normalize.js';
import { digitCount, writeDecimal } from '../redis/decimal.js';
import { BLOCK_ORDER_MAX_NUMBERS, blockOrder } from './block-order.js';

/** Numbers one batch check carries: one MULTI/EXEC (or script call), short enough (~4 ms measured) that live checks queued behind it barely wait. */
export const DEFAULT_SCRUB_BATCH = 2_000;
/** Batches asked and not yet answered: Redis works on one while the next is sent. */
const SCRUB_IN_FLIGHT = 3;
/**
 * Rows read before their numbers are asked, sorted by dense block: a batch of a sorted
 * window meets each block in one run, so Redis reads a block once for many numbers.
 * One window is read while the one before is checked: memory holds two.
 */
export const SCRUB_WINDOW_ROWS = Math.min(500_000, BLOCK_ORDER_MAX_NUMBERS);
/** Bytes of input a window holds at most, so long rows keep memory bounded too. */
const SCRUB_WINDOW_BYTES = 64 * 1024 * 1024;
/** Rows written to the outputs in one write. */
const WRITE_ROWS = 10_000;
/** What is looked at to tell the delimiter and the header. */
const HEAD_BYTES = 64 * 1024;
/** The columns `removed` gets after the row's own. */
export const REMOVED_COLUMNS = ['callguard_list', 'callguard_entry'] as const;

/** The part of ListStore scrubbing needs: many numbers (digits), lists in order, first match each. */
export interface BulkChecker {
  checkDigits(numbers: Float64Array, lists: string[]): Promise<BulkMatches>;
  /** the lists held in the process for one scrub (lists/held-lists.ts), where the checker can hold them */
  holdLists?(lists: string[], options: HeldOptions): HeldCheck | undefined;
}

export interface ScrubRequest {
  source: ImportSource;
  lists: string[];
  /** the region of national numbers; one with a national plan (US, GB) reads its plain numbers fast */
  region?: string;
  column?: ColumnSpec;
  clean: Writable;
  removed: Writable;
  rejects?: RejectsFile;
  batchSize?: number;
  /** rows sorted together (default SCRUB_WINDOW_ROWS): fewer meet each block fewer times, as a bigger registry does */
  windowRows?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { rows: number; bytesRead: number; totalBytes: number | undefined }) => void;
}

export interface ScrubSummary {
  source: string;
  lists: string[];
  status: 'done' | 'interrupted';
  /** data rows read (header and blank lines not counted) */
  rows: number;
  /** on none of the lists: written to the clean file */
  clean: number;
  /** on a list: written to the removed file with the list and the entry */
  removed: number;
  /** hidden or malformed numbers: to the rejects */
  rejected: number;
  /** rows removed, by the list that matched first */
  byList: Record<string, number>;
  header: string | null;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * Rows read and not yet checked, in the file's order: where each row's bytes are (its
 * chunk of the input, start and end, the line end left out) and its number (digitsOf).
 * The rows stay the input's own bytes, written out as they came: no string a row.
 */
interface Window {
  chunks: Buffer[];
  chunk: Uint32Array;
  start: Uint32Array;
  end: Uint32Array;
  numbers: Float64Array;
  rows: number;
  /** bytes of the chunks held */
  bytes: number;
}

function emptyWindow(rows: number): Window {
  return {
    chunks: [], chunk: new Uint32Array(rows), start: new Uint32Array(rows), end: new Uint32Array(rows),
    numbers: new Float64Array(rows), rows: 0, bytes: 0,
  };
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const QUOTE = 0x22;
const PLUS = 0x2b;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
/** National numbers below a calling code's digits: +1 4155550100 is 1 * 10^10 + 4155550100. */
const NATIONAL_SPAN = 1e10;

/**
 * A lead file scrubbed against do-not-call lists before a campaign: streamed, the rows
 * kept byte for byte (any columns, any order), the clean ones to `clean`, those on a
 * list to `removed` with the list and the entry that matched, hidden and malformed
 * numbers to the rejects. Checks go in batches (ListStore.checkDigits), never one a row,
 * a window of rows at a time sorted by block; the outputs keep the file's row order.
 * A row is a line: a quoted number cell may not span lines. With a region of a dense
 * plan, a plain national number is read from the row's bytes; any other row is read as
 * text (quotes, other countries, a header). Throws what the check throws (a list that
 * does not exist, or lost entries), and BrokenFileError for an input that ends before
 * its end (a truncated gzip): nothing can be called clean then.
 */
export async function scrubLeads(checker: BulkChecker, request: ScrubRequest): Promise<ScrubSummary> {
  const started = performance.now();
  const { source } = request;
  const { head, content } = await peek(source.content, (bytes) => bytes.length >= HEAD_BYTES || bytes.includes(NEWLINE));
  const { delimiter } = detectDialect(head.toString('utf8'));
  const plan = request.region === undefined ? undefined : planOfRegion(request.region);
  const planBase = plan ? Number(plan.callingCode) * NATIONAL_SPAN : 0;
  const batchSize = request.batchSize ?? DEFAULT_SCRUB_BATCH;
  const windowRows = request.windowRows ?? SCRUB_WINDOW_ROWS;
  if (!Number.isInteger(windowRows) || windowRows < 1 || windowRows > BLOCK_ORDER_MAX_NUMBERS) throw new RangeError(`scrubLeads: a window of ${windowRows} rows, 1 to ${BLOCK_ORDER_MAX_NUMBERS}`);
  const summary: ScrubSummary = {
    source: source.name, lists: request.lists, status: 'done', rows: 0, clean: 0, removed: 0, rejected: 0, byList: {}, header: null, seconds: 0, rowsPerSecond: 0,
  };
  const suffix = delimiter ?? ',';
  const delimiterByte = delimiter === undefined ? -1 : delimiter.charCodeAt(0);
  let numberIndex: number | undefined;
  let lineNumber = 0;
  let window = emptyWindow(windowRows);
  // A window's batches are asked in turn (`asking`: all of the latest sent), its rows
  // written once all are answered (`writing`, in the windows' order). The next window's
  // first batches go out while the last of the one before are answered and it is
  // written: Redis is not left idle at a window's end (its sort, its outputs).
  let asking: Promise<void> = Promise.resolve();
  let writing: Promise<void> = Promise.resolve();
  /** Batches sent and not yet answered, of the windows being asked. */
  const inFlight: Promise<void>[] = [];
  const pace = new ProgressPace();
  // Without a region, a lead file in national format would be all rejects, in no output: stop on its first rows, as import does.
  let sample = request.region === undefined ? new RegionSample() : undefined;
  const sampled = (national?: { line: number; raw: string }): void => {
    if (!sample?.addRow(national)) return;
    sample.assertReadable(source.name, 'no file was written');
    sample = undefined;
  };

  const write = async (out: Writable, bytes: Buffer | string): Promise<void> => {
    if (!out.write(bytes)) await once(out, 'drain');
  };
  // What a removed row gets after its own bytes, before the member: `,list,`.
  const listTails = request.lists.map((list) => Buffer.from(`${suffix}${list}${suffix}`));
  // Made at the first window, when the rows read tell how many the file holds.
  let held: HeldCheck | undefined;
  let holdAsked = false;
  /**
   * Sends a window's batches; resolves once all are sent, with its answers as they come.
   * A window the held lists answer needs no sort and no batch: its numbers go as they are.
   */
  const ask = async (checked: Window): Promise<{ matched: Uint16Array; members: Map<number, EntryMember>; answered: Promise<unknown> }> => {
    const { numbers, rows } = checked;
    if (!holdAsked) {
      holdAsked = true;
      held = checker.holdLists?.(request.lists, { rows: expectedRows() });
    }
    const local = await held?.check(numbers.subarray(0, rows));
    if (local) return { matched: local.list, members: local.members, answered: Promise.resolve() };
    const order = blockOrder(numbers, rows);
    const sorted = new Float64Array(rows);
    for (let j = 0; j < rows; j += 1) sorted[j] = numbers[order[j] as number] as number;
    // Per row, 1 + the list that matched it (0: clean), and the members that are not the number itself.
    const matched = new Uint16Array(rows);
    const members = new Map<number, EntryMember>();
    const batches: Promise<void>[] = [];
    for (let from = 0; from < rows; from += batchSize) {
      const answered = checker.checkDigits(sorted.subarray(from, from + batchSize), request.lists).then((found) => {
        for (let j = 0; j < found.list.length; j += 1) {
          const list = found.list[j] as number;
          if (list !== 0) matched[order[from + j] as number] = list;
        }
        for (const [j, member] of found.members) members.set(order[from + j] as number, member);
      });
      // A rejection is awaited in order below; until then it must not go unhandled.
      answered.catch(() => undefined);
      batches.push(answered);
      inFlight.push(answered);
      if (inFlight.length >= SCRUB_IN_FLIGHT) await inFlight.shift();
    }
    return { matched, members, answered: Promise.all(batches) };
  };
  /** Writes a window's rows to the outputs, all its batches answered. */
  const output = async (checked: Window, matched: Uint16Array, members: Map<number, EntryMember>): Promise<void> => {
    const { numbers, rows, start, end } = checked;
    const removedBy = new Float64Array(request.lists.length);
    for (let from = 0; from < rows; from += WRITE_ROWS) {
      const to = Math.min(from + WRITE_ROWS, rows);
      let cleanBytes = 0;
      let removedBytes = 0;
      for (let i = from; i < to; i += 1) {
        const length = (end[i] as number) - (start[i] as number);
        const list = matched[i] as number;
        if (list === 0) cleanBytes += length + 1;
        else {
          const member = members.get(i);
          removedBytes += length + (listTails[list - 1] as Buffer).length + (member === undefined ? 1 + digitCount(numbers[i] as number) : Buffer.byteLength(member)) + 1;
          removedBy[list - 1] = (removedBy[list - 1] as number) + 1;
        }
      }
      const clean = Buffer.allocUnsafe(cleanBytes);
      const removed = Buffer.allocUnsafe(removedBytes);
      let c = 0;
      let r = 0;
      for (let i = from; i < to; i += 1) {
        const chunk = checked.chunks[checked.chunk[i] as number] as Buffer;
        const list = matched[i] as number;
        if (list === 0) {
          // Clean rows that follow each other in one chunk with a bare newline between are one copy.
          let last = i;
          while (last + 1 < to && matched[last + 1] === 0 && checked.chunk[last + 1] === checked.chunk[i] && start[last + 1] === (end[last] as number) + 1) last += 1;
          c += chunk.copy(clean, c, start[i], end[last]);
          clean[c++] = NEWLINE;
          i = last;
        } else {
          r += chunk.copy(removed, r, start[i], end[i]);
          r += (listTails[list - 1] as Buffer).copy(removed, r);
          const member = members.get(i);
          if (member === undefined) {
            removed[r++] = PLUS;
            r = writeDecimal(removed, r, numbers[i] as number);
          } else r += removed.write(member, r);
          removed[r++] = NEWLINE;
        }
      }
      if (c > 0) await write(request.clean, clean);
      if (r > 0) await write(request.removed, removed);
    }
    request.lists.forEach((list, n) => {
      const count = removedBy[n] as number;
      if (count === 0) return;
      summary.removed += count;
      summary.byList[list] = (summary.byList[list] ?? 0) + count;
    });
    summary.clean += rows - removedBy.reduce((sum, count) => sum + count, 0);
  };
  /**
   * The rows the file holds about, from those read and the share of its bytes they took:
   * of the bytes taken in (a compressed file's size is of its compressed bytes) or, the
   * input read ahead of the rows, of the rows' own; those read when its size is not known.
   */
  const expectedRows = (): number => {
    const total = source.totalBytes;
    if (total === undefined) return summary.rows;
    return Math.ceil(summary.rows * Math.max(total / Math.max(1, source.bytesRead()), total / Math.max(1, rowBytes)));
  };
  // The window read is asked while the next is read. Reading waits for the window
  // before to be all sent and the one before that written: three windows in memory.
  let writtenBefore: Promise<void> = Promise.resolve();
  const send = async (): Promise<void> => {
    if (window.rows === 0) return;
    const full = window;
    window = emptyWindow(windowRows);
    await Promise.all([asking, writtenBefore]);
    const asked = ask(full);
    asking = asked.then(() => undefined);
    asking.catch(() => undefined);
    const before = writing;
    writtenBefore = before;
    writing = asked.then(async ({ matched, members, answered }) => {
      await answered;
      await before;
      await output(full, matched, members);
    });
    writing.catch(() => undefined);
  };
  let rowBytes = 0;
  const keep = (buffer: Buffer, start: number, end: number, digits: number): boolean => {
    rowBytes += end - start + 1;
    if (window.chunks.at(-1) !== buffer) {
      window.chunks.push(buffer);
      window.bytes += buffer.length;
    }
    const at = window.rows;
    window.chunk[at] = window.chunks.length - 1;
    window.start[at] = start;
    window.end[at] = end;
    window.numbers[at] = digits;
    window.rows += 1;
    return window.rows >= windowRows || window.bytes >= SCRUB_WINDOW_BYTES;
  };
  const readNumber = (cell: string): { ok: true; e164: string } | { ok: false; reason: string } => {
    const bytes = Buffer.from(cell);
    const national = plan ? readNationalBytes(bytes, 0, bytes.length, plan) : -1;
    if (plan && national >= 0) return { ok: true, e164: `+${plan.callingCode}${national}` };
    const read = normalize(cell.trim(), request.region);
    if (read.kind === 'e164') return { ok: true, e164: read.e164 };
    return { ok: false, reason: read.kind === 'hidden' ? 'a hidden or empty number' : read.reason };
  };

  /** A zip's rejects name the member and the line it counts itself, as an import's do. */
  const reject = async (rejected: Reject): Promise<void> => {
    if (request.rejects === undefined) return;
    await request.rejects.write(source.memberLine ? { ...rejected, ...(await lineOf(source, rejected.line)) } : rejected);
  };

  /** The row of one line read as text: a header, a quoted cell, a number of another shape, a blank line. */
  async function textRow(buffer: Buffer, start: number, end: number): Promise<void> {
    const line = buffer.toString('utf8', start, end);
    if (line.trim() === '') return;
    if (numberIndex === undefined) {
      const columns = planColumns(splitCells(line, delimiter), request.column, undefined, true);
      numberIndex = columns.numberIndex;
      if (columns.header) {
        summary.header = line;
        await write(request.clean, `${line}\n`);
        await write(request.removed, `${line}${suffix}${REMOVED_COLUMNS.join(suffix)}\n`);
        return;
      }
    }
    summary.rows += 1;
    const cell = delimiter === undefined ? line : cellAt(line, delimiter, numberIndex);
    if (cell === undefined) {
      sampled();
      summary.rejected += 1;
      await reject({ line: lineNumber, raw: line, reason: `no column ${numberIndex + 1} in this row` });
      return;
    }
    const read = readNumber(cell);
    sampled(read.ok || !readsWithRegion(read.reason) ? undefined : { line: lineNumber, raw: cell.trim() });
    if (!read.ok) {
      summary.rejected += 1;
      await reject({ line: lineNumber, raw: cell.trim(), reason: read.reason });
      return;
    }
    if (keep(buffer, start, end, digitsOf(read.e164))) await send();
  }

  /**
   * The lines of bytes `from` to `to` (a line ends at a newline or at `to`). A plain
   * national number in the number column is read from the bytes; a row whose cells
   * before it hold a quote, or whose number has another shape, is read as text.
   */
  async function rows(buffer: Buffer, from: number, to: number): Promise<void> {
    let quoteAt = -1;
    for (let start = from; start <= to; ) {
      const line = start;
      let cellStart = delimiterByte < 0 || numberIndex === 0 ? line : -1;
      let cellEnd = -1;
      let next = line;
      // The cells up to the number's end in one pass of the bytes (a native indexOf a
      // cell cost more than the few bytes it skips), then the line's end.
      if (plan && numberIndex !== undefined && delimiterByte >= 0) {
        for (let seen = 0; next < to; next += 1) {
          const byte = buffer[next];
          if (byte === NEWLINE) break;
          if (byte !== delimiterByte) continue;
          if (cellStart >= 0) {
            cellEnd = next;
            break;
          }
          seen += 1;
          if (seen === numberIndex) cellStart = next + 1;
        }
      }
      if (next >= to || buffer[next] !== NEWLINE) {
        next = buffer.indexOf(NEWLINE, next);
        if (next < 0 || next > to) next = to;
      }
      let end = next;
      if (end > start && buffer[end - 1] === RETURN) end -= 1;
      lineNumber += 1;
      start = next + 1;
      if (quoteAt < line) quoteAt = buffer.indexOf(QUOTE, line);
      if (quoteAt < 0) quoteAt = buffer.length;
      let national = -1;
      if (plan && numberIndex !== undefined && quoteAt >= end && cellStart >= 0) national = readNationalBytes(buffer, cellStart, cellEnd < 0 ? end : cellEnd, plan);
      if (national < 0) await textRow(buffer, line, end);
      else {
        summary.rows += 1;
        if (keep(buffer, line, end, planBase + national)) await send();
      }
    }
  }

  let rest: Buffer | undefined;
  let first = true;
  try {
    for await (const piece of content as AsyncIterable<Buffer>) {
      if (request.signal?.aborted) {
        summary.status = 'interrupted';
        break;
      }
      const buffer = rest === undefined ? piece : Buffer.concat([rest, piece]);
      let from = 0;
      if (first && UTF8_BOM.every((byte, i) => buffer[i] === byte)) from = UTF8_BOM.length;
      first = false;
      const end = buffer.lastIndexOf(NEWLINE);
      if (end < from) {
        rest = buffer.subarray(from);
        continue;
      }
      rest = end + 1 < buffer.length ? buffer.subarray(end + 1) : undefined;
      await rows(buffer, from, end);
      if (pace.due()) request.onProgress?.({ rows: summary.rows, bytesRead: source.bytesRead(), totalBytes: source.totalBytes });
    }
    if (rest !== undefined && summary.status === 'done') await rows(rest, 0, rest.length);
    if (summary.status === 'done') sample?.assertReadable(source.name, 'no file was written');
    // A cut input (truncated gzip, a NUL byte) would leave rows unread that no file lists.
    const problem = source.problem();
    if (problem && summary.status === 'done') throw new BrokenFileError(lineNumber + 1, describeInputProblem(problem));
    await send();
    await asking;
    await writing;
  } finally {
    source.close();
    held?.release();
  }

  summary.seconds = (performance.now() - started) / 1000;
  summary.rowsPerSecond = summary.seconds > 0 ? summary.rows / summary.seconds : 0;
  return summary;
}

/** The cells of one line, quotes taken off (`"a,b"` is one cell). */
export function splitCells(line: string, delimiter: string | undefined): string[] {
  if (delimiter === undefined) return [line];
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i] as string;
    if (char === '"') {
      if (quoted && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else quoted = !quoted;
    } else if (char === delimiter && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

/** One cell of a line, without splitting the whole line when it holds no quote. */
function cellAt(line: string, delimiter: string, index: number): string | undefined {
  if (line.includes('"')) return splitCells(line, delimiter)[index];
  let start = 0;
  for (let i = 0; i < index; i += 1) {
    const next = line.indexOf(delimiter, start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = line.indexOf(delimiter, start);
  return end < 0 ? line.slice(start) : line.slice(start, end);
}

import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { planOfRegion } from '../lists/dense.js';
import { BrokenFileError, describeInputProblem } from '../lists/import/broken-file.js';
import { planColumns, type ColumnSpec } from '../lists/import/columns.js';
import { detectDialect } from '../lists/import/dialect.js';
import { readNationalCell } from '../lists/import/national.js';
import type { RejectsFile } from '../lists/import/rejects.js';
import { peek, type ImportSource } from '../lists/import/source.js';
import type { EntryMember } from '../lists/types.js';
import { normalize } from '../numbers/normalize.js';
import { BLOCK_ORDER_MAX_NUMBERS, blockOrder, digitsOf, e164Of } from './block-order.js';

/** Numbers one batch check carries: one script call, short enough (~10 ms) that live checks queued behind it barely wait. */
export const DEFAULT_SCRUB_BATCH = 2_000;
/** Batches asked and not yet answered: Redis works on one while the next is sent. */
const SCRUB_IN_FLIGHT = 3;
/**
 * Rows read before their numbers are asked, sorted by dense block: a batch of a sorted
 * window meets each block in one run, so Redis reads a block once for many numbers.
 * One window is read while the one before is checked: memory holds two.
 */
export const SCRUB_WINDOW_ROWS = Math.min(500_000, BLOCK_ORDER_MAX_NUMBERS);
/** Characters of rows a window holds at most, so long rows keep memory bounded too. */
const SCRUB_WINDOW_CHARS = 64 * 1024 * 1024;
/** Rows written to the outputs in one write. */
const WRITE_ROWS = 10_000;
/** What is looked at to tell the delimiter and the header. */
const HEAD_BYTES = 64 * 1024;
/** Rows between two progress reports. */
const PROGRESS_EVERY_ROWS = 100_000;
/** The columns `removed` gets after the row's own. */
export const REMOVED_COLUMNS = ['callguard_list', 'callguard_entry'] as const;

/** The part of ListStore scrubbing needs: many numbers, lists in order, first match each. */
export interface BulkChecker {
  checkMany(numbers: string[], lists: string[]): Promise<({ list: string; member: EntryMember } | null)[]>;
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

/** Rows read and not yet checked: their lines and numbers (digitsOf), in the file's order. */
interface Window {
  lines: string[];
  numbers: Float64Array;
  chars: number;
}

function emptyWindow(): Window {
  return { lines: [], numbers: new Float64Array(SCRUB_WINDOW_ROWS), chars: 0 };
}

/**
 * A lead file scrubbed against do-not-call lists before a campaign: streamed, the rows
 * kept byte for byte (any columns, any order), the clean ones to `clean`, those on a
 * list to `removed` with the list and the entry that matched, hidden and malformed
 * numbers to the rejects. Checks go in batches (ListStore.checkMany), never one a row,
 * a window of rows at a time sorted by block; the outputs keep the file's row order.
 * A row is a line: a quoted number cell may not span lines. Throws what the check
 * throws (a list that does not exist, or lost entries), and BrokenFileError for an input
 * that ends before its end (a truncated gzip): nothing can be called clean then.
 */
export async function scrubLeads(checker: BulkChecker, request: ScrubRequest): Promise<ScrubSummary> {
  const started = performance.now();
  const { source } = request;
  const { head, content } = await peek(source.content, (bytes) => bytes.length >= HEAD_BYTES || bytes.includes(10));
  const { delimiter } = detectDialect(head.toString('utf8'));
  const plan = request.region === undefined ? undefined : planOfRegion(request.region);
  const batchSize = request.batchSize ?? DEFAULT_SCRUB_BATCH;
  const summary: ScrubSummary = {
    source: source.name, lists: request.lists, status: 'done', rows: 0, clean: 0, removed: 0, rejected: 0, byList: {}, header: null, seconds: 0, rowsPerSecond: 0,
  };
  const suffix = delimiter ?? ',';
  let numberIndex: number | undefined;
  let lineNumber = 0;
  let window = emptyWindow();
  let checking: Promise<void> = Promise.resolve();
  let nextReport = PROGRESS_EVERY_ROWS;

  const write = async (out: Writable, text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const check = async ({ lines, numbers }: Window): Promise<void> => {
    const order = blockOrder(numbers, lines.length);
    const answers: ({ list: string; member: EntryMember } | null)[] = new Array<null>(lines.length).fill(null);
    const inFlight: Promise<void>[] = [];
    for (let from = 0; from < order.length; from += batchSize) {
      const positions = order.subarray(from, from + batchSize);
      const asked = checker.checkMany(Array.from(positions, (at) => e164Of(numbers[at] as number)), request.lists).then((found) => {
        found.forEach((match, j) => {
          answers[positions[j] as number] = match;
        });
      });
      // A rejection is awaited in order below; until then it must not go unhandled.
      asked.catch(() => undefined);
      inFlight.push(asked);
      if (inFlight.length >= SCRUB_IN_FLIGHT) await inFlight.shift();
    }
    for (const asked of inFlight) await asked;
    for (let from = 0; from < lines.length; from += WRITE_ROWS) {
      let clean = '';
      let removed = '';
      for (let i = from; i < Math.min(from + WRITE_ROWS, lines.length); i += 1) {
        const match = answers[i];
        if (match) {
          removed += `${lines[i] as string}${suffix}${match.list}${suffix}${match.member}\n`;
          summary.removed += 1;
          summary.byList[match.list] = (summary.byList[match.list] ?? 0) + 1;
        } else {
          clean += `${lines[i] as string}\n`;
          summary.clean += 1;
        }
      }
      if (clean !== '') await write(request.clean, clean);
      if (removed !== '') await write(request.removed, removed);
    }
  };
  // The window read is checked while the next is read; windows are written in turn.
  const send = async (): Promise<void> => {
    if (window.lines.length === 0) return;
    const full = window;
    window = emptyWindow();
    await checking;
    checking = check(full);
    checking.catch(() => undefined);
  };
  const readNumber = (cell: string): { ok: true; e164: string } | { ok: false; reason: string } => {
    const fast = plan ? readNationalCell(cell, plan) : undefined;
    if (fast !== undefined) return { ok: true, e164: fast };
    const read = normalize(cell.trim(), request.region);
    if (read.kind === 'e164') return { ok: true, e164: read.e164 };
    return { ok: false, reason: read.kind === 'hidden' ? 'a hidden or empty number' : read.reason };
  };

  let rest = '';
  let first = true;
  try {
    for await (const chunk of content as AsyncIterable<Buffer>) {
      if (request.signal?.aborted) {
        summary.status = 'interrupted';
        break;
      }
      let text = rest + chunk.toString('utf8');
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      const end = text.lastIndexOf('\n');
      if (end < 0) {
        rest = text;
        continue;
      }
      rest = text.slice(end + 1);
      for (const raw of text.slice(0, end).split('\n')) await row(raw);
      if (summary.rows >= nextReport) {
        nextReport = summary.rows + PROGRESS_EVERY_ROWS;
        request.onProgress?.({ rows: summary.rows, bytesRead: source.bytesRead(), totalBytes: source.totalBytes });
      }
    }
    if (rest !== '' && summary.status === 'done') await row(rest);
    // A cut input (truncated gzip, a NUL byte) would leave rows unread that no file lists.
    const problem = source.problem();
    if (problem && summary.status === 'done') throw new BrokenFileError(lineNumber + 1, describeInputProblem(problem));
    await send();
    await checking;
  } finally {
    source.close();
  }

  async function row(raw: string): Promise<void> {
    lineNumber += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    if (numberIndex === undefined) {
      const cells = splitCells(line, delimiter);
      const columns = planColumns(cells, request.column, undefined, true);
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
      summary.rejected += 1;
      await request.rejects?.write({ line: lineNumber, raw: line, reason: `no column ${numberIndex + 1} in this row` });
      return;
    }
    const read = readNumber(cell);
    if (!read.ok) {
      summary.rejected += 1;
      await request.rejects?.write({ line: lineNumber, raw: cell.trim(), reason: read.reason });
      return;
    }
    window.numbers[window.lines.length] = digitsOf(read.e164);
    window.lines.push(line);
    window.chars += line.length;
    if (window.lines.length >= SCRUB_WINDOW_ROWS || window.chars >= SCRUB_WINDOW_CHARS) await send();
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

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

/** Numbers one batch check carries (Five9's checkDncForNumbers takes 50,000 a request). */
export const DEFAULT_SCRUB_BATCH = 5_000;
/** Batches asked and not yet answered: Redis works on one while the next is read. */
const SCRUB_IN_FLIGHT = 3;
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

interface PendingRow {
  line: string;
  e164: string;
}

/**
 * A lead file scrubbed against do-not-call lists before a campaign: streamed, the rows
 * kept byte for byte (any columns, any order), the clean ones to `clean`, those on a
 * list to `removed` with the list and the entry that matched, hidden and malformed
 * numbers to the rejects. Checks go in batches (ListStore.checkMany), never one a row.
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
  let batch: PendingRow[] = [];
  const inFlight: { rows: PendingRow[]; answers: Promise<({ list: string; member: EntryMember } | null)[]> }[] = [];
  let nextReport = PROGRESS_EVERY_ROWS;

  const write = async (out: Writable, text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const settleOldest = async (): Promise<void> => {
    const oldest = inFlight.shift();
    if (!oldest) return;
    const answers = await oldest.answers;
    let clean = '';
    let removed = '';
    oldest.rows.forEach((row, i) => {
      const match = answers[i];
      if (match) {
        removed += `${row.line}${suffix}${match.list}${suffix}${match.member}\n`;
        summary.removed += 1;
        summary.byList[match.list] = (summary.byList[match.list] ?? 0) + 1;
      } else {
        clean += `${row.line}\n`;
        summary.clean += 1;
      }
    });
    if (clean !== '') await write(request.clean, clean);
    if (removed !== '') await write(request.removed, removed);
  };
  const send = async (): Promise<void> => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const answers = checker.checkMany(rows.map((row) => row.e164), request.lists);
    // A rejection is awaited in order by settleOldest; until then it must not go unhandled.
    answers.catch(() => undefined);
    inFlight.push({ rows, answers });
    if (inFlight.length >= SCRUB_IN_FLIGHT) await settleOldest();
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
    while (inFlight.length > 0) await settleOldest();
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
    batch.push({ line, e164: read.e164 });
    if (batch.length >= batchSize) await send();
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

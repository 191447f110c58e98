import { Readable } from 'node:stream';
import { constants, gunzipSync } from 'node:zlib';
import { classifyChunk } from './classify.js';
import { planColumns, type ColumnSpec } from './columns.js';
import { detectDialect, type Dialect } from './dialect.js';
import { FOREVER } from './expiry.js';
import { readRows, type RowChunk } from './rows.js';

/** Data rows a preview shows (after the header). */
export const PREVIEW_ROWS = 20;
/** The most of a file's start a preview reads: enough for its first rows, never the file. */
export const PREVIEW_MAX_BYTES = 256 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b];

export interface PreviewOptions {
  region?: string;
  column?: ColumnSpec;
  expiresColumn?: ColumnSpec;
  /** an expiry for every row was chosen (so an exported file's own expiry column is not read) */
  expiryGiven: boolean;
  /** the bytes are the start of a longer file: the line they end in is cut, and left out */
  partial: boolean;
  now: number;
}

export interface PreviewRow {
  line: number;
  cells: string[];
  /** what the row would be stored as, or null when it would be rejected */
  member: string | null;
  reason: string | null;
}

/** How `callguard import` would read a file, from its first bytes, before anything is uploaded. */
export interface ImportPreview {
  gzip: boolean;
  delimiter: Dialect['delimiter'] | null;
  /** the first row when it is a header, else null */
  header: string[] | null;
  /** 1-based, as --column counts */
  numberColumn: number;
  expiresColumn: number | null;
  rows: PreviewRow[];
}

/**
 * The first rows of a file read as the importer reads it (the same dialect detection,
 * column plan and row classification, region and expiry included): what a console shows
 * so the person checks delimiter, header and number column before an import starts.
 */
export async function previewImport(start: Buffer, options: PreviewOptions): Promise<ImportPreview> {
  const gzip = GZIP_MAGIC.every((byte, i) => start[i] === byte);
  // The start of a gzip file inflates as far as it goes; its last line is cut like any other.
  let text = (gzip ? gunzipSync(start, { finishFlush: constants.Z_SYNC_FLUSH }) : start).toString('utf8');
  if (options.partial) text = text.slice(0, text.lastIndexOf('\n') + 1);
  const dialect = detectDialect(text);
  const chunks: RowChunk[] = [];
  for await (const chunk of readRows(Readable.from([Buffer.from(text, 'utf8')]), dialect, () => undefined).chunks) chunks.push(chunk);
  const rows = chunks.flatMap((chunk) => ('values' in chunk ? chunk.values.map((value, i) => ({ cells: [value], line: chunk.lines[i] as number })) : chunk.records.map((cells, i) => ({ cells, line: chunk.lines[i] as number }))));
  const first = rows[0];
  if (!first) return { gzip, delimiter: dialect.delimiter ?? null, header: null, numberColumn: 1, expiresColumn: null, rows: [] };
  const plan = planColumns(first.cells, options.column, options.expiresColumn, options.expiryGiven);
  const data = rows.slice(plan.header ? 1 : 0, (plan.header ? 1 : 0) + PREVIEW_ROWS);
  const classified = classifyChunk(
    { records: data.map((row) => row.cells), lines: data.map((row) => row.line) },
    { numberIndex: plan.numberIndex, expiresIndex: plan.expiresIndex, expiry: FOREVER, region: options.region, now: options.now },
  );
  const rejected = new Map(classified.rejects.map((reject) => [reject.index, reject.reason]));
  let accepted = 0;
  return {
    gzip,
    delimiter: dialect.delimiter ?? null,
    header: plan.header ? first.cells : null,
    numberColumn: plan.numberIndex + 1,
    expiresColumn: plan.expiresIndex === undefined ? null : plan.expiresIndex + 1,
    rows: data.map((row, index) => {
      const broken = classified.broken && index >= classified.broken.index ? classified.broken.problem : null;
      const reason = rejected.get(index) ?? broken;
      const member = reason === null ? (classified.members[accepted++] ?? null) : null;
      return { line: row.line, cells: row.cells, member, reason };
    }),
  };
}

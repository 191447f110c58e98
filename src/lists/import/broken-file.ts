/**
 * A file that could not be read to its end as rows: its structure broke (an unclosed
 * quote, a record too large, bytes that are no text) or its input did (a truncated or
 * corrupt gzip, a read error). Unlike a bad row, which is rejected on its own, nothing
 * after such a point can be trusted, so the import stops there: a replace changes
 * nothing, a plain import keeps the rows before it.
 */
export class BrokenFileError extends Error {
  constructor(
    /** the line (1-based) where the problem starts; for a cut input, the first line not read */
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'BrokenFileError';
  }
}

/** Where a file broke: `line 12`, or in a zip `line 12 of 415.txt` (the member's own line). */
export function describeLine(at: { line: number; member?: string }): string {
  return at.member === undefined ? `line ${at.line}` : `line ${at.line} of ${at.member}`;
}

/** Why the input ended before its end, as the guard of whole lines saw it. */
export type InputProblem =
  | { kind: 'byte-order-mark'; encoding: string }
  | { kind: 'nul' }
  | { kind: 'unreadable'; error: Error };

export function describeInputProblem(problem: InputProblem): string {
  switch (problem.kind) {
    case 'byte-order-mark':
      return `the file is ${problem.encoding} text (its byte order mark says so); save it as UTF-8 and import it again`;
    case 'nul':
      return 'a NUL byte: the file is damaged or not text (UTF-16 without a byte order mark reads so too); save it as UTF-8 text';
    case 'unreadable':
      return describeReadError(problem.error);
  }
}

/** zlib's codes for data that ends early, and for data that is not deflate. */
const ZLIB_TRUNCATED = 'Z_BUF_ERROR';
const ZLIB_CORRUPT = 'Z_DATA_ERROR';

function describeReadError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === ZLIB_TRUNCATED) return 'the gzip data ends early: the file is truncated';
  if (code === ZLIB_CORRUPT) return `the gzip data is corrupt (${error.message})`;
  return `the input could not be read to its end: ${error.message}`;
}

/** The longest CSV record taken for a row: a number and its few columns are far shorter. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** csv-parse's codes for the two ways a record can break with our options. */
const CSV_QUOTE_NOT_CLOSED = 'CSV_QUOTE_NOT_CLOSED';
const CSV_MAX_RECORD_SIZE = 'CSV_MAX_RECORD_SIZE';

/** What the CSV parser's error means for the record that starts at `line`. */
export function describeCsvError(error: Error): string {
  const code = (error as { code?: string }).code;
  if (code === CSV_QUOTE_NOT_CLOSED) return 'a quote opened in this row is never closed (the rest of the file would be one field)';
  if (code === CSV_MAX_RECORD_SIZE) {
    return `this row runs past ${MAX_RECORD_BYTES / 1024} KB: a quote opened in it is never closed, or it is no row of a number file`;
  }
  return `unreadable CSV (${error.message})`;
}

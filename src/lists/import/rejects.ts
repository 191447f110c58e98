import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';

export interface Reject {
  /** line of the input file (1-based; the last line of a record spanning several); in a zip, of its member */
  line: number;
  raw: string;
  reason: string;
  /** a zip's: the member the line is in */
  member?: string;
}

export const REJECT_COLUMNS = ['line', 'raw', 'reason'] as const;
/** A zip's rejects name the member each line is in, after the columns every rejects file has. */
export const ZIP_REJECT_COLUMNS = [...REJECT_COLUMNS, 'member'] as const;

/** First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Raw values are whatever the input held, opened later in a spreadsheet: one that
 * starts like a formula gets a leading `'` (a `+49…` that did not parse, too).
 */
function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Writes rejected rows as CSV `line,raw,reason`, waiting for the file to drain; a zip's
 * as `line,raw,reason,member`, the line counted by its member (told by the first reject).
 */
export class RejectsFile {
  private headerWritten = false;
  private members = false;
  private failure: Error | undefined;

  constructor(private readonly out: Writable) {
    // Kept for the next write to throw: a full disk fails the import, it does not crash it.
    out.on('error', (error: Error) => {
      this.failure ??= error;
    });
  }

  async write(reject: Reject): Promise<void> {
    if (this.failure) throw this.failure;
    const rows: string[][] = [];
    if (!this.headerWritten) {
      this.members = reject.member !== undefined;
      rows.push(this.members ? [...ZIP_REJECT_COLUMNS] : [...REJECT_COLUMNS]);
      this.headerWritten = true;
    }
    const row = [String(reject.line), spreadsheetSafe(reject.raw), reject.reason];
    if (this.members) row.push(spreadsheetSafe(reject.member ?? ''));
    rows.push(row);
    if (!this.out.write(stringify(rows))) await once(this.out, 'drain');
  }

  /** Writes the header even when nothing was rejected, so the file always says so. */
  async end(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.headerWritten) {
      this.headerWritten = true;
      this.out.write(stringify([[...REJECT_COLUMNS]]));
    }
    this.out.end();
    await once(this.out, 'finish');
  }
}

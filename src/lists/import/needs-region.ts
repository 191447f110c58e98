import { Readable } from 'node:stream';
import { BrokenFileError } from './broken-file.js';
import { classifyChunk, type ClassifiedChunk, type RowRules } from './classify.js';
import type { Dialect } from './dialect.js';
import { firstRecordOf, readRows } from './rows.js';

/** An import that cannot read its file for want of a region: it stops before writing anything. */
export class NeedsRegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NeedsRegionError';
  }
}

/** The first rows an import looks at before it writes, when no region is set. */
export const REGION_SAMPLE_ROWS = 100;
/** The most of a file's start read for the sample: far more than REGION_SAMPLE_ROWS rows take. */
const REGION_SAMPLE_BYTES = 1 << 20;

/** Whether the start of a file holds the sample's rows (or all the sample can read). */
export function enoughForRegionSample(head: Buffer): boolean {
  if (head.length >= REGION_SAMPLE_BYTES) return true;
  let lines = 0;
  for (let at = head.indexOf(10); at >= 0 && lines < REGION_SAMPLE_ROWS; at = head.indexOf(10, at + 1)) lines += 1;
  return lines >= REGION_SAMPLE_ROWS;
}

/**
 * The sample of the rows of a file's start (whole lines), read and classified as the
 * import reads them (`plan` gives the rules from the first record); rows after a break
 * of the file are not looked at, as the import would not read them.
 */
export async function sampleForRegion(
  head: Buffer,
  dialect: Dialect,
  plan: (record: string[]) => { rules: RowRules; header: boolean },
): Promise<RegionSample> {
  const sample = new RegionSample();
  let rules: RowRules | undefined;
  try {
    for await (const chunk of readRows(Readable.from([head]), dialect, () => undefined).chunks) {
      if (chunk.lines.length === 0) continue;
      let from = 0;
      if (!rules) {
        const planned = plan(firstRecordOf(chunk));
        rules = planned.rules;
        if (planned.header) from = 1;
      }
      if (sample.add(chunk.lines, classifyChunk(chunk, rules, from))) break;
    }
  } catch (error) {
    if (!(error instanceof BrokenFileError)) throw error;
  }
  return sample;
}

/**
 * Tells, from the first rows of an import without a region, whether the file is written
 * in national format (`030 1234567`): then every row would be rejected, and the import
 * stops at once with a hint instead. The rule: most of the sample (more than half of
 * the first REGION_SAMPLE_ROWS rows, or of all rows of a shorter file) are national
 * numbers that only a region could read. A file that is mostly international, with a
 * few national rows, imports as before and rejects those rows.
 */
export class RegionSample {
  private rows = 0;
  private national = 0;
  private example: { line: number; raw: string } | undefined;

  /** Takes the classified rows of one chunk; true once the sample is complete. */
  add(lines: number[], chunk: ClassifiedChunk): boolean {
    this.rows += chunk.members.length + chunk.rejects.length;
    for (const reject of chunk.rejects) {
      if (!reject.needsRegion) continue;
      this.national += 1;
      this.example ??= { line: lines[reject.index] as number, raw: reject.raw };
    }
    return this.rows >= REGION_SAMPLE_ROWS || chunk.broken !== undefined;
  }

  /** Takes one row, `national` when only a region could read it; true once the sample is complete. */
  addRow(national?: { line: number; raw: string }): boolean {
    this.rows += 1;
    if (national) {
      this.national += 1;
      this.example ??= national;
    }
    return this.rows >= REGION_SAMPLE_ROWS;
  }

  /** Throws NeedsRegionError when the sample says the file needs a region; `outcome` says what was not done. */
  assertReadable(source: string, outcome = 'nothing was imported'): void {
    if (this.national * 2 <= this.rows || !this.example) return;
    throw new NeedsRegionError(
      `${this.national} of the first ${this.rows} rows of ${source} are national numbers (line ${this.example.line}: ${JSON.stringify(this.example.raw)}) and no region is set: ` +
        `give the country they are in with --region (e.g. --region DE) or set CALLGUARD_REGION; ${outcome}`,
    );
  }
}

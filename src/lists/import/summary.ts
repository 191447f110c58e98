import { describeLine } from './broken-file.js';
import { describeRefusal, type Refusal } from './guards.js';
import { describeOldestPart, OTHER_PART } from '../source-date.js';
import type { DuplicateMode } from './writer.js';

/** Every row of the input ends up in exactly one of imported, duplicates, rejected. */
export interface ImportCounts {
  /** data rows read (header and blank lines not counted) */
  rows: number;
  imported: number;
  /** already in the list, or earlier in the same file: skipped or overridden per onDuplicate */
  duplicates: number;
  rejected: number;
}

export interface ImportSummary extends ImportCounts {
  list: string;
  source: string;
  gzip: boolean;
  /** the input was a zip archive */
  zip?: boolean;
  /** delete: the file's numbers were taken out (imported counts those removed, duplicates those not listed) */
  mode: 'import' | 'replace' | 'delete';
  dryRun: boolean;
  onDuplicate: DuplicateMode;
  /**
   * 'interrupted': stopped by a signal; 'broken': stopped where the file broke (see
   * `broken`). Both keep the whole batches written (plain) or change nothing (replace).
   * 'refused': a replace past its limits (see `refusal`); nothing was changed.
   */
  status: 'done' | 'interrupted' | 'broken' | 'refused';
  /** where and how the file broke: nothing after that line was read; in a zip, the member's own line and its name */
  broken: { line: number; member?: string; problem: string } | null;
  refusal: Refusal | null;
  /** live entries of the list before a replace (as the swap counted them) */
  sizeBefore: number | null;
  header: string[] | null;
  blankLines: number;
  /** the list's entries afterwards: numbers that never expire, and timed numbers plus prefixes (and a dense list's bits) */
  listSize: { exact: number; timed: number; dense?: number } | null;
  /** ms since epoch: the date of the data the list now has from this import (recorded when done) */
  dataDate: number | null;
  /** the parts of the list that date was given to (source-date.ts: area codes, `other`); [] when none */
  dataParts: string[];
  /** the list's date afterwards, the oldest of its parts', and that part when others are newer */
  listData: { dataDate: number; oldest: { part: string; parts: number } | null } | null;
  /** staging keys of an earlier interrupted replace, removed before this run */
  staleStagingKeysRemoved: number;
  /** the first rejects, so a summary shows what went wrong without opening the rejects file; in a zip, the member's own line and its name */
  firstRejects: { line: number; member?: string; raw: string; reason: string }[];
  seconds: number;
  rowsPerSecond: number;
}

const STATUS_WORDS: Record<ImportSummary['status'], string> = {
  done: 'done',
  interrupted: 'INTERRUPTED',
  broken: 'STOPPED, THE FILE IS BROKEN',
  refused: 'REFUSED',
};

/** The summary as lines for people. */
export function describeSummary(summary: ImportSummary): string[] {
  const verb = summary.dryRun ? 'would be ' : '';
  const what =
    summary.mode === 'replace'
      ? `replace of list ${summary.list}`
      : summary.mode === 'delete'
        ? `deletion from list ${summary.list}`
        : `import into list ${summary.list}`;
  const packed = summary.gzip ? ' (gzip)' : summary.zip ? ' (zip)' : '';
  const lines = [
    `${summary.dryRun ? 'dry run: ' : ''}${what} from ${summary.source}${packed}: ${STATUS_WORDS[summary.status]}`,
    `  rows:       ${summary.rows}${summary.header ? ' (after a header line)' : ''}${
      summary.blankLines > 0 ? `, ${summary.blankLines} blank line${summary.blankLines === 1 ? '' : 's'} ignored` : ''
    }`,
    ...(summary.mode === 'delete'
      ? [`  removed:    ${summary.imported}${summary.dryRun ? ' would be' : ''}`, `  not listed: ${summary.duplicates}`]
      : [
          `  imported:   ${summary.imported} ${verb}new`,
          `  duplicates: ${summary.duplicates} ${summary.onDuplicate === 'skip' ? `${verb}skipped` : `${verb}overridden`}`,
        ]),
    `  rejected:   ${summary.rejected}`,
  ];
  for (const reject of summary.firstRejects) {
    lines.push(`    ${describeLine(reject)}: ${JSON.stringify(reject.raw)}: ${reject.reason}`);
  }
  if (summary.rejected > summary.firstRejects.length) lines.push('    ... (see --rejects for all)');
  if (summary.broken) lines.push(`  broken at:  ${describeLine(summary.broken)}: ${summary.broken.problem}`);
  if (summary.refusal) lines.push(`  refused:    ${describeRefusal(summary.list, summary.refusal)}`);
  if (summary.sizeBefore !== null && summary.status === 'done') lines.push(`  list was:   ${summary.sizeBefore} live entries`);
  if (summary.listSize) {
    const { exact, timed, dense } = summary.listSize;
    const size = exact + timed + (dense ?? 0);
    const bits = dense === undefined ? '' : `, ${dense} in bitmaps`;
    lines.push(`  list now:   ${size} ${size === 1 ? 'entry' : 'entries'} (${timed} timed or prefixes${bits})`);
  }
  if (summary.dataDate !== null) lines.push(`  data date:  ${new Date(summary.dataDate).toISOString()}${describeDatedParts(summary.dataParts)}`);
  const { listData } = summary;
  if (listData && summary.dataDate !== null && listData.dataDate < summary.dataDate) {
    const part = listData.oldest ? ` (${describeOldestPart(listData.oldest)})` : '';
    lines.push(`  list dated: ${new Date(listData.dataDate).toISOString()}${part}: its oldest part, as campaigns count it`);
  }
  const outcome = describeOutcome(summary);
  if (outcome) lines.push(`  ${outcome}`);
  lines.push(`  ${summary.seconds.toFixed(1)} s, ${Math.round(summary.rowsPerSecond)} rows/s`);
  return lines;
}

/** What became of the list when the import did not finish as asked; undefined when it did. */
export function describeOutcome(summary: ImportSummary): string | undefined {
  if (summary.status === 'done') return undefined;
  const again =
    summary.refusal?.guard === 'list-changed'
      ? 'run the replace again'
      : summary.status === 'refused'
      ? 'check the file, or replace anyway with --force'
      : `${summary.status === 'broken' ? 'fix the file and ' : ''}run the same command again`;
  if (summary.dryRun) return `nothing was written (dry run); ${again}`;
  if (summary.mode === 'replace') {
    const kept = summary.refusal?.guard === 'list-changed' ? 'keeps its entries and those changes' : 'is as it was';
    return `the replace was not done, list ${summary.list} ${kept}; ${again}`;
  }
  if (summary.mode === 'delete') {
    const removed = summary.broken
      ? `the numbers before ${describeLine(summary.broken)} were taken out (${summary.imported} removed), none after it`
      : 'the numbers above were taken out';
    return `${removed}; ${again} to finish (numbers already out count as not listed)`;
  }
  const written = summary.broken
    ? `the rows before ${describeLine(summary.broken)} were written (${summary.imported} new), none after it`
    : 'the rows above were written';
  return `${written}; ${again} to finish (rows already in count as duplicates)`;
}

/** The one line an error message says for a broken file or a refused replace; undefined otherwise. */
export function describeFailure(summary: ImportSummary): string | undefined {
  if (summary.broken) {
    return `${summary.source} is broken at ${describeLine(summary.broken)}: ${summary.broken.problem}; ${describeOutcome(summary)}`;
  }
  if (summary.refusal) return `replace refused: ${describeRefusal(summary.list, summary.refusal)}; ${describeOutcome(summary)}`;
  return undefined;
}

/** ` for area code 201`, ` for 330 area codes and numbers outside +1`. */
function describeDatedParts(parts: string[]): string {
  const areaCodes = parts.filter((part) => part !== OTHER_PART);
  const named = areaCodes.length === 1 ? [`area code ${areaCodes[0] as string}`] : areaCodes.length > 1 ? [`${areaCodes.length} area codes`] : [];
  if (parts.includes(OTHER_PART)) named.push('numbers outside +1');
  return named.length === 0 ? '' : ` for ${named.join(' and ')}`;
}

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
  mode: 'import' | 'replace';
  dryRun: boolean;
  onDuplicate: DuplicateMode;
  /** 'interrupted': stopped by a signal; whole batches were written (plain) or nothing (replace) */
  status: 'done' | 'interrupted';
  header: string[] | null;
  blankLines: number;
  /** the list's entries afterwards: numbers that never expire, and timed numbers plus prefixes */
  listSize: { exact: number; timed: number } | null;
  /** staging keys of an earlier interrupted replace, removed before this run */
  staleStagingKeysRemoved: number;
  /** the first rejects, so a summary shows what went wrong without opening the rejects file */
  firstRejects: { line: number; raw: string; reason: string }[];
  seconds: number;
  rowsPerSecond: number;
}

/** The summary as lines for people. */
export function describeSummary(summary: ImportSummary): string[] {
  const verb = summary.dryRun ? 'would be ' : '';
  const what = summary.mode === 'replace' ? `replace of list ${summary.list}` : `import into list ${summary.list}`;
  const lines = [
    `${summary.dryRun ? 'dry run: ' : ''}${what} from ${summary.source}${summary.gzip ? ' (gzip)' : ''}: ${
      summary.status === 'done' ? 'done' : 'INTERRUPTED'
    }`,
    `  rows:       ${summary.rows}${summary.header ? ' (after a header line)' : ''}${
      summary.blankLines > 0 ? `, ${summary.blankLines} blank line${summary.blankLines === 1 ? '' : 's'} ignored` : ''
    }`,
    `  imported:   ${summary.imported} ${verb}new`,
    `  duplicates: ${summary.duplicates} ${summary.onDuplicate === 'skip' ? `${verb}skipped` : `${verb}overridden`}`,
    `  rejected:   ${summary.rejected}`,
  ];
  for (const reject of summary.firstRejects) {
    lines.push(`    line ${reject.line}: ${JSON.stringify(reject.raw)}: ${reject.reason}`);
  }
  if (summary.rejected > summary.firstRejects.length) lines.push('    ... (see --rejects for all)');
  if (summary.listSize) {
    const size = summary.listSize.exact + summary.listSize.timed;
    lines.push(`  list now:   ${size} ${size === 1 ? 'entry' : 'entries'} (${summary.listSize.timed} timed or prefixes)`);
  }
  if (summary.status === 'interrupted') {
    lines.push(
      summary.mode === 'replace'
        ? '  the list was left as it was; run the same command again to replace it'
        : '  the rows above were written; run the same command again to finish (rows already in are duplicates)',
    );
  }
  lines.push(`  ${summary.seconds.toFixed(1)} s, ${Math.round(summary.rowsPerSecond)} rows/s`);
  return lines;
}

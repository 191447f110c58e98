import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import/run.js';
import { PROGRESS_EVERY_MS } from '../../src/lists/import/progress-pace.js';
import { openSource } from '../../src/lists/import/source.js';
import { scrubLeads } from '../../src/screening/scrub.js';
import { collect } from '../helpers/collect.js';
import { ALICE, useStore } from '../lists/fixture.js';
import { numberLines } from './helpers.js';

/** A slow file: `pieces` of `rows` numbers each, one every `gapMs`, as a slow disk or a slow parse makes them come. */
function slowFile(pieces: number, rows: number, gapMs: number): PassThrough {
  const input = new PassThrough();
  let sent = 0;
  const next = (): void => {
    if (sent === pieces) {
      input.end();
      return;
    }
    input.write(numberLines(5_000_000 + sent * rows, rows));
    sent += 1;
    setTimeout(next, gapMs);
  };
  next();
  return input;
}

const PIECES = 8;
const ROWS = 1_000;
/** Twice the pace between two pieces: the file takes about four paces. */
const GAP_MS = PROGRESS_EVERY_MS / 2;

describe('an import or a scrub of a slow file tells its progress a few times a second, not once in many thousand rows', () => {
  const t = useStore();

  it('an import tells rows read and imported as they grow, before its end', async () => {
    await t.store.createList('dnc', ALICE);
    const seen: { rows: number; imported: number }[] = [];
    const summary = await importList(t.redis, t.namespace, {
      list: 'dnc', source: await openSource('-', slowFile(PIECES, ROWS, GAP_MS)), onDuplicate: 'skip', replace: false, dryRun: false, actor: ALICE, batchSize: 500,
      onProgress: ({ rows, imported }) => seen.push({ rows, imported }),
    });
    expect(summary).toMatchObject({ status: 'done', rows: PIECES * ROWS });
    // The last report is the end's; those before it came while the file was read.
    const during = seen.slice(0, -1).filter((report) => report.rows < PIECES * ROWS);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.map((report) => report.rows)).toEqual([...during.map((report) => report.rows)].sort((a, b) => a - b));
    expect(new Set(during.map((report) => report.rows)).size).toBe(during.length);
  });

  it('a scrub tells rows read as they grow, before its end', async () => {
    await t.store.createList('dnc', ALICE);
    const seen: number[] = [];
    const summary = await scrubLeads(t.store, {
      source: await openSource('-', slowFile(PIECES, ROWS, GAP_MS)), lists: ['dnc'], region: 'DE', clean: collect(), removed: collect(),
      onProgress: ({ rows }) => seen.push(rows),
    });
    expect(summary).toMatchObject({ rows: PIECES * ROWS, clean: PIECES * ROWS });
    const during = seen.filter((rows) => rows < PIECES * ROWS);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during).toEqual([...during].sort((a, b) => a - b));
  });
});

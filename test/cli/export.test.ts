import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { exportList, spreadsheetSafe } from '../../src/lists/export.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard } from './run-cli.js';

const redis = testRedis();
afterAll(() => redis.quit());

let ns: string;
beforeEach(async () => {
  ns = testNamespace();
  await callguard(ns, 'list', 'create', 'dnc');
});

function rowsOf(csv: string): string[][] {
  return parse(csv) as string[][];
}

describe('export', () => {
  it('writes number,expires,reason,by,added for numbers, timed entries and prefixes', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc', '--reason', 'opted out', '--by', 'alice');
    await callguard(ns, 'add', '+1900*', '--list', 'dnc', '--reason', 'premium', '--by', 'bob');
    await callguard(ns, 'add', '+4930654321', '--list', 'dnc', '--until', '2099-01-01T00:00:00Z', '--by', 'carol');

    const run = await callguard(ns, 'export', '--list', 'dnc');
    expect(run.code).toBe(0);
    const [header, ...rows] = rowsOf(run.out);
    expect(header).toEqual(['number', 'expires', 'reason', 'by', 'added']);
    const byNumber = new Map(rows.map((row) => [row[0], row]));
    expect(byNumber.get('+4930123456')?.slice(1, 4)).toEqual(['', 'opted out', 'alice']);
    expect(byNumber.get('+1900*')?.slice(1, 4)).toEqual(['', 'premium', 'bob']);
    expect(byNumber.get('+4930654321')?.slice(1, 4)).toEqual(['2099-01-01T00:00:00.000Z', '', 'carol']);
    for (const row of rows) expect(Date.parse(row[4] ?? '')).toBeGreaterThan(0);
    expect(rows).toHaveLength(3);
    expect(run.err).toContain('exported 3 entries of dnc');
  });

  it('escapes reason and by that a spreadsheet would run as a formula, and leaves +numbers importable', async () => {
    const formulas = ['=HYPERLINK("http://x","y")', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx'];
    for (const [i, reason] of formulas.entries()) {
      await callguard(ns, 'add', `+49301234${50 + i}`, '--list', 'dnc', '--reason', reason, '--by', '=evil()');
    }
    await callguard(ns, 'add', '+4930999999', '--list', 'dnc', '--reason', 'plain, with "quotes"\nand a newline', '--by', 'ok');

    const rows = rowsOf((await callguard(ns, 'export', '--list', 'dnc')).out).slice(1);
    const byNumber = new Map(rows.map((row) => [row[0], row]));
    for (const [i, reason] of formulas.entries()) {
      expect(byNumber.get(`+49301234${50 + i}`)?.slice(2, 4)).toEqual([`'${reason}`, "'=evil()"]);
    }
    expect(byNumber.get('+4930999999')?.slice(2, 4)).toEqual(['plain, with "quotes"\nand a newline', 'ok']);
    for (const row of rows) expect(row[0]).toMatch(/^\+\d+$/);
  });

  it('leaves cancelled entries out', async () => {
    await callguard(ns, 'add', '+4930123456', '+4930654321', '+1900*', '--list', 'dnc');
    await callguard(ns, 'cancel', '+4930123456', '+1900*', '--list', 'dnc', '--reason', 'consent');
    const rows = rowsOf((await callguard(ns, 'export', '--list', 'dnc')).out).slice(1);
    expect(rows.map((row) => row[0])).toEqual(['+4930654321']);
  });

  it('leaves expired timed entries out and counts them', async () => {
    const hourAgo = Date.now() - 3_600_000;
    const past = new ListStore(redis, ns, () => hourAgo - 60_000);
    await past.add('dnc', [{ member: '+4930111111', expiresAt: hourAgo }], { by: 'test' });
    await callguard(ns, 'add', '+4930222222', '--list', 'dnc', '--for', '1h');

    const out = new PassThrough();
    let csv = '';
    out.on('data', (chunk: Buffer) => {
      csv += chunk.toString();
    });
    const counts = await exportList(redis, ns, 'dnc', out);
    expect(counts).toEqual({ exported: 1, skippedExpired: 1 });
    expect(rowsOf(csv).map((row) => row[0])).toEqual(['number', '+4930222222']);
  });

  it('reads the list in batches and writes every entry exactly once', async () => {
    const numbers = Array.from({ length: 600 }, (_, i) => `+4930${String(1_000_000 + i)}`);
    const timed = Array.from({ length: 300 }, (_, i) => `+4940${String(1_000_000 + i)}`);
    await callguard(ns, 'add', ...numbers, '--list', 'dnc');
    await callguard(ns, 'add', ...timed, '--list', 'dnc', '--for', '1d');

    const out = new PassThrough();
    let csv = '';
    out.on('data', (chunk: Buffer) => {
      csv += chunk.toString();
    });
    const batches: number[] = [];
    const counts = await exportList(redis, ns, 'dnc', out, { batchSize: 50, onBatch: (c) => batches.push(c.exported) });
    const exported = rowsOf(csv).slice(1).map((row) => row[0]);
    expect(counts.exported).toBe(900);
    expect(new Set(exported)).toEqual(new Set([...numbers, ...timed]));
    expect(exported).toHaveLength(900);
    expect(batches.length).toBeGreaterThan(2);
  });

  it('-o writes the file only when complete and prints the summary', async () => {
    await callguard(ns, 'add', '+4930123456', '--list', 'dnc');
    const dir = await mkdtemp(join(tmpdir(), 'callguard-export-'));
    try {
      const file = join(dir, 'dnc.csv');
      const run = await callguard(ns, '--json', 'export', '--list', 'dnc', '-o', file);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toEqual({ list: 'dnc', file, exported: 1, skippedExpired: 0 });
      expect(rowsOf(await readFile(file, 'utf8')).map((row) => row[0])).toEqual(['number', '+4930123456']);

      const missing = await callguard(ns, 'export', '--list', 'nosuch', '-o', join(dir, 'nosuch.csv'));
      expect(missing.code).toBe(1);
      expect(await readdir(dir)).toEqual(['dnc.csv']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('spreadsheetSafe escapes exactly the formula starters', () => {
    expect(['=1', '+1', '-1', '@1', '\t1', '\r1'].map(spreadsheetSafe)).toEqual(["'=1", "'+1", "'-1", "'@1", "'\t1", "'\r1"]);
    expect(['', 'a=1', ' =1', "it's"].map(spreadsheetSafe)).toEqual(['', 'a=1', ' =1', "it's"]);
  });
});

import { gzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { listKeys } from '../../src/lists/keys.js';
import { RejectsFile } from '../../src/lists/import/rejects.js';
import { ListStore } from '../../src/lists/store.js';
import { createList, entriesOf, importText } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

let namespace: string;
beforeEach(async () => {
  namespace = testNamespace();
  await createList(redis, namespace, 'dnc');
});

function captured(): { file: RejectsFile; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { file: new RejectsFile(out), text: () => text };
}

describe('import', () => {
  it('loads a file of one number a line, in any format, as E.164 that never expires', async () => {
    const summary = await importText(redis, namespace, 'dnc', '+4930123456\n030 1234567\n0049 40 1234567\n+49 (89) 12-34-567\n', {
      region: 'DE',
    });
    expect(summary).toMatchObject({ rows: 4, imported: 4, duplicates: 0, rejected: 0, status: 'done' });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({
      exact: ['+4930123456', '+49301234567', '+49401234567', '+49891234567'],
      timed: {},
    });
  });

  it('reads a contact-centre CSV: BOM, semicolons, quoted fields, CRLF, header', async () => {
    const csv = '\ufeffDatum;Rufnummer;Beschreibung\r\n2026-01-02;"+49 30 1234567";"Kunde; bitte nicht anrufen"\r\n2026-01-03;0301234568;"sagt ""nein"""\r\n';
    const summary = await importText(redis, namespace, 'dnc', csv, { region: 'DE' });
    expect(summary).toMatchObject({ rows: 2, imported: 2, rejected: 0, header: ['Datum', 'Rufnummer', 'Beschreibung'] });
    expect((await entriesOf(redis, namespace, 'dnc')).exact).toEqual(['+49301234567', '+49301234568']);
  });

  it('reads gzip by its content, whatever the name', async () => {
    const summary = await importText(redis, namespace, 'dnc', gzipSync('+4930123456\n+4930123457\n'));
    expect(summary).toMatchObject({ gzip: true, imported: 2 });
    expect((await entriesOf(redis, namespace, 'dnc')).exact).toEqual(['+4930123456', '+4930123457']);
  });

  it('accounts for every row and writes each reject with its line, raw value and reason', async () => {
    const rejects = captured();
    const text = 'number,note\n+4930123456,ok\n\nnot a number,x\n+4930123456,again\n"=cmd()",formula\n+1900*,prefix\n';
    const summary = await importText(redis, namespace, 'dnc', text, { rejects: rejects.file });
    await rejects.file.end();
    expect(summary).toMatchObject({ rows: 5, imported: 2, duplicates: 1, rejected: 2 });
    expect(summary.rows).toBe(summary.imported + summary.duplicates + summary.rejected);
    const lines = rejects.text().trim().split('\n');
    expect(lines[0]).toBe('line,raw,reason');
    expect(lines[1]).toMatch(/^4,not a number,/);
    expect(lines[2]).toMatch(/^6,'=cmd\(\),/);
    expect(lines).toHaveLength(3);
  });

  it('stores a prefix in the timed set with +inf, and --until numbers with their expiry', async () => {
    const until = Date.now() + 86_400_000;
    await importText(redis, namespace, 'dnc', '+1900*\n+4930123456\n', { expiresAt: until });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({
      exact: [],
      timed: { '+1900*': String(until), '+4930123456': String(until) },
    });
  });

  it('skip keeps an existing entry untouched, expiry included; the first of the file wins', async () => {
    const soon = Date.now() + 60_000;
    await importText(redis, namespace, 'dnc', '+4930123456\n', { expiresAt: soon });
    const summary = await importText(redis, namespace, 'dnc', '+4930123456\n+4930999999\n+4930999999\n');
    expect(summary).toMatchObject({ imported: 1, duplicates: 2 });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: ['+4930999999'], timed: { '+4930123456': String(soon) } });
  });

  it('override gives an existing entry the import expiry, and forever moves it to the never-expiring set', async () => {
    const soon = Date.now() + 60_000;
    const later = Date.now() + 3_600_000;
    await importText(redis, namespace, 'dnc', '+4930123456\n+4930222222\n', { expiresAt: soon });
    await importText(redis, namespace, 'dnc', '+4930333333\n');
    const forever = await importText(redis, namespace, 'dnc', '+4930123456\n', { onDuplicate: 'override' });
    const timed = await importText(redis, namespace, 'dnc', '+4930222222\n+4930333333\n', { onDuplicate: 'override', expiresAt: later });
    expect(forever).toMatchObject({ imported: 0, duplicates: 1 });
    expect(timed).toMatchObject({ imported: 0, duplicates: 2 });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({
      exact: ['+4930123456'],
      timed: { '+4930222222': String(later), '+4930333333': String(later) },
    });
  });

  it('override with per-row expiries: the last occurrence in the file wins', async () => {
    const first = new Date(Date.now() + 60_000).toISOString();
    const last = new Date(Date.now() + 120_000).toISOString();
    const csv = `number,until\n+4930123456,${first}\n+4930123456,\n+4930123456,${last}\n`;
    const summary = await importText(redis, namespace, 'dnc', csv, {
      onDuplicate: 'override',
      expiresColumn: { kind: 'name', name: 'until' },
    });
    expect(summary).toMatchObject({ imported: 1, duplicates: 2 });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: [], timed: { '+4930123456': String(Date.parse(last)) } });
  });

  it('brings back an expired entry instead of calling it a duplicate', async () => {
    const keys = listKeys(namespace, 'dnc');
    await redis.zadd(keys.timed, Date.now() - 1_000, '+4930123456');
    const summary = await importText(redis, namespace, 'dnc', '+4930123456\n');
    expect(summary).toMatchObject({ imported: 1, duplicates: 0 });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: ['+4930123456'], timed: {} });
  });

  it('is idempotent: the same file again changes nothing and counts only duplicates', async () => {
    const file = Array.from({ length: 12_000 }, (_, i) => `+4930${1_000_000 + i}`).join('\n');
    const first = await importText(redis, namespace, 'dnc', file, { batchSize: 1_000 });
    const before = await entriesOf(redis, namespace, 'dnc');
    const again = await importText(redis, namespace, 'dnc', file, { batchSize: 1_000 });
    expect(first).toMatchObject({ imported: 12_000, duplicates: 0 });
    expect(again).toMatchObject({ imported: 0, duplicates: 12_000 });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual(before);
  });

  it('a dry run reads and counts every row and writes nothing, not even an audit event', async () => {
    const keys = listKeys(namespace, 'dnc');
    const auditBefore = await redis.xlen(keys.audit);
    const summary = await importText(redis, namespace, 'dnc', '+4930123456\nbogus\n+1900*\n', { dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, rows: 3, imported: 2, rejected: 1, listSize: null });
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: [], timed: {} });
    expect(await redis.xlen(keys.audit)).toBe(auditBefore);
  });

  it('records one audit event per import with file, counts, who and why, and no per-number metadata', async () => {
    const file = Array.from({ length: 7_000 }, (_, i) => `+4930${1_000_000 + i}`).join('\n');
    await importText(redis, namespace, 'dnc', `${file}\nbogus\n`, { batchSize: 1_000 });
    const events = await new ListStore(redis, namespace).audit('dnc');
    const imports = events.filter((event) => event.action === 'import');
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatchObject({
      by: 'test',
      reason: 'test import',
      details: { file: 'stdin', rows: '7001', imported: '7000', duplicates: '0', rejected: '1', status: 'done' },
    });
    expect(await redis.hlen(listKeys(namespace, 'dnc').meta)).toBe(0);
  });

  it('refuses a list that does not exist, writing nothing', async () => {
    await expect(importText(redis, namespace, 'nosuch', '+4930123456\n')).rejects.toThrow(/no such list: nosuch/);
    expect(await redis.exists(listKeys(namespace, 'nosuch').exact)).toBe(0);
  });
});

describe('import line numbers', () => {
  it('counts a quoted field spanning lines, so later rejects name their real line', async () => {
    const rejects = captured();
    const csv = 'number,note\n+4930123456,"two\nlines"\nbogus,x\n';
    const summary = await importText(redis, namespace, 'dnc', csv, { rejects: rejects.file });
    await rejects.file.end();
    expect(summary).toMatchObject({ rows: 2, imported: 1, rejected: 1 });
    expect(rejects.text().split('\n')[1]).toMatch(/^4,bogus,/);
  });
});

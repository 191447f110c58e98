import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { exportList } from '../../src/lists/export.js';
import { importChanges } from '../../src/lists/import/changes.js';
import { importList } from '../../src/lists/import/run.js';
import { describeFailure } from '../../src/lists/import/summary.js';
import { openSource } from '../../src/lists/import/source.js';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace } from '../helpers/redis.js';
import { writeZip } from '../helpers/zip.js';
import { cliTestFiles, importText, sourceOf } from './helpers.js';

const files = cliTestFiles('callguard-registry-');
const ACTOR = { by: 'ops', reason: 'FTC registry' };

/** A zip of these members (name -> text) dated `date`, written to the test directory. */
async function zipFile(name: string, members: Record<string, string>, date: Date): Promise<string> {
  return writeZip(join(files.dir, name), members, date);
}

async function exported(redis: Redis, namespace: string, list: string): Promise<string[]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  await exportList(redis, namespace, list, out);
  return text.trim().split('\n').slice(1).map((row) => row.split(',')[0] as string);
}

describe('national registries', () => {
  let namespace: string;
  let store: ListStore;
  beforeEach(async () => {
    namespace = testNamespace();
    store = new ListStore(files.redis, namespace);
    await store.createList('us', { by: 'ops' }, { dense: 'nanp' });
    await store.createList('plain', { by: 'ops' });
  });
  afterEach(() => undefined);

  it('--country US reads the FTC layouts fast, sends odd lines to the ordinary reading and malformed ones to the rejects', async () => {
    const text = [
      'AreaCode,PhoneNumber', '201,5550100', '2015550101', '12015550102', '+1 (201) 555-0103', '201,5550100',
      '201-555-0104 ext 7', '12345', '0015550100', '', '4155550100',
    ].join('\r\n');
    const summary = await importText(files.redis, namespace, 'us', text, { country: 'US' });
    expect(summary).toMatchObject({ status: 'done', rows: 9, imported: 6, duplicates: 1, rejected: 2, header: ['AreaCode,PhoneNumber'], blankLines: 1 });
    expect(summary.firstRejects.map((r) => r.line)).toEqual([8, 9]);
    expect(await exported(files.redis, namespace, 'us')).toEqual([
      '+12015550100', '+12015550101', '+12015550102', '+12015550103', '+12015550104', '+14155550100',
    ]);
    expect(await files.redis.scard(listKeys(namespace, 'us').exact)).toBe(0);
    expect(await store.check('+12015550104', ['us'])).toMatchObject({ member: '+12015550104' });
  });

  it('the same file gives the same answers in a dense list and an ordinary one', async () => {
    const numbers = Array.from({ length: 3000 }, (_, i) => `${[201, 415, 212][i % 3]}${555 + (i % 7)}${String((i * 7919) % 10000).padStart(4, '0')}`);
    const text = numbers.join('\n');
    const [dense, plain] = [
      await importText(files.redis, namespace, 'us', text, { country: 'US' }),
      await importText(files.redis, namespace, 'plain', text, { country: 'US' }),
    ];
    expect(dense).toMatchObject({ imported: plain.imported, duplicates: plain.duplicates, rows: 3000 });
    expect((await exported(files.redis, namespace, 'us')).sort()).toEqual((await exported(files.redis, namespace, 'plain')).sort());
    const [us, ordinary] = (await store.lists()).filter((l) => l.name !== 'x').sort((a, b) => b.name.localeCompare(a.name));
    expect(us?.size).toBe(ordinary?.size);
    for (const probe of ['+12015550000', '+14155617919', `+1${numbers[17] as string}`]) {
      const [a, b] = await store.checkEach(probe, ['us', 'plain']);
      expect(a?.member).toBe(b?.member);
    }
  });

  it('reads every member of a zip, and takes the newest member date as the data date', async () => {
    const path = await zipFile('dnc.zip', { '201.txt': '2015550100\n2015550101', '415.txt': '4155550100\n' }, new Date('2026-11-30T00:00:00Z'));
    const summary = await importList(files.redis, namespace, {
      list: 'us', source: await openSource(path), onDuplicate: 'skip', replace: false, dryRun: false, actor: ACTOR, country: 'US',
    });
    expect(summary).toMatchObject({ status: 'done', rows: 3, imported: 3, zip: true });
    const [us] = (await store.lists()).filter((l) => l.name === 'us');
    expect(us?.source).toMatchObject({ name: path, from: 'file' });
    expect(Math.abs((us?.source?.dataDate ?? 0) - Date.parse('2026-11-30T00:00:00Z'))).toBeLessThan(86_400_000);
  });

  it('a zip of members that end with a line break counts no blank line between them (measured: "1 blank line ignored")', async () => {
    const path = await zipFile(`lines-${namespace}.zip`, { '201.txt': '2015550100\n', '415.txt': '4155550100\n' }, new Date('2026-11-30T00:00:00Z'));
    const summary = await importList(files.redis, namespace, {
      list: 'us', source: await openSource(path), onDuplicate: 'skip', replace: false, dryRun: false, actor: ACTOR, country: 'US',
    });
    expect(summary).toMatchObject({ status: 'done', rows: 2, imported: 2, blankLines: 0 });
  });

  it("a zip member that breaks is named, with the line the member itself counts (measured: line 6, the lines of the members before counted in)", async () => {
    const members = { '201.txt': '+12015550100\n+12015550101', '415.txt': '+14155550100\n+14155550101\n', '650.txt': '+16505550100\n\u0000\n' };
    const path = await zipFile(`broken-${namespace}.zip`, members, new Date('2026-11-30T00:00:00Z'));
    const summary = await importList(files.redis, namespace, {
      list: 'plain', source: await openSource(path), onDuplicate: 'skip', replace: false, dryRun: false, actor: ACTOR,
    });
    expect(summary).toMatchObject({ status: 'broken', rows: 5, imported: 5, broken: { line: 2, member: '650.txt' } });
    expect(describeFailure(summary)).toMatch(new RegExp(`^${path} is broken at line 2 of 650\\.txt: a NUL byte`));
    const [event] = await store.audit('plain', 1);
    expect(event?.details?.brokenAt).toMatch(/^line 2 of 650\.txt: a NUL byte/);
  });

  it('a zip without a file is refused when opened (measured: read as 0 rows, done, the list data date set to now)', async () => {
    const path = await zipFile(`empty-${namespace}.zip`, {}, new Date('2026-11-30T00:00:00Z'));
    await expect(openSource(path)).rejects.toThrow('the zip archive holds no file');
  });

  it('--country of another plan than a dense list\'s is refused before anything is written (measured: 2,000 US lines read as UK numbers into the list\'s SET)', async () => {
    await expect(importText(files.redis, namespace, 'us', '2015550100\n2015550101\n', { country: 'GB' })).rejects.toThrow(
      '--country GB reads a national file of the uk plan, but list us is dense nanp: check the country, or load the file into a list created with --dense uk',
    );
    expect(await files.redis.exists(listKeys(namespace, 'us').exact)).toBe(0);
    expect((await store.lists()).find((l) => l.name === 'us')).toMatchObject({ size: 0 });
    expect(await importText(files.redis, namespace, 'plain', '02079460000\n', { country: 'GB' })).toMatchObject({ status: 'done', imported: 1 });
  });

  it('--source-date wins over the file date, and is in the audit event', async () => {
    await importText(files.redis, namespace, 'us', '2015550100\n', { country: 'US', sourceDate: Date.parse('2026-11-01') });
    const [us] = (await store.lists()).filter((l) => l.name === 'us');
    expect(us?.source).toEqual({ name: 'stdin', dataDate: Date.parse('2026-11-01'), from: 'flag' });
    expect((await store.audit('us', 1))[0]?.details).toMatchObject({ dataDate: '2026-11-01T00:00:00.000Z', country: 'US' });
  });

  it('a replace of a dense list swaps the new bitmaps in whole and frees the old ones', async () => {
    await importText(files.redis, namespace, 'us', '2015550100\n2015550101\n4155550100\n', { country: 'US' });
    const before = await files.redis.hget(listKeys(namespace, 'us').info, 'gen');
    const summary = await importText(files.redis, namespace, 'us', '2015550101\n2015550102\n4155550100\n', { country: 'US', replace: true });
    expect(summary).toMatchObject({ status: 'done', imported: 3, sizeBefore: 3, listSize: { exact: 0, timed: 0, dense: 3 } });
    expect(await files.redis.hget(listKeys(namespace, 'us').info, 'gen')).not.toBe(before);
    expect(await files.redis.keys(`${listKeys(namespace, 'us').dense}:${before as string}*`)).toEqual([]);
    expect(await exported(files.redis, namespace, 'us')).toEqual(['+12015550101', '+12015550102', '+14155550100']);
    expect(await store.check('+12015550100', ['us'])).toBeNull();
  });

  it('the replace guard sees the size of the bitmaps: a file that would shrink a dense list is refused', async () => {
    const many = Array.from({ length: 100 }, (_, i) => `201555${String(i).padStart(4, '0')}`).join('\n');
    await importText(files.redis, namespace, 'us', many, { country: 'US' });
    const summary = await importText(files.redis, namespace, 'us', '2015550000\n', { country: 'US', replace: true });
    expect(summary).toMatchObject({ status: 'refused', refusal: { guard: 'max-shrink', sizeBefore: 100, sizeAfter: 1 } });
    expect((await store.lists()).find((l) => l.name === 'us')).toMatchObject({ size: 100, lost: 0 });
    expect(await files.redis.smembers(`${listKeys(namespace, 'us').dense}:gens`)).toHaveLength(1);
  });

  it('--delete takes the numbers out of a dense and of an ordinary list, audited as one event', async () => {
    for (const list of ['us', 'plain']) {
      await importText(files.redis, namespace, list, '2015550100\n2015550101\n4155550100\n', { country: 'US' });
      const summary = await importText(files.redis, namespace, list, '2015550100\n4155550100\n9995550100\n2125550100\n', { country: 'US', operation: 'delete' });
      expect(summary).toMatchObject({ mode: 'delete', status: 'done', imported: 2, duplicates: 2 });
      expect(await exported(files.redis, namespace, list)).toEqual(['+12015550101']);
      const [event] = await store.audit(list, 1);
      expect(event).toMatchObject({ action: 'delete', details: { imported: '2', duplicates: '2' } });
      expect((await store.lists()).find((l) => l.name === list)).toMatchObject({ size: 1, lost: 0 });
    }
    // The block the delete emptied is gone with its index entry.
    const gen = await files.redis.hget(listKeys(namespace, 'us').info, 'gen');
    expect(await files.redis.zrange(`${listKeys(namespace, 'us').dense}:${gen as string}`, '0', '-1')).toEqual(['1201555']);
  });

  it('--delete of numbers none of which is listed counts them as not listed, on a dense list too', async () => {
    for (const list of ['us', 'plain']) {
      await importText(files.redis, namespace, list, '2015550100\n', { country: 'US' });
      const summary = await importText(files.redis, namespace, list, '2015550101\n2015550102\n', { country: 'US', operation: 'delete' });
      expect(summary).toMatchObject({ status: 'done', imported: 0, duplicates: 2 });
      expect((await store.lists()).find((l) => l.name === list)).toMatchObject({ size: 1, lost: 0 });
    }
  });

  it('a dry run of an add and of a delete counts what the real run then changes, and writes nothing', async () => {
    await importText(files.redis, namespace, 'us', '2015550100\n2015550101\n4155550100\n', { country: 'US' });
    // Sparse blocks (a few numbers, one repeated) and a block of 70, sent as a whole bitmap.
    const full = Array.from({ length: 70 }, (_, i) => `41555501${String(i).padStart(2, '0')}`);
    const additions = ['2015550100', '2015550102', '2015550102', '3125550100', ...full].join('\n');
    const deletions = ['2015550101', '2015550101', '2125550100', ...full.slice(0, 3)].join('\n');
    const keys = listKeys(namespace, 'us');
    for (const [text, operation] of [[additions, 'add'], [deletions, 'delete']] as const) {
      const before = await files.redis.hgetall(keys.info);
      const dry = await importText(files.redis, namespace, 'us', text, { country: 'US', operation, dryRun: true });
      expect(await files.redis.hgetall(keys.info)).toEqual(before);
      const real = await importText(files.redis, namespace, 'us', text, { country: 'US', operation });
      expect({ imported: dry.imported, duplicates: dry.duplicates }).toEqual({ imported: real.imported, duplicates: real.duplicates });
    }
    expect(await exported(files.redis, namespace, 'us')).toEqual(['+12015550100', '+12015550102', '+13125550100', ...full.slice(3).map((n) => `+1${n}`)]);
    expect((await store.lists()).find((l) => l.name === 'us')).toMatchObject({ size: 70, lost: 0 });
  });

  it("--country US refuses an area-code line of the wrong length for its length, not for its comma (measured: \"contains characters other than digits and separators\")", async () => {
    const summary = await importText(files.redis, namespace, 'us', '2015550100\n646,55501\n646,5550100123\n', { country: 'US' });
    expect(summary).toMatchObject({ imported: 1, rejected: 2 });
    expect(summary.firstRejects).toEqual([
      { line: 2, raw: '646,55501', reason: 'too short for a US number' },
      { line: 3, raw: '646,5550100123', reason: 'too long for a US number' },
    ]);
  });

  it('--changes applies the deletions, then the additions, and records one changes event', async () => {
    await importText(files.redis, namespace, 'us', '2015550100\n2015550101\n', { country: 'US' });
    const summary = await importChanges(files.redis, namespace, { list: 'us', country: 'US', onDuplicate: 'skip', dryRun: false, actor: ACTOR }, {
      additions: await sourceOf('2015550102\n2015550100\n'),
      deletions: await sourceOf('2015550100\n2015550101\n'),
    });
    expect(summary.deletions).toMatchObject({ imported: 2, duplicates: 0 });
    expect(summary.additions).toMatchObject({ imported: 2, duplicates: 0 });
    expect(await exported(files.redis, namespace, 'us')).toEqual(['+12015550100', '+12015550102']);
    const [event, before] = await store.audit('us', 2);
    expect(event).toMatchObject({ action: 'changes', details: { removed: '2', imported: '2' } });
    expect(before?.action).toBe('import');
  });

  it('--changes whose additions break off leaves the list dated as before (measured: dated by the deletions, fresh without the additions)', async () => {
    await importText(files.redis, namespace, 'us', '2015550100\n2015550101\n', { country: 'US', sourceDate: Date.parse('2026-10-01') });
    const additions = gzipSync('2015550102\n'.repeat(5_000));
    const summary = await importChanges(files.redis, namespace, { list: 'us', country: 'US', onDuplicate: 'skip', dryRun: false, actor: ACTOR, sourceDate: Date.parse('2026-11-30') }, {
      additions: await sourceOf(additions.subarray(0, additions.length >> 1)),
      deletions: await sourceOf('2015550100\n'),
    });
    expect(summary.deletions).toMatchObject({ status: 'done', imported: 1, dataDate: null });
    expect(summary.additions).toMatchObject({ status: 'broken', dataDate: null });
    expect((await store.lists()).find((l) => l.name === 'us')?.source).toMatchObject({ dataDate: Date.parse('2026-10-01') });
    const [event] = await store.audit('us', 1);
    expect(event).toMatchObject({ action: 'changes', details: { status: 'broken' } });
    expect(event?.details).not.toHaveProperty('dataDate');
  });

  it('--changes dates the list by its additions once both are in', async () => {
    await importText(files.redis, namespace, 'us', '2015550100\n', { country: 'US', sourceDate: Date.parse('2026-10-01') });
    const summary = await importChanges(files.redis, namespace, { list: 'us', country: 'US', onDuplicate: 'skip', dryRun: false, actor: ACTOR, sourceDate: Date.parse('2026-11-30') }, {
      additions: await sourceOf('2015550102\n'),
      deletions: await sourceOf('2015550100\n'),
    });
    expect(summary.additions).toMatchObject({ status: 'done', dataDate: Date.parse('2026-11-30') });
    expect((await store.lists()).find((l) => l.name === 'us')?.source).toMatchObject({ dataDate: Date.parse('2026-11-30'), from: 'flag' });
  });

  it('--country for a region without a national reader is refused before reading', async () => {
    await expect(importText(files.redis, namespace, 'plain', '030123456\n', { country: 'DE' })).rejects.toThrow(/--country DE/);
  });

  it('a second namespace is untouched', async () => {
    const other = testNamespace();
    await importText(files.redis, namespace, 'us', '2015550100\n', { country: 'US' });
    expect(await files.redis.keys(`${other}*`)).toEqual([]);
  });
});

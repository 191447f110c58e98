import { gzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedis } from '../helpers/redis.js';
import { listKeys, stagingPattern } from '../../src/lists/keys.js';
import { RejectsFile } from '../../src/lists/import/rejects.js';
import { ListStore } from '../../src/lists/store.js';
import { entriesOf, freshDncList, importText } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

let namespace: string;
let store: ListStore;
beforeEach(async () => {
  ({ namespace, store } = await freshDncList(redis));
});

/** `number,note` rows of +49308<7 digits> from `from`, with a header. */
function weeklyCsv(from: number, count: number, row: (number: string, i: number) => string = (number) => `${number},weekly`): string {
  let text = 'number,note\n';
  for (let i = 0; i < count; i++) text += `${row(`+49308${String(from + i).padStart(7, '0')}`, i)}\n`;
  return text;
}

async function sizeOf(list: string): Promise<number> {
  const keys = listKeys(namespace, list);
  return (await redis.scard(keys.exact)) + (await redis.zcard(keys.timed));
}

async function stagingLeft(): Promise<string[]> {
  const [, keys] = await redis.scan('0', 'MATCH', stagingPattern(namespace, 'dnc'), 'COUNT', 10_000);
  return keys;
}

async function replaceEvents(): Promise<number> {
  return (await store.audit('dnc')).filter((event) => event.action === 'replace').length;
}

describe('a --replace from a broken file changes nothing', () => {
  it('a stray opening quote (measured: a 100,000-number list left with 10) aborts the replace, naming the line', async () => {
    await importText(redis, namespace, 'dnc', weeklyCsv(0, 100_000));
    // Row 11 (line 12) opens a quote that nothing closes: csv-parse would read the rest as one field.
    const w2 = weeklyCsv(0, 100_000, (number, i) => (i === 10 ? `"${number},weekly` : `${number},weekly`));
    const summary = await importText(redis, namespace, 'dnc', w2, { replace: true });

    expect(summary).toMatchObject({ status: 'broken', broken: { line: 12 }, rows: 10, rejected: 0 });
    expect(summary.broken?.problem).toMatch(/quote/);
    expect(await sizeOf('dnc')).toBe(100_000);
    expect(await store.check('+493080099999', ['dnc'])).toMatchObject({ member: '+493080099999' });
    expect(await stagingLeft()).toEqual([]);
    expect(await replaceEvents()).toBe(0);
  });

  it('a quote left open near the end of the file, where no size limit is reached, aborts it too', async () => {
    await importText(redis, namespace, 'dnc', weeklyCsv(0, 20));
    const summary = await importText(redis, namespace, 'dnc', 'number,note\n+4930111,a\n"+4930112,b\n+4930113,c\n', { replace: true });
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 3 } });
    expect(summary.broken?.problem).toMatch(/never closed/);
    expect(await sizeOf('dnc')).toBe(20);
  });

  it('a stray quote that a later one closes, swallowing rows into the number cell, aborts it', async () => {
    await importText(redis, namespace, 'dnc', weeklyCsv(0, 20));
    const csv = 'number,note\n+4930111,a\n"+4930112,b\n+4930113,c\n+4930114",d\n+4930115,e\n';
    const summary = await importText(redis, namespace, 'dnc', csv, { replace: true });
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 3 }, rows: 1 });
    expect(summary.broken?.problem).toMatch(/several lines/);
    expect(await sizeOf('dnc')).toBe(20);
  });

  it('NUL bytes (measured: the list replaced by the 2 rows before them) abort it', async () => {
    await importText(redis, namespace, 'dnc', weeklyCsv(0, 1_000));
    const file = Buffer.concat([
      Buffer.from('number,note\n+4930111,a\n+4930112,b\n+4930113'),
      Buffer.alloc(4096),
      Buffer.from(weeklyCsv(5_000, 1_000).slice('number,note\n'.length)),
    ]);
    const summary = await importText(redis, namespace, 'dnc', file, { replace: true });
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 4 }, rows: 2 });
    expect(summary.broken?.problem).toMatch(/NUL/);
    expect(await sizeOf('dnc')).toBe(1_000);
  });

  it('a row of 10,000 columns (measured: the list replaced by 1 row) aborts it', async () => {
    await importText(redis, namespace, 'dnc', weeklyCsv(0, 1_000));
    const wide = `+4930222,${Array.from({ length: 10_000 }, (_, i) => `+4930${1_000_000 + i}`).join(',')}`;
    const summary = await importText(redis, namespace, 'dnc', `number,note\n+4930111,a\n${wide}\n+4930333,c\n`, { replace: true });
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 3 }, rows: 1 });
    expect(summary.broken?.problem).toMatch(/64 KB/);
    expect(await sizeOf('dnc')).toBe(1_000);
  });

  it('a truncated gzip aborts it, and a gzip header followed by garbage too, without an error thrown', async () => {
    await importText(redis, namespace, 'dnc', weeklyCsv(0, 1_000));
    const gzip = gzipSync(weeklyCsv(10_000, 20_000));
    const truncated = await importText(redis, namespace, 'dnc', gzip.subarray(0, gzip.length >> 1), { replace: true });
    const garbage = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('garbage, not deflate at all')]);
    const corrupt = await importText(redis, namespace, 'dnc', garbage, { replace: true });

    expect(truncated).toMatchObject({ status: 'broken', gzip: true });
    expect(truncated.broken?.problem).toMatch(/truncated/);
    expect(corrupt).toMatchObject({ status: 'broken', gzip: true, rows: 0, broken: { line: 1 } });
    expect(corrupt.broken?.problem).toMatch(/corrupt/);
    expect(await sizeOf('dnc')).toBe(1_000);
    expect(await stagingLeft()).toEqual([]);
  });

  it('a UTF-16 file (a spreadsheet\'s "Unicode text") aborts it at line 1', async () => {
    await importText(redis, namespace, 'dnc', weeklyCsv(0, 20));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('number\n+4930111\n+4930112\n', 'utf16le')]);
    const summary = await importText(redis, namespace, 'dnc', utf16, { replace: true });
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 1 }, rows: 0 });
    expect(summary.broken?.problem).toMatch(/UTF-16LE/);
    expect(await sizeOf('dnc')).toBe(20);
  });
});

describe('a plain import from a broken file', () => {
  it('a truncated gzip (measured: 24,994 of 50,000 rows, then "unexpected error") keeps the whole rows before the cut', async () => {
    const numbers = Array.from({ length: 50_000 }, (_, i) => `+4930${1_000_000 + i}`);
    const gzip = gzipSync(`${numbers.join('\n')}\n`);
    const summary = await importText(redis, namespace, 'dnc', gzip.subarray(0, gzip.length >> 1));

    expect(summary.status).toBe('broken');
    expect(summary.broken?.line).toBe(summary.rows + 1);
    expect(summary.rows).toBeGreaterThan(0);
    expect(summary.rows).toBeLessThan(50_000);
    const { exact } = await entriesOf(redis, namespace, 'dnc');
    // Exactly the first rows, no number made up from a cut line.
    expect(exact).toEqual(numbers.slice(0, summary.rows).sort());
    const event = (await store.audit('dnc')).find((e) => e.action === 'import');
    expect(event?.details).toMatchObject({ status: 'broken', imported: String(summary.rows) });
    expect(event?.details?.brokenAt).toMatch(new RegExp(`^line ${summary.rows + 1}: .*truncated`));
  });

  it('stops at a NUL byte: the rows before it are written, none after it', async () => {
    const file = Buffer.concat([Buffer.from('+4930111\n+4930112\n'), Buffer.from([0, 0, 0]), Buffer.from('\n+4930113\n')]);
    const summary = await importText(redis, namespace, 'dnc', file);
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 3 }, rows: 2, imported: 2 });
    expect((await entriesOf(redis, namespace, 'dnc')).exact).toEqual(['+4930111', '+4930112']);
  });

  it('stops at a stray quote: the rows before it are written, the swallowed ones are not counted as one reject', async () => {
    const out = new PassThrough();
    let rejected = '';
    out.on('data', (chunk: Buffer) => (rejected += chunk.toString()));
    const rejects = new RejectsFile(out);
    const w2 = weeklyCsv(0, 10_000, (number, i) => (i === 10 ? `"${number},weekly` : `${number},weekly`));
    const summary = await importText(redis, namespace, 'dnc', w2, { rejects });
    await rejects.end();
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 12 }, rows: 10, imported: 10, rejected: 0 });
    expect(await sizeOf('dnc')).toBe(10);
    expect(rejected).toBe('line,raw,reason\n');
  });
});

describe('bytes that are not UTF-8', () => {
  it('reject only the row whose number holds them, saying why; elsewhere in a row they are harmless', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('number;name\n+4930111;M'),
      Buffer.from([0xfc]), // ü in Windows-1252
      Buffer.from('ller\n+4930'),
      Buffer.from([0xe4]),
      Buffer.from('112;x\n+4930113;y\n'),
    ]);
    const summary = await importText(redis, namespace, 'dnc', latin1);
    expect(summary).toMatchObject({ status: 'done', rows: 3, imported: 2, rejected: 1 });
    expect(summary.firstRejects[0]).toMatchObject({ line: 3, reason: expect.stringMatching(/not UTF-8/) });
  });
});

describe('a break within the first rows, held while no region is set', () => {
  it('writes the rows before it and reports the break', async () => {
    const summary = await importText(redis, namespace, 'dnc', Buffer.concat([Buffer.from('+4930111\n'), Buffer.from([0])]));
    expect(summary).toMatchObject({ status: 'broken', broken: { line: 2 }, imported: 1 });
    expect((await entriesOf(redis, namespace, 'dnc')).exact).toEqual(['+4930111']);
  });
});

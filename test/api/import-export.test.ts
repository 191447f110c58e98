import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { importList } from '../../src/lists/import/run.js';
import { openSource } from '../../src/lists/import/source.js';
import { listKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { until } from '../helpers/until.js';
import { startTestApi, testApi, type TestApi } from './helpers.js';

const ROWS = 200_000;

/** 200k rows: E.164 and national numbers, a duplicate every 50th row, garbage every 1000th. */
function dncFile(): { text: string; rejected: number; duplicates: number } {
  const lines = ['Rufnummer'];
  let rejected = 0;
  let duplicates = 0;
  for (let i = 0; i < ROWS; i += 1) {
    if (i % 1000 === 999) {
      lines.push(`garbage-${i}`);
      rejected += 1;
    } else if (i % 50 === 49) {
      lines.push(`+4930${String(i - 1).padStart(8, '0')}`);
      duplicates += 1;
    } else {
      lines.push(i % 2 === 0 ? `+4930${String(i).padStart(8, '0')}` : `030 ${String(i).padStart(8, '0')}`);
    }
  }
  return { text: `${lines.join('\n')}\n`, rejected, duplicates };
}

async function pollJob(request: TestApi['request'], token: string, id: string): Promise<{ job: any; seen: number[] }> {
  const seen: number[] = [];
  for (;;) {
    const answer = await request('GET', `/v1/jobs/${id}`, { token });
    expect(answer.status).toBe(200);
    seen.push(answer.json.job.progress.rows);
    if (answer.json.job.status !== 'running') return { job: answer.json.job, seen };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('import by upload, export streamed', () => {
  const api = testApi();

  it('imports a 200k-row gzip upload as a job whose progress is polled to the end, with its rejects', async () => {
    const { request, tokens, redis, namespace } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'big' } });
    const file = dncFile();
    const upload = await request('POST', '/v1/lists/big/import?region=DE&filename=dnc-week-47.txt.gz&reason=weekly', {
      token: tokens.supervisor,
      body: gzipSync(file.text),
      headers: { 'content-type': 'application/gzip' },
    });
    expect(upload.status, upload.text).toBe(202);
    expect(upload.headers.get('location')).toBe(`/v1/jobs/${upload.json.job.id}`);
    expect(upload.json.job).toMatchObject({ list: 'big', source: 'dnc-week-47.txt.gz', by: 'supervisor' });

    const { job, seen } = await pollJob(request, tokens.viewer, upload.json.job.id);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(job.status).toBe('done');
    expect(job.summary).toMatchObject({ rows: ROWS, imported: ROWS - file.rejected - file.duplicates, duplicates: file.duplicates, rejected: file.rejected, gzip: true, header: ['Rufnummer'] });
    expect(job.progress).toMatchObject({ rows: ROWS, rejected: file.rejected });
    expect((await redis.scard(`${namespace}:{${namespace}:big}:exact`))).toBe(ROWS - file.rejected - file.duplicates);
    const audit = await new ListStore(redis, namespace).audit('big', 1);
    expect(audit[0]).toMatchObject({ action: 'import', by: 'supervisor', reason: 'weekly', details: { file: 'dnc-week-47.txt.gz' } });

    const rejects = await request('GET', job.rejects, { token: tokens.viewer });
    expect(rejects.headers.get('content-type')).toMatch(/^text\/csv/);
    const rejectLines = rejects.text.trim().split('\n');
    expect(rejectLines[0]).toBe('line,raw,reason');
    expect(rejectLines).toHaveLength(file.rejected + 1);
    expect(rejectLines[1]).toMatch(/^1001,garbage-999,/);
  });

  it('a replace upload that breaks at a stray quote ends as broken and leaves the list as it was', async () => {
    const { request, tokens, redis, namespace } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'weekly' } });
    const first = await request('POST', '/v1/lists/weekly/import', { token: tokens.supervisor, body: Array.from({ length: 100 }, (_, i) => `+4930${String(i).padStart(8, '0')},x`).join('\n'), headers: { 'content-type': 'text/csv' } });
    expect((await pollJob(request, tokens.viewer, first.json.job.id)).job.status).toBe('done');
    const broken = ['+4930000001,weekly', '"+4930888,weekly', ...Array.from({ length: 50 }, (_, i) => `+4931${String(i).padStart(8, '0')},weekly`)].join('\n');
    const upload = await request('POST', '/v1/lists/weekly/import?replace=true', { token: tokens.supervisor, body: broken, headers: { 'content-type': 'text/csv' } });
    expect(upload.status, upload.text).toBe(202);
    const { job } = await pollJob(request, tokens.viewer, upload.json.job.id);
    expect(job.status).toBe('broken');
    expect(job.summary).toMatchObject({ status: 'broken', broken: { line: 2 } });
    expect(await redis.scard(`${namespace}:{${namespace}:weekly}:exact`)).toBe(100);
  });

  it('an upload of national numbers without a region fails with a problem naming the region', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'national' } });
    const upload = await request('POST', '/v1/lists/national/import', { token: tokens.supervisor, body: Array.from({ length: 120 }, (_, i) => `030 ${String(i).padStart(8, '0')}`).join('\n'), headers: { 'content-type': 'text/plain' } });
    expect(upload.status, upload.text).toBe(202);
    const { job } = await pollJob(request, tokens.viewer, upload.json.job.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ status: 422 });
    expect(job.error.detail).toMatch(/region/);
  });

  it('streams an export that imports back into the same list, plain or gzip', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'src' } });
    await request('POST', '/v1/lists/src/entries', { token: tokens.operator, json: { numbers: ['+4930111111', '+1900*'], reason: '=HYPERLINK("x")' } });
    await request('POST', '/v1/lists/src/entries', { token: tokens.operator, json: { numbers: ['+4930222222'], for: '30d' } });

    const plain = await request('GET', '/v1/lists/src/export', { token: tokens.supervisor });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-disposition')).toBe('attachment; filename="src.csv"');
    const rows = plain.text.trim().split('\n');
    expect(rows[0]).toBe('number,expires,reason,by,added');
    expect(rows).toHaveLength(4);
    expect(plain.text).toContain(`"'=HYPERLINK(""x"")"`);

    const asFile = await fetch(`${api().api.url}/v1/lists/src/export?gzip=true`, { headers: { authorization: `Bearer ${tokens.supervisor}` } });
    expect(asFile.headers.get('content-type')).toBe('application/gzip');
    const gz = Buffer.from(await asFile.arrayBuffer());
    expect(gunzipSync(gz).toString('utf8')).toBe(plain.text);
    const compressed = await request('GET', '/v1/lists/src/export', { token: tokens.supervisor, headers: { 'accept-encoding': 'gzip' } });
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    expect(compressed.text).toBe(plain.text);

    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'copy' } });
    const upload = await request('POST', '/v1/lists/copy/import?replace=true&filename=src.csv.gz', { token: tokens.supervisor, body: gz, headers: { 'content-type': 'application/gzip' } });
    const { job } = await pollJob(request, tokens.viewer, upload.json.job.id);
    expect(job.summary).toMatchObject({ mode: 'replace', rows: 3, imported: 3, rejected: 0 });
    const copied = await request('GET', '/v1/lists/copy/export', { token: tokens.supervisor });
    const numbersAndExpiry = (text: string) => text.trim().split('\n').map((line) => line.split(',').slice(0, 2).join(',')).sort();
    expect(numbersAndExpiry(copied.text)).toEqual(numbersAndExpiry(plain.text));
  });

  it('refuses an upload to a missing list, with a bad option, or not a file, before reading it; a failed replace is a failed job', async () => {
    const { request, tokens, token } = api();
    const file = { body: '+4930123456\n', headers: { 'content-type': 'text/plain' } };
    expect((await request('POST', '/v1/lists/nowhere/import', { token: tokens.supervisor, ...file })).status).toBe(404);
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'strict' } });
    const badColumn = await request('POST', '/v1/lists/strict/import?column=0', { token: tokens.supervisor, ...file });
    expect(badColumn.status).toBe(422);
    expect(badColumn.json.errors[0]).toMatchObject({ field: 'query/column', value: '0' });
    expect((await request('POST', '/v1/lists/strict/import?onDuplicate=maybe', { token: tokens.supervisor, ...file })).status).toBe(400);
    expect((await request('POST', '/v1/lists/strict/import', { token: tokens.supervisor, json: ['+4930123456'] })).status).toBe(415);
    expect((await request('POST', '/v1/lists/strict/import', { token: tokens.operator, ...file })).status).toBe(403);
    const scoped = await token('other-supervisor', 'supervisor', ['big']);
    expect((await request('POST', '/v1/lists/strict/import', { token: scoped, ...file })).status).toBe(403);
    expect((await request('GET', '/v1/lists/strict/export', { token: scoped })).status).toBe(403);
    expect((await request('GET', '/v1/lists/nowhere/export', { token: tokens.supervisor })).status).toBe(404);

    const empty = await request('POST', '/v1/lists/strict/import?replace=true', { token: tokens.supervisor, body: 'garbage\n', headers: { 'content-type': 'text/plain' } });
    const { job } = await pollJob(request, tokens.viewer, empty.json.job.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ status: 422, detail: expect.stringMatching(/would empty list strict/) });
    expect((await request('GET', `/v1/jobs/${'0'.repeat(16)}`, { token: tokens.viewer })).status).toBe(404);
  });

  it('refuses a replace upload with 409 while another replace of the list runs, before reading it, and takes it once that one ended', async () => {
    const { request, tokens, redis, namespace } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'weekly-dnc' } })).status).toBe(201);
    const weekly = new PassThrough();
    const running = openSource('-', weekly).then((source) =>
      importList(redis, namespace, { list: 'weekly-dnc', source: { ...source, name: 'week48.csv' }, onDuplicate: 'skip', replace: true, dryRun: false, actor: { by: 'weekly-job' } }),
    );
    weekly.write('+4930111111\n');
    await until(async () => (await redis.exists(listKeys(namespace, 'weekly-dnc').replaceLease)) === 1, 'the running replace to hold the list');

    const file = { body: '+4930222222\n', headers: { 'content-type': 'text/plain' } };
    const second = await request('POST', '/v1/lists/weekly-dnc/import?replace=true&filename=week48-again.csv', { token: tokens.supervisor, ...file });
    expect(second.status, second.text).toBe(409);
    expect(second.json).toMatchObject({ type: 'urn:callguard:problem:replace-running', detail: expect.stringMatching(/^a replace of list weekly-dnc is running \(weekly-job, week48\.csv, since /) });
    // An ordinary import is not refused: the replace then refuses its swap, as it would drop the import's numbers.
    const plain = await request('POST', '/v1/lists/weekly-dnc/import', { token: tokens.supervisor, ...file });
    expect(plain.status).toBe(202);
    expect((await pollJob(request, tokens.viewer, plain.json.job.id)).job.status).toBe('done');
    weekly.end();
    expect(await running).toMatchObject({ status: 'refused', refusal: { guard: 'list-changed' } });

    const again = await request('POST', '/v1/lists/weekly-dnc/import?replace=true', { token: tokens.supervisor, ...file });
    expect(again.status).toBe(202);
    const replaced = (await pollJob(request, tokens.viewer, again.json.job.id)).job;
    expect(replaced.status, JSON.stringify(replaced.summary?.refusal)).toBe('done');
    expect(await redis.exists(listKeys(namespace, 'weekly-dnc').replaceLease)).toBe(0);
  });

  it('refuses an upload over the upload limit with 413 and starts no job', async () => {
    const small = await startTestApi({ uploadLimit: '1kb' });
    try {
      const { request, tokens, redis, namespace } = small;
      await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'tiny' } });
      const lines = Array.from({ length: 500 }, (_, i) => `+4930${String(i).padStart(8, '0')}`).join('\n');
      const answer = await request('POST', '/v1/lists/tiny/import', { token: tokens.supervisor, body: lines, headers: { 'content-type': 'text/plain' } });
      expect(answer.status).toBe(413);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // Without a Content-Length the upload is counted as it is spooled, and refused past the limit.
      const chunked = await fetch(`${small.api.url}/v1/lists/tiny/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.supervisor}`, 'content-type': 'text/plain' },
        body: new Blob([lines]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await redis.keys(`${namespace}:{${namespace}:jobs}:*`)).toEqual([]);
    } finally {
      await small.api.stop();
      await small.redis.quit();
    }
  });
});

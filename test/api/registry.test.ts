import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { denseGensKey, listKeys } from '../../src/lists/keys.js';
import { until } from '../helpers/until.js';
import { zipOf } from '../helpers/zip.js';
import { startTestApi, testApi, type TestApi } from './helpers.js';

async function finished(request: TestApi['request'], token: string, id: string): Promise<any> {
  return until(async () => {
    const { job } = (await request('GET', `/v1/jobs/${id}`, { token })).json;
    return job.status === 'running' ? undefined : job;
  }, `import job ${id} to end`, { pollMs: 20 });
}

describe('a national registry through the API', () => {
  const api = testApi();

  it('creates a dense list, loads a national file with country and sourceDate, deletes from it, and lists its age (the deletion dates nothing)', async () => {
    const { request, tokens } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-dnc', dense: 'nanp' } })).status).toBe(201);
    const upload = await request('POST', '/v1/lists/us-dnc/import?country=US&sourceDate=2026-11-30&filename=ftc.txt', {
      token: tokens.supervisor, body: '201,5550100\n2015550101\n', headers: { 'content-type': 'text/plain' },
    });
    expect(upload.status, upload.text).toBe(202);
    expect(await finished(request, tokens.viewer, upload.json.job.id)).toMatchObject({ status: 'done', summary: { imported: 2, dataDate: Date.parse('2026-11-30') } });
    const deletion = await request('POST', '/v1/lists/us-dnc/import?country=US&delete=true', {
      token: tokens.supervisor, body: '2015550100\n', headers: { 'content-type': 'text/plain' },
    });
    expect(await finished(request, tokens.viewer, deletion.json.job.id)).toMatchObject({ status: 'done', summary: { mode: 'delete', imported: 1 } });
    const list = await request('GET', '/v1/lists/us-dnc', { token: tokens.viewer });
    expect(list.json).toMatchObject({ size: 1, dense: 'nanp', data: { file: 'ftc.txt', dataDate: '2026-11-30T00:00:00Z' } });
    const bad = await request('POST', '/v1/lists/us-dnc/import?country=DE', { token: tokens.supervisor, body: '1\n', headers: { 'content-type': 'text/plain' } });
    expect(bad.status).toBe(422);
  });

  it("gives a list's data date as its oldest area code's, naming it, when one area code was loaded later", async () => {
    const { request, tokens } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-parts', dense: 'nanp' } })).status).toBe(201);
    for (const [body, date] of [['2015550100\n4155550100\n', '2026-10-20'], ['2015550101\n', '2026-11-30']] as const) {
      const upload = await request('POST', `/v1/lists/us-parts/import?country=US&sourceDate=${date}`, { token: tokens.supervisor, body, headers: { 'content-type': 'text/plain' } });
      expect(await finished(request, tokens.viewer, upload.json.job.id)).toMatchObject({ status: 'done', summary: { dataDate: Date.parse(date) } });
    }
    const list = await request('GET', '/v1/lists/us-parts', { token: tokens.viewer });
    expect(list.json.data).toMatchObject({ dataDate: '2026-10-20T00:00:00Z', oldest: { part: '415', parts: 1 } });
    const shown = await request('GET', `/v1/numbers/${encodeURIComponent('+12015550100')}`, { token: tokens.viewer });
    expect(shown.json.listed).toEqual([
      expect.objectContaining({
        list: 'us-parts',
        listData: expect.objectContaining({ dataDate: '2026-10-20T00:00:00Z', oldest: { part: '415', parts: 1 } }),
        partData: { part: '201', file: 'upload', dataDate: '2026-11-30T00:00:00Z', ageSeconds: expect.any(Number), from: 'flag' },
      }),
    ]);
  });

  it("shows a token limited to some lists only their entries' imports and dates, never another list's beside them", async () => {
    const { request, tokens, token } = api();
    // 'a-secret' sorts first: the entry a scoped token sees is the second one held.
    for (const [name, file, date] of [['a-secret', 'secret-source.txt', '2026-10-01'], ['us-scoped', 'ftc.txt', '2026-11-30']] as const) {
      expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name, dense: 'nanp' } })).status).toBe(201);
      const upload = await request('POST', `/v1/lists/${name}/import?country=US&sourceDate=${date}&filename=${file}`, {
        token: tokens.supervisor, body: '2015550100\n', headers: { 'content-type': 'text/plain' },
      });
      expect(await finished(request, tokens.viewer, upload.json.job.id)).toMatchObject({ status: 'done' });
    }
    const scoped = await token('us-only', 'viewer', ['us-scoped']);
    const shown = await request('GET', `/v1/numbers/${encodeURIComponent('+12015550100')}`, { token: scoped });
    expect(shown.json.listed).toHaveLength(1);
    expect(shown.json.listed[0]).toMatchObject({ list: 'us-scoped', loadedBy: { imports: [expect.objectContaining({ file: 'ftc.txt' })] }, partData: { file: 'ftc.txt' } });
    expect(shown.text).not.toContain('secret-source');
  });

  it("names a zip upload's rejected rows by member and the member's own line, in the job's summary and its rejects file", async () => {
    const { request, tokens } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-zip', dense: 'nanp' } })).status).toBe(201);
    const zip = await zipOf({ '201.txt': '2015550100\n2015550101\n', '415.txt': '4155550100\n41555501\n' });
    const upload = await request('POST', '/v1/lists/us-zip/import?country=US&filename=ftc.zip', {
      token: tokens.supervisor, body: zip, headers: { 'content-type': 'application/octet-stream' },
    });
    expect(upload.status, upload.text).toBe(202);
    const job = await finished(request, tokens.viewer, upload.json.job.id);
    expect(job).toMatchObject({ status: 'done', summary: { zip: true, rejected: 1, firstRejects: [{ line: 2, member: '415.txt', raw: '41555501' }] } });
    const rejects = await request('GET', job.rejects, { token: tokens.viewer });
    expect(rejects.text.trim().split('\n')).toEqual(['line,raw,reason,member', '2,41555501,too short for a US number,415.txt']);
  });

  it('refuses, 409 left-behind, an ordinary list created over the bitmaps a lost dense list left behind; a dense create keeps them, leftBehind=true removes them', async () => {
    const { request, tokens, redis, namespace } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-lost', dense: 'nanp' } })).status).toBe(201);
    expect((await request('POST', '/v1/lists/us-lost/entries', { token: tokens.operator, json: { numbers: ['+14155550100'] } })).status).toBe(200);
    await redis.del(listKeys(namespace, 'us-lost').info);
    const refused = await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-lost' } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ type: 'urn:callguard:problem:left-behind', detail: expect.stringMatching(/^list us-lost was not created: its lost info left behind bitmaps of plan nanp/) });
    // The ways out the words name, as requests a console can offer as they are.
    expect((refused.json as { waysOut: unknown }).waysOut).toEqual([
      { way: 'create', method: 'POST', path: '/v1/lists', body: { name: 'us-lost', dense: 'nanp' } },
      { way: 'remove-left-behind', method: 'DELETE', path: '/v1/lists/us-lost?leftBehind=true' },
    ]);
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-lost', generation: 'x' } })).status).toBe(422);
    const created = await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-lost', dense: 'nanp' } });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ list: 'us-lost', action: 'created', leftBehind: 1, adopted: expect.any(String) });
    expect((await request('DELETE', '/v1/lists/us-lost?leftBehind=true', { token: tokens.supervisor })).status).toBe(409);
    await redis.del(listKeys(namespace, 'us-lost').info);
    const removed = await request('DELETE', '/v1/lists/us-lost?leftBehind=true&reason=reloading', { token: tokens.supervisor });
    expect(removed.json).toEqual({ list: 'us-lost', action: 'removed-left-behind' });
    expect(await redis.keys(`${listKeys(namespace, 'us-lost').dense}*`)).toEqual([]);
    expect((await request('DELETE', '/v1/lists/us-lost?leftBehind=true', { token: tokens.supervisor })).status).toBe(404);
  });

  it('refuses, 409 left-behind with the same ways out, an ordinary create over bitmaps whose audit stream and record of generations were lost with the info', async () => {
    const { request, tokens, redis, namespace } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-gone', dense: 'nanp' } })).status).toBe(201);
    expect((await request('POST', '/v1/lists/us-gone/entries', { token: tokens.operator, json: { numbers: ['+14155550100'] } })).status).toBe(200);
    const keys = listKeys(namespace, 'us-gone');
    await redis.del(keys.info, keys.audit, denseGensKey(keys.dense));
    const refused = await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-gone' } });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ type: 'urn:callguard:problem:left-behind', detail: expect.stringMatching(/^list us-gone was not created: its lost info left behind bitmaps of plan nanp \(generation \w+, 1 block\)/) });
    expect((refused.json as { waysOut: unknown }).waysOut).toEqual([
      { way: 'create', method: 'POST', path: '/v1/lists', body: { name: 'us-gone', dense: 'nanp' } },
      { way: 'remove-left-behind', method: 'DELETE', path: '/v1/lists/us-gone?leftBehind=true' },
    ]);
    expect(await redis.exists(keys.info)).toBe(0);
  });

  it('refuses a column with country (measured: ignored, each line read whole) and a sourceDate in the future, before the upload is read', async () => {
    const { request, tokens } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-dnc-2', dense: 'nanp' } })).status).toBe(201);
    const column = await request('POST', '/v1/lists/us-dnc-2/import?country=US&column=2', {
      token: tokens.supervisor, body: 'id,number\n1,2015550100\n', headers: { 'content-type': 'text/csv' },
    });
    expect(column.status, column.text).toBe(422);
    expect(column.text).toMatch(/query\/column/);
    const future = await request('POST', `/v1/lists/us-dnc-2/import?country=US&sourceDate=${new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)}`, {
      token: tokens.supervisor, body: '2015550100\n', headers: { 'content-type': 'text/plain' },
    });
    expect(future.status, future.text).toBe(422);
    expect(future.text).toMatch(/in the future/);
  });
});

describe('a lead file scrubbed through the API', () => {
  const api = testApi();

  async function scrubbed(request: TestApi['request'], token: string, id: string): Promise<any> {
    return until(async () => {
      const { job } = (await request('GET', `/v1/scrubs/${id}`, { token })).json;
      return job.status === 'running' ? undefined : job;
    }, `scrub job ${id} to end`, { pollMs: 20 });
  }

  it('splits an uploaded lead file against a dense and a SET list, and offers the clean, removed and rejects files', async () => {
    const { request, tokens } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-dnc', dense: 'nanp' } })).status).toBe(201);
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } })).status).toBe(201);
    const load = await request('POST', '/v1/lists/us-dnc/import?country=US', { token: tokens.supervisor, body: '2015550100\n', headers: { 'content-type': 'text/plain' } });
    expect(await finished(request, tokens.viewer, load.json.job.id)).toMatchObject({ status: 'done' });
    expect((await request('POST', '/v1/lists/dnc/entries', { token: tokens.operator, json: { numbers: ['+14155550100'] } })).status).toBe(200);

    const upload = await request('POST', '/v1/scrub?lists=dnc,us-dnc&region=US&filename=leads.csv', {
      token: tokens.operator, body: 'id,phone\n1,(201) 555-0100\n2,+14155550100\n3,2125550100\n4,anonymous\n', headers: { 'content-type': 'text/csv' },
    });
    expect(upload.status, upload.text).toBe(202);
    expect(upload.headers.get('location')).toBe(`/v1/scrubs/${upload.json.job.id}`);
    const job = await scrubbed(request, tokens.operator, upload.json.job.id);
    expect(job).toMatchObject({ status: 'done', lists: ['dnc', 'us-dnc'], source: 'leads.csv', region: 'US', summary: { rows: 4, clean: 1, removed: 2, rejected: 1, byList: { dnc: 1, 'us-dnc': 1 } } });
    expect((await request('GET', job.files.clean, { token: tokens.operator })).text).toBe('id,phone\n3,2125550100\n');
    expect((await request('GET', job.files.removed, { token: tokens.operator })).text).toBe(
      'id,phone,callguard_list,callguard_entry\n1,(201) 555-0100,us-dnc,+12015550100\n2,+14155550100,dnc,+14155550100\n',
    );
    expect((await request('GET', job.files.rejects, { token: tokens.operator })).text).toMatch(/^line,raw,reason\n5,anonymous,/);
  });

  it('names in the job the region national numbers are read with: the one asked, else the API’s default, else none (and a national number is rejected)', async () => {
    const { request, tokens } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'regions' } })).status).toBe(201);
    const leads = { body: '030 1234567\n+4930111222\n', headers: { 'content-type': 'text/plain' } };
    const none = await scrubbed(request, tokens.operator, (await request('POST', '/v1/scrub?lists=regions', { token: tokens.operator, ...leads })).json.job.id);
    expect(none).toMatchObject({ status: 'done', region: null, summary: { clean: 1, rejected: 1 } });
    const asked = await scrubbed(request, tokens.operator, (await request('POST', '/v1/scrub?lists=regions&region=DE', { token: tokens.operator, ...leads })).json.job.id);
    expect(asked).toMatchObject({ status: 'done', region: 'DE', summary: { clean: 2, rejected: 0 } });
    const withDefault = await startTestApi({ region: 'AT' });
    try {
      const other = withDefault.request;
      expect((await other('POST', '/v1/lists', { token: withDefault.tokens.supervisor, json: { name: 'regions' } })).status).toBe(201);
      const upload = await other('POST', '/v1/scrub?lists=regions', { token: withDefault.tokens.operator, ...leads });
      expect(upload.json.job.region).toBe('AT');
      expect(await scrubbed(other, withDefault.tokens.operator, upload.json.job.id)).toMatchObject({ status: 'done', region: 'AT' });
    } finally {
      await withDefault.api.stop();
      await withDefault.redis.quit();
    }
  });

  it('refuses a list that does not exist (404), a viewer (403), a token scoped to other lists (403), and a bad list name (400)', async () => {
    const { request, tokens, token } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'mine' } })).status).toBe(201);
    const body = { body: '2015550100\n', headers: { 'content-type': 'text/plain' } };
    expect((await request('POST', '/v1/scrub?lists=mine,nope', { token: tokens.operator, ...body })).status).toBe(404);
    expect((await request('POST', '/v1/scrub?lists=mine', { token: tokens.viewer, ...body })).status).toBe(403);
    const scoped = await token('scoped', 'operator', ['other']);
    expect((await request('POST', '/v1/scrub?lists=mine', { token: scoped, ...body })).status).toBe(403);
    expect((await request('POST', '/v1/scrub?lists=Not%20a%20list', { token: tokens.operator, ...body })).status).toBe(400);
  });

  it('fails a job whose gzip upload is cut short, and offers no file', async () => {
    const { request, tokens } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'cut' } })).status).toBe(201);
    const whole = gzipSync(Array.from({ length: 50_000 }, (_, i) => `212555${String(i % 10_000).padStart(4, '0')}`).join('\n'));
    const upload = await request('POST', '/v1/scrub?lists=cut&region=US', { token: tokens.operator, body: whole.subarray(0, whole.length / 2), headers: { 'content-type': 'application/gzip' } });
    expect(upload.status, upload.text).toBe(202);
    const job = await scrubbed(request, tokens.operator, upload.json.job.id);
    expect(job).toMatchObject({ status: 'failed', files: null, error: { detail: expect.stringMatching(/line \d+/) } });
    expect((await request('GET', `/v1/scrubs/${job.id}/clean`, { token: tokens.operator })).status).toBe(404);
  });
});

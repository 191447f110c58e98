import { describe, expect, it } from 'vitest';
import { testApi, type TestApi } from './helpers.js';

async function finished(request: TestApi['request'], token: string, id: string): Promise<any> {
  for (;;) {
    const answer = await request('GET', `/v1/jobs/${id}`, { token });
    if (answer.json.job.status !== 'running') return answer.json.job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a national registry through the API', () => {
  const api = testApi();

  it('creates a dense list, loads a national file with country and sourceDate, deletes from it, and lists its age', async () => {
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
    expect(list.json).toMatchObject({ size: 1, dense: 'nanp', data: { file: 'upload' } });
    const bad = await request('POST', '/v1/lists/us-dnc/import?country=DE', { token: tokens.supervisor, body: '1\n', headers: { 'content-type': 'text/plain' } });
    expect(bad.status).toBe(422);
  });
});

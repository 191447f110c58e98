import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

describe('import preview: the first rows read as the import will read them', () => {
  const api = testApi({ region: 'DE' });

  it('finds the delimiter, the header and the number column of a semicolon CSV with a BOM, and says how each row would be stored', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'pv' } });
    const csv = '\uFEFFName;Telefon;Grund\nA;030 1234567;x\nB;+4930 7654321;y\nC;kein Anschluss;z\nD;0301112';
    const answer = await request('POST', '/v1/lists/pv/import/preview?partial=true', { token: tokens.supervisor, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ gzip: false, delimiter: 'semicolon', header: ['Name', 'Telefon', 'Grund'], numberColumn: 2, expiresColumn: null });
    expect(answer.json.rows.map((row: { member: string | null }) => row.member)).toEqual(['+49301234567', '+49307654321', null]);
    expect(answer.json.rows[2].reason).toMatch(/letters|not a number|malformed|contains/i);
    expect(answer.json.rows[0]).toMatchObject({ line: 2, cells: ['A', '030 1234567', 'x'] });
  });

  it('reads the start of a gzip file and honours the column asked for', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'pvz' } });
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},+4930${String(i).padStart(7, '0')}`).join('\n');
    const start = gzipSync(rows).subarray(0, 4000);
    const answer = await request('POST', '/v1/lists/pvz/import/preview?partial=true&column=2', { token: tokens.supervisor, body: start, headers: { 'content-type': 'application/gzip' } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({ gzip: true, delimiter: 'comma', header: null, numberColumn: 2 });
    expect(answer.json.rows).toHaveLength(20);
    expect(answer.json.rows[3]).toMatchObject({ line: 4, member: '+49300000003' });
  });

  it('writes nothing and refuses a column that is not there with 422', async () => {
    const { request, tokens } = api();
    const answer = await request('POST', '/v1/lists/pv/import/preview?column=Nummer', { token: tokens.supervisor, body: 'Telefon\n+4930111\n', headers: { 'content-type': 'text/csv' } });
    expect(answer.status).toBe(422);
    expect((await request('GET', '/v1/lists/pv', { token: tokens.viewer })).json.size).toBe(0);
  });
});

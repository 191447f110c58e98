import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

describe('list pages, audit and removal for the console', () => {
  const api = testApi();

  it('pages through a list by cursor, each entry once, never the whole list at a time', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'paged' } });
    const numbers = Array.from({ length: 250 }, (_, i) => `+4930${String(i).padStart(6, '0')}`);
    await request('POST', '/v1/lists/paged/entries', { token: tokens.operator, json: { numbers: numbers.slice(0, 200), reason: 'forever' } });
    await request('POST', '/v1/lists/paged/entries', { token: tokens.operator, json: { numbers: [...numbers.slice(200), '+1900*'], for: '30d', reason: 'timed' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await request('GET', `/v1/lists/paged/entries?limit=40${cursor ? `&cursor=${cursor}` : ''}`, { token: tokens.viewer });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json.entries.length).toBeLessThanOrEqual(120);
      for (const entry of answer.json.entries) seen.push(entry.member);
      cursor = answer.json.cursor;
      pages += 1;
    } while (cursor !== null && pages < 50);
    expect(new Set(seen)).toEqual(new Set([...numbers, '+1900*']));
    expect(pages).toBeGreaterThan(2);
    const first = await request('GET', '/v1/lists/paged/entries?limit=1000', { token: tokens.viewer });
    const timed = first.json.entries.find((entry: { member: string }) => entry.member === '+1900*');
    expect(timed).toMatchObject({ kind: 'prefix', reason: 'timed', by: 'operator' });
    expect(timed.expiresAt).not.toBeNull();
    expect((await request('GET', '/v1/lists/paged/entries?cursor=nonsense', { token: tokens.viewer })).status).toBe(422);
  });

  it('filters the audit by list and by person, newest first', async () => {
    const { request, tokens, token } = api();
    const alice = await token('alice', 'operator');
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'aud' } });
    await request('POST', '/v1/lists/aud/entries', { token: alice, json: { numbers: ['+4930555001'] } });
    await request('POST', '/v1/lists/aud/entries', { token: tokens.operator, json: { numbers: ['+4930555002'] } });
    await request('POST', '/v1/lists/aud/cancellations', { token: alice, json: { numbers: ['+4930555001'], reason: 'asked' } });
    const byAlice = await request('GET', '/v1/audit?list=aud&by=alice', { token: tokens.viewer });
    expect(byAlice.json.events.map((event: { action: string; member: string }) => `${event.action} ${event.member}`)).toEqual(['cancel +4930555001', 'add +4930555001']);
    const all = await request('GET', '/v1/audit?limit=2', { token: tokens.viewer });
    expect(all.json.events).toHaveLength(2);
    expect(all.json.more).toBe(true);
    const scoped = await token('scoped-aud', 'viewer', ['paged']);
    expect((await request('GET', '/v1/audit?list=aud', { token: scoped })).status).toBe(403);
    expect((await request('GET', '/v1/audit', { token: scoped })).json.events.every((event: { list: string }) => event.list === 'paged')).toBe(true);
  });

  it('names the routes using a list, refuses to remove it while they do (409), and removes it with force', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'used' } });
    await request('PUT', '/v1/routes/support', { token: tokens.supervisor, json: { block: ['used'] } });
    expect((await request('GET', '/v1/lists/used', { token: tokens.viewer })).json.usedBy).toEqual([{ kind: 'route', name: 'support', as: 'block' }]);
    const refused = await request('DELETE', '/v1/lists/used', { token: tokens.supervisor });
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toContain('route support (block)');
    expect((await request('DELETE', '/v1/lists/used?force=true', { token: tokens.supervisor })).status).toBe(200);
  });

  it('shows when a list was last imported', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'imp' } });
    expect((await request('GET', '/v1/lists/imp', { token: tokens.viewer })).json.lastImportAt).toBeNull();
    const upload = await request('POST', '/v1/lists/imp/import', { token: tokens.supervisor, body: '+4930999001\n', headers: { 'content-type': 'text/plain' } });
    await expect.poll(async () => (await request('GET', `/v1/jobs/${upload.json.job.id}`, { token: tokens.viewer })).json.job.status).toBe('done');
    const list = (await request('GET', '/v1/lists', { token: tokens.viewer })).json.lists.find((item: { name: string }) => item.name === 'imp');
    expect(Date.now() - Date.parse(list.lastImportAt)).toBeLessThan(60_000);
  });
});

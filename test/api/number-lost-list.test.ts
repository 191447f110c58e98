import { describe, expect, it } from 'vitest';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import { testApi } from './helpers.js';

describe('GET /v1/numbers/{number} while a list lost entries', () => {
  const api = testApi();

  it('answers from the lists that can tell and names the others in cannotTell, only those the token may see; a dense list tells for the blocks it still has', async () => {
    const { request, tokens, token, redis, namespace } = api();
    for (const json of [{ name: 'dnc' }, { name: 'harassment' }, { name: 'us', dense: 'nanp' }]) expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json })).status).toBe(201);
    await request('POST', '/v1/lists/dnc/entries', { token: tokens.operator, json: { numbers: ['+4930123456', '+14155550100'] } });
    await request('POST', '/v1/lists/harassment/entries', { token: tokens.operator, json: { numbers: ['+4930111', '+4930222'] } });
    await request('POST', '/v1/lists/us/entries', { token: tokens.operator, json: { numbers: ['+14155550100', '+12125550100'] } });
    expect(await redis.srem(listKeys(namespace, 'harassment').exact, '+4930222')).toBe(1);
    const root = listKeys(namespace, 'us').dense;
    const gen = (await redis.hget(listKeys(namespace, 'us').info, 'gen')) as string;
    expect(await redis.del(denseGenerationKeys(root, gen).block('1415555'))).toBe(1);

    const shown = await request('GET', `/v1/numbers/${encodeURIComponent('+4930123456')}`, { token: tokens.viewer });
    expect(shown.status, shown.text).toBe(200);
    expect(shown.json.listed.map((entry: { list: string }) => entry.list)).toEqual(['dnc']);
    // us lost a block of its bitmaps, not its SET: for a number outside that block it still tells.
    expect(shown.json.cannotTell).toEqual(['harassment']);
    expect((await request('GET', `/v1/numbers/${encodeURIComponent('+14155550100')}`, { token: tokens.viewer })).json).toMatchObject({ cannotTell: ['harassment', 'us'] });
    expect((await request('GET', `/v1/numbers/${encodeURIComponent('+12125550100')}`, { token: tokens.viewer })).json).toMatchObject({ listed: [expect.objectContaining({ list: 'us' })], cannotTell: ['harassment'] });

    const scoped = await token('dnc-only', 'viewer', ['dnc']);
    expect((await request('GET', `/v1/numbers/${encodeURIComponent('+4930123456')}`, { token: scoped })).json).toMatchObject({ cannotTell: [] });
  });
});

describe('POST /v1/check against a list that lost entries', () => {
  const api = testApi();

  it('answers 409 entries-lost, a state of the list, not 422 as if the number sent were wrong', async () => {
    const { request, tokens, redis, namespace } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } })).status).toBe(201);
    await request('POST', '/v1/lists/dnc/entries', { token: tokens.operator, json: { numbers: ['+4930111', '+4930222'] } });
    expect(await redis.srem(listKeys(namespace, 'dnc').exact, '+4930222')).toBe(1);
    const checked = await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930222', lists: ['dnc'] } });
    expect(checked.status, checked.text).toBe(409);
    expect(checked.json).toMatchObject({ type: 'urn:callguard:problem:entries-lost', detail: expect.stringContaining('lost entries') });
  });
});

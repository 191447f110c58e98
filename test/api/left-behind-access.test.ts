import { describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { testApi } from './helpers.js';

describe('the ways out of a create refused over what a lost list left behind', () => {
  const api = testApi();

  it('are refused to every token that may not create the list, and nothing is created or removed; a supervisor scoped to it may take each', async () => {
    const { request, tokens, token, redis, namespace } = api();
    const keys = listKeys(namespace, 'us-lost');
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'us-lost', dense: 'nanp' } })).status).toBe(201);
    expect((await request('POST', '/v1/lists/us-lost/entries', { token: tokens.operator, json: { numbers: ['+14155550100'] } })).status).toBe(200);
    await redis.del(keys.info);
    const left = (await redis.keys(`${keys.dense}*`)).sort();
    expect(left).not.toEqual([]);

    const scoped = await token('us-supervisor', 'supervisor', ['us-lost']);
    const refused = await request('POST', '/v1/lists', { token: scoped, json: { name: 'us-lost' } });
    expect(refused.status).toBe(409);
    const ways = refused.json.waysOut as { way: string; method: string; path: string; body?: Record<string, string> }[];
    expect(ways.map((way) => way.way)).toEqual(['create', 'remove-left-behind']);

    const others = [tokens.viewer, tokens.operator, await token('other-supervisor', 'supervisor', ['dnc'])];
    for (const other of others) {
      for (const way of ways) {
        const taken = await request(way.method, `${way.path}${way.path.includes('?') ? '&' : '?'}reason=r`, { token: other, ...(way.body ? { json: way.body } : {}) });
        expect(taken.status, `${way.way}: ${taken.text}`).toBe(403);
      }
    }
    expect((await redis.keys(`${keys.dense}*`)).sort()).toEqual(left);
    expect(await redis.exists(keys.info)).toBe(0);

    const [create, remove] = ways;
    expect((await request('POST', create?.path ?? '', { token: scoped, json: create?.body })).json).toMatchObject({ list: 'us-lost', leftBehind: 1 });
    await redis.del(keys.info);
    expect((await request('DELETE', `${remove?.path}&reason=reloading`, { token: scoped })).json).toEqual({ list: 'us-lost', action: 'removed-left-behind' });
    expect(await redis.keys(`${keys.dense}*`)).toEqual([]);
  });
});

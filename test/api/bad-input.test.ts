import { beforeAll, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/lists/keys.js';
import { testApi, type TestApi } from './helpers.js';

const UNICODE = ['Ｒｅｇｉｏｎ', '+49 30 １２３４５６７', '☎️📞', 'שלום', 'e\u0301', '\u202Edlrow', 'null\u0000byte', '𝟘𝟙𝟚'];

/** Everything list `bad` holds and records: unchanged means nothing was written. */
async function written({ redis, namespace }: TestApi): Promise<string> {
  const keys = listKeys(namespace, 'bad');
  const [exact, timed, audit] = await Promise.all([redis.smembers(keys.exact), redis.zrange(keys.timed, '0', '-1'), redis.xlen(keys.audit)]);
  return JSON.stringify({ exact: exact.sort(), timed, audit });
}

function expectProblem(answer: { status: number; headers: Headers; json: any }, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.json).toMatchObject({ status, type: expect.stringMatching(/^urn:callguard:problem:/), detail: expect.any(String), requestId: expect.any(String) });
}

describe('bad input: a problem naming the field, and nothing written', () => {
  const api = testApi();
  let before: string;
  beforeAll(async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'bad' } });
    before = await written(api());
  });

  it('refuses a body that is not JSON', async () => {
    const { request, tokens } = api();
    const answer = await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, body: '{"numbers": ["+4930123456"', headers: { 'content-type': 'application/json' } });
    expectProblem(answer, 400);
    expect(answer.json.detail).toMatch(/not valid JSON/);
    expect(await written(api())).toBe(before);
  });

  it('refuses a JSON body sent as another content type with 415', async () => {
    const { request, tokens } = api();
    expectProblem(await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, body: 'numbers=+4930123456', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
  });

  it('refuses wrong types, missing and unknown fields, naming each with the value sent', async () => {
    const { request, tokens } = api();
    const wrong = await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: '+4930123456', reason: 42 } });
    expectProblem(wrong, 400);
    expect(wrong.json.errors).toEqual(expect.arrayContaining([{ field: 'body/numbers', value: '+4930123456', reason: 'must be array' }]));
    const missing = await request('POST', '/v1/lists/bad/cancellations', { token: tokens.operator, json: { numbers: ['+4930123456'] } });
    expectProblem(missing, 400);
    expect(missing.json.errors).toEqual([{ field: 'body/reason', reason: 'is required' }]);
    const unknown = await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: ['+4930123456'], by: 'mallory' } });
    expectProblem(unknown, 400);
    expect(unknown.json.errors).toEqual([{ field: 'body/by', value: 'mallory', reason: 'is not a known field' }]);
    const badLimit = await request('GET', '/v1/numbers/+4930123456?limit=lots', { token: tokens.viewer });
    expectProblem(badLimit, 400);
    expect(badLimit.json.errors[0]).toMatchObject({ field: 'query/limit', value: 'lots' });
    expect(await written(api())).toBe(before);
  });

  it('refuses the whole add when one number is invalid, naming it by position', async () => {
    const { request, tokens } = api();
    const answer = await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: ['+4930123456', 'x1', '+4930654321'] } });
    expectProblem(answer, 422);
    expect(answer.json.errors).toEqual([{ field: 'body/numbers/1', value: 'x1', reason: expect.any(String) }]);
    expect(answer.json.detail).toMatch(/^1 of 3 numbers is not valid, nothing was written: "x1"/);
    const past = await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: ['+4930123456'], until: '2001-01-01T00:00:00Z' } });
    expectProblem(past, 422);
    expect(past.json.errors[0]).toMatchObject({ field: 'body/until', value: '2001-01-01T00:00:00Z' });
    expect(await written(api())).toBe(before);
  });

  it('refuses a body over the limit with 413', async () => {
    const { request, tokens } = api();
    const numbers = Array.from({ length: 80_000 }, (_, i) => `+4930${String(i).padStart(8, '0')}`);
    expectProblem(await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers } }), 413);
    expect(await written(api())).toBe(before);
  });

  it('answers unicode in any field that cannot hold it with a problem, and writes nothing', async () => {
    const { request, tokens } = api();
    for (const text of UNICODE) {
      const sends = [
        request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: [text] } }),
        request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: ['+4930123456'], for: text } }),
        request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: ['+4930123456'], until: text } }),
        request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: ['+4930123456'], region: text } }),
        request('POST', `/v1/lists/${encodeURIComponent(text)}/entries`, { token: tokens.operator, json: { numbers: ['+4930123456'] } }),
        request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930123456', lists: [text] } }),
        request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: text } }),
        request('PUT', '/v1/routes/bad', { token: tokens.supervisor, json: { actions: { blocked: text } } }),
        request('GET', `/v1/numbers/${encodeURIComponent(text)}`, { token: tokens.viewer }),
      ];
      for (const answer of await Promise.all(sends)) {
        expect([400, 404, 422], `${text}: ${answer.status} ${answer.text}`).toContain(answer.status);
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    expect(await written(api())).toBe(before);
    expect((await request('GET', '/v1/routes/bad', { token: tokens.viewer })).status).toBe(404);
  });

  it('keeps unicode where it is text (a reason) exactly as sent', async () => {
    const { request, tokens } = api();
    const reason = UNICODE.join(' ');
    expect((await request('POST', '/v1/lists/bad/entries', { token: tokens.operator, json: { numbers: ['+4930777888'], reason } })).status).toBe(200);
    const checked = await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930777888', lists: ['bad'] } });
    expect(checked.json.match.reason).toBe(reason);
  });
});

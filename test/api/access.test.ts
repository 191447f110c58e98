import { describe, expect, it } from 'vitest';
import { TokenStore } from '../../src/access/tokens.js';
import { accessKeys } from '../../src/lists/keys.js';
import { callguard, callguardJson } from '../cli/run-cli.js';
import { startTestApi, testApi } from './helpers.js';
import { until } from '../helpers/until.js';

describe('tokens and roles', () => {
  const api = testApi();

  it('tells a token who it is: name, role, lists, expiry', async () => {
    const { request, token } = api();
    const scoped = await token('alice', 'operator', ['dnc', 'harassment']);
    const me = await request('GET', '/v1/whoami', { token: scoped });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ name: 'alice', role: 'operator', lists: ['dnc', 'harassment'], expiresAt: null });
  });

  it('answers 401 with the same words for no token, a malformed one, an unknown one and a wrong secret', async () => {
    const { request, tokens } = api();
    const [, id] = /^cg_([0-9a-f]{16})_/.exec(tokens.admin) ?? [];
    const wrongSecret = `cg_${id}_${'A'.repeat(43)}`;
    const answers = await Promise.all([
      request('GET', '/v1/whoami'),
      request('GET', '/v1/whoami', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }),
      request('GET', '/v1/whoami', { token: 'not-a-token' }),
      request('GET', '/v1/whoami', { token: `cg_${'0'.repeat(16)}_${'A'.repeat(43)}` }),
      request('GET', '/v1/whoami', { token: wrongSecret }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(new Set(answers.map((answer) => answer.json.detail)).size).toBe(1);
  });

  it('takes a token in the URL only on the Wombat routes', async () => {
    const { request, tokens } = api();
    expect((await request('GET', `/v1/whoami?token=${tokens.admin}`)).status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const { namespace, redis, request } = api();
    const past = new TokenStore(redis, namespace, () => Date.now() - 60_000);
    const { token } = await past.create({ name: 'temp', role: 'viewer', expiresAt: Date.now() - 30_000, createdBy: 'test' });
    expect((await request('GET', '/v1/whoami', { token })).status).toBe(401);
  });

  it('stores only a hash of each token', async () => {
    const { namespace, redis, tokens } = api();
    const stored = JSON.stringify(await redis.hgetall(accessKeys(namespace).tokens));
    for (const token of Object.values(tokens)) {
      expect(stored).not.toContain(token);
      expect(stored).not.toContain(token.slice(-43));
    }
  });

  it('lets only an admin without a list scope manage tokens; the new token works at once and its creator is recorded', async () => {
    const { request, tokens, token } = api();
    const body = { name: 'crm', role: 'operator', lists: ['dnc'], expires: '90d' };
    expect((await request('POST', '/v1/tokens', { token: tokens.supervisor, json: body })).status).toBe(403);
    const scopedAdmin = await token('scoped-admin', 'admin', ['dnc']);
    expect((await request('POST', '/v1/tokens', { token: scopedAdmin, json: body })).status).toBe(403);

    const created = await request('POST', '/v1/tokens', { token: tokens.admin, json: body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'crm', role: 'operator', lists: ['dnc'] });
    expect(Date.parse(created.json.expiresAt)).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect((await request('GET', '/v1/whoami', { token: created.json.token })).json.name).toBe('crm');

    const listed = await request('GET', '/v1/tokens', { token: tokens.admin });
    expect(listed.json.tokens.find((t: { name: string }) => t.name === 'crm')).toMatchObject({ createdBy: 'admin', expired: false });
    expect(listed.text).not.toContain(created.json.token);

    expect((await request('POST', '/v1/tokens', { token: tokens.admin, json: body })).status).toBe(409);
    expect((await request('DELETE', '/v1/tokens/crm', { token: tokens.admin })).json).toEqual({ revoked: 'crm' });
    expect((await request('GET', '/v1/whoami', { token: created.json.token })).status).toBe(401);
    expect((await request('DELETE', '/v1/tokens/crm', { token: tokens.admin })).status).toBe(404);
  });

  it('refuses a token revoked by the CLI within seconds, without a restart', async () => {
    const { namespace, request, token } = api();
    const doomed = await token('doomed', 'viewer');
    expect((await request('GET', '/v1/whoami', { token: doomed })).status).toBe(200);
    expect((await callguard(namespace, 'token', 'revoke', 'doomed')).code).toBe(0);
    await until(async () => (await request('GET', '/v1/whoami', { token: doomed })).status === 401, 'the revoked token refused', {
      pollMs: 100,
    });
  });
});

describe('callguard token', () => {
  const api = testApi();

  it('creates a token printed once, lists tokens without secrets, and revokes', async () => {
    const { namespace, request } = api();
    const created = await callguardJson<{ name: string; role: string; lists: string[]; expiresAt: string; token: string }>(
      namespace, 'token', 'create', '--name', 'bob', '--role', 'operator', '--lists', 'dnc,harassment', '--expires', '30d',
    );
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({ name: 'bob', role: 'operator', lists: ['dnc', 'harassment'] });
    expect(created.json.token).toMatch(/^cg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect((await request('GET', '/v1/whoami', { token: created.json.token })).json.role).toBe('operator');

    const listed = await callguard(namespace, 'token', 'list');
    expect(listed.out).toMatch(/bob\s+operator\s+dnc,harassment/);
    expect(listed.out).not.toContain(created.json.token);

    const again = await callguard(namespace, 'token', 'create', '--name', 'bob', '--role', 'viewer');
    expect(again.code).toBe(1);
    expect(again.err).toContain('callguard: a token named bob exists already');
    expect((await callguard(namespace, 'token', 'create', '--name', 'Bob!', '--role', 'viewer')).code).toBe(2);
    expect((await callguard(namespace, 'token', 'revoke', 'bob')).out).toContain('token bob revoked');
    expect((await callguard(namespace, 'token', 'revoke', 'bob')).code).toBe(1);
  });
});

describe('limits', () => {
  it('gives a token over its rate 429 with Retry-After, and leaves other tokens alone', async () => {
    const limited = await startTestApi({ rateLimit: '3/min' });
    try {
      const { request, tokens } = limited;
      for (let i = 0; i < 3; i += 1) expect((await request('GET', '/v1/whoami', { token: tokens.viewer })).status).toBe(200);
      const over = await request('GET', '/v1/whoami', { token: tokens.viewer });
      expect(over.status).toBe(429);
      expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await request('GET', '/v1/whoami', { token: tokens.operator })).status).toBe(200);
      expect((await request('GET', '/healthz')).status).toBe(200);
    } finally {
      await limited.api.stop();
      await limited.redis.quit();
    }
  });

  it('refuses a JSON body over the body limit with 413 and writes nothing', async () => {
    const small = await startTestApi({ bodyLimit: '1kb' });
    try {
      const { request, tokens } = small;
      const huge = await request('POST', '/v1/tokens', { token: tokens.admin, json: { name: 'big', role: 'viewer', lists: Array.from({ length: 200 }, (_, i) => `list-${i}`) } });
      expect(huge.status).toBe(413);
      expect(huge.json.type).toBe('urn:callguard:problem:too-large');
      expect((await request('GET', '/v1/tokens', { token: tokens.admin })).json.tokens.map((t: { name: string }) => t.name)).not.toContain('big');
    } finally {
      await small.api.stop();
      await small.redis.quit();
    }
  });
});

describe('behind a proxy', () => {
  it("logs the client address a trusted proxy forwards, and the socket's otherwise", async () => {
    for (const [trustProxy, expected] of [['127.0.0.1', '203.0.113.9'], ['false', '127.0.0.1']] as const) {
      const running = await startTestApi({ trustProxy });
      try {
        await running.request('GET', '/v1/whoami', { token: running.tokens.viewer, headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': `proxy-${trustProxy}` } });
        const line = running.logs.lines().find((entry) => entry.reqId === `proxy-${trustProxy}` && entry.msg === 'request answered');
        expect(line).toMatchObject({ ip: expected, token: 'viewer', route: '/v1/whoami', status: 200 });
      } finally {
        await running.api.stop();
        await running.redis.quit();
      }
    }
  });
});

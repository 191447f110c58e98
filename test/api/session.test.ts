import { describe, expect, it } from 'vitest';
import { testApi, type TestApi } from './helpers.js';

/** Signs in with `token` and answers the session cookie (name=value) and the CSRF token. */
async function signIn(api: TestApi, token: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const answer = await api.request('POST', '/v1/session', { json: { token } });
  expect(answer.status, answer.text).toBe(201);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] as string, csrf: answer.json.csrfToken, setCookie };
}

describe('console sessions: a token exchanged for a cookie', () => {
  const api = testApi({ sessionTtl: '1h' });

  it('sets an HttpOnly, SameSite=Strict cookie with an expiry, and the cookie alone authenticates reads', async () => {
    const { request, tokens } = api();
    const session = await signIn(api(), tokens.viewer);
    expect(session.setCookie).toMatch(/^callguard_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=(3599|3600)$/);
    const whoami = await request('GET', '/v1/whoami', { headers: { cookie: session.cookie } });
    expect(whoami.status).toBe(200);
    expect(whoami.json).toMatchObject({ name: 'viewer', role: 'viewer' });
    const again = await request('GET', '/v1/session', { headers: { cookie: session.cookie } });
    expect(again.json).toMatchObject({ name: 'viewer', csrfToken: session.csrf, defaultRegion: null });
    expect(session.setCookie).not.toContain(tokens.viewer);
  });

  it('refuses a wrong token at sign-in with 401 and sets no cookie', async () => {
    const answer = await api().request('POST', '/v1/session', { json: { token: 'cg_0123456789abcdef_notavalidsecretnotavalidsecretnotavalidsecr' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a write of a session without its CSRF token, or from another origin, and takes it with both', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'csrf' } });
    const session = await signIn(api(), tokens.operator);
    const add = (headers: Record<string, string>) => request('POST', '/v1/lists/csrf/entries', { headers: { cookie: session.cookie, ...headers }, json: { numbers: ['+4930111222'] } });
    expect((await add({})).status).toBe(403);
    expect((await add({ 'x-csrf-token': 'A'.repeat(43) })).status).toBe(403);
    expect((await add({ 'x-csrf-token': session.csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930111222', lists: ['csrf'] } })).json.verdict).toBe('clear');
    const origin = api().api.url;
    const allowed = await add({ 'x-csrf-token': session.csrf, origin });
    expect(allowed.status, allowed.text).toBe(200);
    expect((await request('GET', '/v1/audit?list=csrf', { token: tokens.viewer })).json.events[0]).toMatchObject({ action: 'add', by: 'operator' });
  });

  it('keeps the role of its token: a viewer session is refused a write even with the CSRF token', async () => {
    const { request, tokens } = api();
    const session = await signIn(api(), tokens.viewer);
    const answer = await request('POST', '/v1/lists', { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, json: { name: 'by-viewer' } });
    expect(answer.status).toBe(403);
  });

  it('ends at sign-out and when its token is revoked', async () => {
    const { request, tokens, token } = api();
    const first = await signIn(api(), tokens.viewer);
    const out = await request('DELETE', '/v1/session', { headers: { cookie: first.cookie, 'x-csrf-token': first.csrf } });
    expect(out.json).toEqual({ signedOut: true });
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await request('GET', '/v1/whoami', { headers: { cookie: first.cookie } })).status).toBe(401);

    const soon = await token('soon-revoked', 'viewer');
    const second = await signIn(api(), soon);
    expect((await request('GET', '/v1/whoami', { headers: { cookie: second.cookie } })).status).toBe(200);
    expect((await request('DELETE', '/v1/tokens/soon-revoked', { token: tokens.admin })).status).toBe(200);
    expect((await request('GET', '/v1/whoami', { headers: { cookie: second.cookie } })).status).toBe(401);
  });
});

describe("a console session names the API's default region", () => {
  const api = testApi({ region: 'DE' });

  it('at sign-in and after, so a page can say what an empty region field reads national numbers as', async () => {
    const { request, tokens } = api();
    const signedIn = await request('POST', '/v1/session', { json: { token: tokens.operator } });
    expect(signedIn.json).toMatchObject({ defaultRegion: 'DE' });
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect((await request('GET', '/v1/session', { headers: { cookie } })).json).toMatchObject({ defaultRegion: 'DE' });
  });
});

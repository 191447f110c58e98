import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, ROLES, type Role } from '../../src/access/roles.js';
import { TokenStore } from '../../src/access/tokens.js';
import { resultFields } from '../../src/dialer/result-fields.js';
import { dialKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import { CampaignStore } from '../../src/screening/campaigns.js';
import { applyCampaignChanges } from '../../src/screening/campaign-syntax.js';
import { WebhookStore } from '../../src/webhooks/store.js';
import { testApi, type TestApi } from './helpers.js';
import { until } from '../helpers/until.js';

interface Call {
  path: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** a server-sent event stream: only its status is read, then it is closed */
  stream?: boolean;
}

interface RouteCase {
  method: string;
  /** the route template, as Fastify registers it */
  route: string;
  least: Role | 'public';
  /** the request this role sends: each role its own resources, so the calls are independent */
  call: (role: Role) => Call;
}

const e164 = (role: Role): string => `+4930${100000 + ROLES.indexOf(role)}`;

/** Every route of the API with the least role it needs. The OpenAPI check below fails when a route is missing here. */
const CASES: RouteCase[] = [
  { method: 'GET', route: '/healthz', least: 'public', call: () => ({ path: '/healthz' }) },
  { method: 'GET', route: '/readyz', least: 'public', call: () => ({ path: '/readyz' }) },
  { method: 'GET', route: '/metrics', least: 'public', call: () => ({ path: '/metrics' }) },
  { method: 'GET', route: '/v1/openapi.json', least: 'public', call: () => ({ path: '/v1/openapi.json' }) },
  { method: 'GET', route: '/v1/whoami', least: 'viewer', call: () => ({ path: '/v1/whoami' }) },
  { method: 'GET', route: '/v1/tokens', least: 'admin', call: () => ({ path: '/v1/tokens' }) },
  { method: 'POST', route: '/v1/tokens', least: 'admin', call: (role) => ({ path: '/v1/tokens', json: { name: `new-${role}`, role: 'viewer' } }) },
  { method: 'DELETE', route: '/v1/tokens/:name', least: 'admin', call: (role) => ({ path: `/v1/tokens/rv-${role}` }) },
  { method: 'GET', route: '/v1/lists', least: 'viewer', call: () => ({ path: '/v1/lists' }) },
  { method: 'GET', route: '/v1/lists/:list', least: 'viewer', call: () => ({ path: '/v1/lists/mx' }) },
  { method: 'POST', route: '/v1/lists', least: 'supervisor', call: (role) => ({ path: '/v1/lists', json: { name: `made-${role}` } }) },
  { method: 'PATCH', route: '/v1/lists/:list', least: 'supervisor', call: () => ({ path: '/v1/lists/mx', json: { enabled: true } }) },
  { method: 'DELETE', route: '/v1/lists/:list', least: 'supervisor', call: (role) => ({ path: `/v1/lists/rm-${role}` }) },
  { method: 'POST', route: '/v1/lists/:list/entries', least: 'operator', call: (role) => ({ path: '/v1/lists/mx/entries', json: { numbers: [e164(role)] } }) },
  { method: 'POST', route: '/v1/lists/:list/cancellations', least: 'operator', call: (role) => ({ path: '/v1/lists/mx/cancellations', json: { numbers: [e164(role)], reason: 'r' } }) },
  { method: 'POST', route: '/v1/check', least: 'viewer', call: (role) => ({ path: '/v1/check', json: { number: e164(role), lists: ['mx'] } }) },
  { method: 'GET', route: '/v1/numbers/:number', least: 'viewer', call: (role) => ({ path: `/v1/numbers/${e164(role)}` }) },
  { method: 'GET', route: '/v1/routes', least: 'viewer', call: () => ({ path: '/v1/routes' }) },
  { method: 'GET', route: '/v1/routes/:name', least: 'viewer', call: () => ({ path: '/v1/routes/mx' }) },
  { method: 'PUT', route: '/v1/routes/:name', least: 'supervisor', call: (role) => ({ path: `/v1/routes/set-${role}`, json: { block: ['mx'] } }) },
  { method: 'DELETE', route: '/v1/routes/:name', least: 'supervisor', call: (role) => ({ path: `/v1/routes/rm-${role}` }) },
  { method: 'GET', route: '/v1/campaigns', least: 'viewer', call: () => ({ path: '/v1/campaigns' }) },
  { method: 'GET', route: '/v1/campaigns/:name', least: 'viewer', call: () => ({ path: '/v1/campaigns/mx' }) },
  { method: 'PUT', route: '/v1/campaigns/:name', least: 'supervisor', call: () => ({ path: '/v1/campaigns/mx', json: { maxConcurrent: 2 } }) },
  { method: 'DELETE', route: '/v1/campaigns/:name', least: 'supervisor', call: (role) => ({ path: `/v1/campaigns/rm-${role}` }) },
  { method: 'POST', route: '/v1/campaigns/:name/cancellations', least: 'operator', call: (role) => ({ path: '/v1/campaigns/mx/cancellations', json: { numbers: [e164(role)], reason: 'r' } }) },
  { method: 'GET', route: '/v1/campaigns/:name/report', least: 'viewer', call: () => ({ path: '/v1/campaigns/mx/report' }) },
  { method: 'POST', route: '/v1/campaigns/:name/calls', least: 'operator', call: (role) => ({ path: '/v1/campaigns/mx/calls', json: { number: e164(role), at: '1h' } }) },
  { method: 'GET', route: '/v1/campaigns/:name/calls/:request', least: 'viewer', call: () => ({ path: '/v1/campaigns/mx/calls/req-1' }) },
  { method: 'GET', route: '/v1/report', least: 'viewer', call: () => ({ path: '/v1/report?since=1h' }) },
  { method: 'POST', route: '/v1/lists/:list/import', least: 'supervisor', call: (role) => ({ path: '/v1/lists/mx/import', body: `${e164(role)}\n`, headers: { 'content-type': 'text/plain' } }) },
  { method: 'GET', route: '/v1/jobs/:id', least: 'viewer', call: () => ({ path: `/v1/jobs/${job.id}` }) },
  { method: 'GET', route: '/v1/jobs/:id/rejects', least: 'viewer', call: () => ({ path: `/v1/jobs/${job.id}/rejects` }) },
  { method: 'POST', route: '/v1/scrub', least: 'operator', call: (role) => ({ path: '/v1/scrub?lists=mx', body: `${e164(role)}\n`, headers: { 'content-type': 'text/plain' } }) },
  { method: 'GET', route: '/v1/scrubs/:id', least: 'operator', call: () => ({ path: `/v1/scrubs/${scrub.id}` }) },
  { method: 'GET', route: '/v1/scrubs/:id/:file', least: 'operator', call: () => ({ path: `/v1/scrubs/${scrub.id}/clean` }) },
  { method: 'GET', route: '/v1/lists/:list/export', least: 'supervisor', call: () => ({ path: '/v1/lists/mx/export' }) },
  { method: 'GET', route: '/v1/webhooks', least: 'admin', call: () => ({ path: '/v1/webhooks' }) },
  { method: 'POST', route: '/v1/webhooks', least: 'admin', call: (role) => ({ path: '/v1/webhooks', json: { name: `hook-${role}`, url: 'http://127.0.0.1:9/', events: ['entry.added'] } }) },
  { method: 'DELETE', route: '/v1/webhooks/:name', least: 'admin', call: (role) => ({ path: `/v1/webhooks/rm-${role}` }) },
  { method: 'GET', route: '/v1/webhooks/:name/deliveries', least: 'admin', call: () => ({ path: '/v1/webhooks/mx/deliveries' }) },
  { method: 'GET', route: '/wombat/api/lists/', least: 'operator', call: (role) => ({ path: `/wombat/api/lists/?op=addToList&list=MX&numbers=${encodeURIComponent(e164(role))}` }) },
  { method: 'GET', route: '/wombat/api/calls/', least: 'operator', call: (role) => ({ path: `/wombat/api/calls/?op=addcall&campaign=MX&number=${encodeURIComponent(e164(role))}` }) },
  { method: 'GET', route: '/v1/lists/:list/entries', least: 'viewer', call: () => ({ path: '/v1/lists/mx/entries?limit=2' }) },
  { method: 'POST', route: '/v1/lists/:list/import/preview', least: 'supervisor', call: (role) => ({ path: '/v1/lists/mx/import/preview', body: `number\n${e164(role)}\n`, headers: { 'content-type': 'text/csv' } }) },
  { method: 'POST', route: '/v1/session', least: 'public', call: () => ({ path: '/v1/session', json: { token: signIn.token } }) },
  { method: 'GET', route: '/v1/session', least: 'viewer', call: () => ({ path: '/v1/session' }) },
  { method: 'DELETE', route: '/v1/session', least: 'viewer', call: () => ({ path: '/v1/session' }) },
  { method: 'GET', route: '/v1/report/live', least: 'viewer', call: () => ({ path: '/v1/report/live', stream: true }) },
  { method: 'GET', route: '/v1/report/hours', least: 'viewer', call: () => ({ path: '/v1/report/hours?since=7d' }) },
  { method: 'GET', route: '/v1/audit', least: 'viewer', call: () => ({ path: '/v1/audit?list=mx&limit=5' }) },
  { method: 'GET', route: '/', least: 'public', call: () => ({ path: '/' }) },
  { method: 'GET', route: '/console/:file', least: 'public', call: () => ({ path: '/console/app-TESTHASH.js' }) },
];

/** A token the sign-in case exchanges for a session, made before the table runs. */
const signIn = { token: '' };

/** A console build of two files, so / and /console/ have something to serve. */
function consoleBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'callguard-console-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>callguard</title>');
  writeFileSync(join(dir, 'app-TESTHASH.js'), 'export {};');
  return dir;
}

/** An import job with a rejected row, made before the table runs. */
const job = { id: '' };
/** A finished scrub job, made before the table runs. */
const scrub = { id: '' };

async function fixtures(api: TestApi): Promise<void> {
  const { redis, namespace } = api;
  const lists = new ListStore(redis, namespace);
  const campaigns = new CampaignStore(redis, namespace);
  const tokens = new TokenStore(redis, namespace);
  const webhooks = new WebhookStore(redis, namespace);
  const base = applyCampaignChanges('mx', undefined, { block: ['mx'], endpoint: 'PJSIP/${NUMBER}@t', agent: { context: 'agents', extension: 's', priority: 1 } }, { at: 0, by: 'test' });
  await lists.createList('mx', { by: 'test' });
  await campaigns.set(base);
  await redis.hset(`${namespace}:routes`, 'mx', JSON.stringify({ name: 'mx', block: ['mx'], allow: [], withheld: 'screen', actions: (await import('../../src/screening/route.js')).DEFAULT_ACTIONS }));
  await redis.xadd(dialKeys(namespace).results, '*', ...resultFields({ request: 'req-1', campaign: 'mx', number: '+4930123', attempt: 1, outcome: 'BUSY', at: Date.now(), final: false, retryAt: Date.now() + 60_000, attrs: {} }));
  for (const role of ROLES) {
    await lists.createList(`rm-${role}`, { by: 'test' });
    await lists.add('mx', [{ member: e164(role) }], { by: 'test' });
    await campaigns.set({ ...base, name: `rm-${role}` });
    await redis.hset(`${namespace}:routes`, `rm-${role}`, JSON.stringify({ name: `rm-${role}`, block: [], allow: [], withheld: 'screen', actions: (await import('../../src/screening/route.js')).DEFAULT_ACTIONS }));
    await tokens.create({ name: `rv-${role}`, role: 'viewer', createdBy: 'test' });
    await webhooks.add({ name: `rm-${role}`, url: 'http://127.0.0.1:9/', events: ['entry.added'], createdBy: 'test' });
  }
  await webhooks.add({ name: 'mx', url: 'http://127.0.0.1:9/', events: ['entry.added'], createdBy: 'test' });
  const upload = await api.request('POST', '/v1/lists/mx/import', { token: api.tokens.admin, body: '+4930999999\ngarbage\n', headers: { 'content-type': 'text/plain' } });
  job.id = upload.json.job.id;
  signIn.token = await api.token('signs-in', 'viewer');
  await until(
    async () => (await api.request('GET', `/v1/jobs/${job.id}`, { token: api.tokens.admin })).json.job.status !== 'running',
    'the import job to end',
    { pollMs: 20 },
  );
  const scrubbed = await api.request('POST', '/v1/scrub?lists=mx', { token: api.tokens.admin, body: '+4930999999\n', headers: { 'content-type': 'text/plain' } });
  scrub.id = scrubbed.json.job.id;
  await until(
    async () => (await api.request('GET', `/v1/scrubs/${scrub.id}`, { token: api.tokens.admin })).json.job.status !== 'running',
    'the scrub job to end',
    { pollMs: 20 },
  );
}

describe('every route for every role', () => {
  const consoleDir = consoleBuild();
  const api = testApi({}, { consoleDir });
  beforeAll(async () => fixtures(api()));
  afterAll(() => rmSync(consoleDir, { recursive: true, force: true }));

  const table = CASES.flatMap((entry) => [...ROLES, 'none' as const].map((role) => ({ ...entry, role })));

  it.each(table)('$method $route as $role', async ({ call, least, role, method }) => {
    const { request, tokens } = api();
    const sent = call(role === 'none' ? 'viewer' : role);
    const answer = sent.stream ? await streamStatus(api().api.url + sent.path, role === 'none' ? undefined : tokens[role]) : await request(method, sent.path, {
      ...(role === 'none' ? {} : { token: tokens[role] }),
      ...(sent.json === undefined ? {} : { json: sent.json }),
      ...(sent.body === undefined ? {} : { body: sent.body }),
      ...(sent.headers === undefined ? {} : { headers: sent.headers }),
    });
    const expected = least === 'public' ? 'allowed' : role === 'none' ? 401 : roleAtLeast(role, least) ? 'allowed' : 403;
    if (expected === 'allowed') {
      expect(answer.status, answer.text).toBeGreaterThanOrEqual(200);
      expect(answer.status, answer.text).toBeLessThan(300);
    } else {
      expect(answer.status).toBe(expected);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('documents every route it serves in /v1/openapi.json, and the table above covers each of them', async () => {
    const { api: running, request } = api();
    const document = (await request('GET', '/v1/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    const served = running.routes.map((route) => `${route.method} ${route.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
    const tested = CASES.map((entry) => `${entry.method} ${entry.route.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(served.filter((route) => !tested.includes(route))).toEqual([]);
  });
});

/** The status and content type of a streaming answer, read as soon as its head arrives; the stream is then closed. */
async function streamStatus(url: string, token: string | undefined): Promise<{ status: number; headers: Headers; text: string }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, signal: controller.signal });
  const text = response.ok ? '' : await response.text();
  controller.abort();
  return { status: response.status, headers: response.headers, text };
}

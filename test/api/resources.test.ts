import { describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { appendCallLog } from '../helpers/call-log.js';
import { testApi } from './helpers.js';

describe('resources under /v1, through the functions the CLI calls', () => {
  const api = testApi({ region: 'DE' });

  it('creates a list, adds numbers with the token name as "by", checks and shows them, cancels one', async () => {
    const { request, tokens, redis, namespace } = api();
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc', reason: 'compliance' } })).status).toBe(201);
    expect((await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'dnc' } })).status).toBe(409);

    const added = await request('POST', '/v1/lists/dnc/entries', {
      token: tokens.operator,
      json: { numbers: ['030 1234567', '+4930123456', '+1900*'], for: '30d', reason: 'asked not to be called' },
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ list: 'dnc', added: 3, extended: 0, unchanged: 0 });
    expect(added.json.entries.map((entry: { member: string }) => entry.member)).toEqual(['+49301234567', '+4930123456', '+1900*']);
    const audit = await new ListStore(redis, namespace).audit('dnc', 10);
    expect(audit.filter((event) => event.action === 'add').map((event) => event.by)).toEqual(['operator', 'operator', 'operator']);
    expect(audit.find((event) => event.action === 'create')?.by).toBe('supervisor');

    const blocked = await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '030 1234567', lists: ['dnc'] } });
    expect(blocked.json).toMatchObject({ verdict: 'blocked', number: '+49301234567', match: { list: 'dnc', kind: 'exact', by: 'operator', reason: 'asked not to be called' } });
    const viaPrefix = await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+19005550100', lists: ['dnc'] } });
    expect(viaPrefix.json.match).toMatchObject({ member: '+1900*', kind: 'prefix' });
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: 'anonymous', lists: ['dnc'] } })).json.verdict).toBe('hidden');
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '12ab', lists: ['dnc'] } })).json.verdict).toBe('malformed');
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4930999', lists: ['nope'] } })).status).toBe(404);

    const cancelled = await request('POST', '/v1/lists/dnc/cancellations', { token: tokens.operator, json: { numbers: ['+4930123456', '+4930000000'], reason: 'consent given' } });
    expect(cancelled.json).toEqual({ list: 'dnc', cancelled: ['+4930123456'], notListed: ['+4930000000'] });

    const shown = await request('GET', `/v1/numbers/${encodeURIComponent('+4930123456')}`, { token: tokens.viewer });
    expect(shown.status).toBe(200);
    expect(shown.json.listed).toEqual([]);
    expect(shown.json.cancelled).toMatchObject([{ list: 'dnc', reason: 'consent given', by: 'operator' }]);
    expect(shown.json.history.map((event: { action: string }) => event.action)).toEqual(['cancel', 'add']);
  });

  it('lists, disables and removes lists; a disabled list matches nothing', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'spam' } });
    await request('POST', '/v1/lists/spam/entries', { token: tokens.operator, json: { numbers: ['+4915112345678'] } });
    const listed = await request('GET', '/v1/lists', { token: tokens.viewer });
    expect(listed.json.lists.find((list: { name: string }) => list.name === 'spam')).toMatchObject({ enabled: true, size: 1, createdBy: 'supervisor' });
    expect((await request('PATCH', '/v1/lists/spam', { token: tokens.supervisor, json: { enabled: false, reason: 'review' } })).json).toEqual({ list: 'spam', action: 'disabled' });
    expect((await request('POST', '/v1/check', { token: tokens.viewer, json: { number: '+4915112345678', lists: ['spam'] } })).json.verdict).toBe('clear');
    expect((await request('GET', '/v1/lists/spam', { token: tokens.viewer })).json.enabled).toBe(false);
    expect((await request('DELETE', '/v1/lists/spam?reason=gone', { token: tokens.supervisor })).json).toEqual({ list: 'spam', action: 'removed' });
    expect((await request('GET', '/v1/lists/spam', { token: tokens.viewer })).status).toBe(404);
  });

  it('limits a scoped token to its lists: it sees, checks and changes only those', async () => {
    const { request, tokens, token } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'scope-dnc' } });
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'scope-vip' } });
    await request('POST', '/v1/lists/scope-vip/entries', { token: tokens.operator, json: { numbers: ['+4930555111'] } });
    await request('POST', '/v1/lists/scope-dnc/entries', { token: tokens.operator, json: { numbers: ['+4930555111'] } });
    const agent = await token('agent', 'operator', ['scope-dnc']);

    expect((await request('POST', '/v1/lists/scope-dnc/entries', { token: agent, json: { numbers: ['+4930555222'] } })).status).toBe(200);
    const refused = await request('POST', '/v1/lists/scope-vip/entries', { token: agent, json: { numbers: ['+4930555222'] } });
    expect(refused.status).toBe(403);
    expect((await request('POST', '/v1/lists/scope-vip/cancellations', { token: agent, json: { numbers: ['+4930555111'], reason: 'x' } })).status).toBe(403);
    expect((await request('POST', '/v1/check', { token: agent, json: { number: '+4930555111', lists: ['scope-dnc', 'scope-vip'] } })).status).toBe(403);
    expect((await request('GET', '/v1/lists', { token: agent })).json.lists.map((list: { name: string }) => list.name)).toEqual(['scope-dnc']);
    const shown = await request('GET', '/v1/numbers/+4930555111', { token: agent });
    expect(shown.json.listed.map((entry: { list: string }) => entry.list)).toEqual(['scope-dnc']);
    expect((await request('GET', '/v1/report', { token: agent })).status).toBe(403);
    expect((await request('GET', '/v1/numbers/+4930555222', { token: tokens.viewer })).json.listed).toHaveLength(1);
  });

  it('sets, shows and removes routes with the CLI validation', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'route-dnc' } });
    const missing = await request('PUT', '/v1/routes/support', { token: tokens.supervisor, json: { block: ['route-dnc', 'nolist'] } });
    expect(missing.status).toBe(422);
    expect(missing.json.detail).toMatch(/no list named nolist/);
    const set = await request('PUT', '/v1/routes/support', { token: tokens.supervisor, json: { block: ['route-dnc'], region: 'de', actions: { blocked: 'hangup:busy' } } });
    expect(set.json).toMatchObject({ created: true, route: { name: 'support', block: ['route-dnc'], region: 'DE', actions: { blocked: 'hangup:17' }, updatedBy: 'supervisor' } });
    const bad = await request('PUT', '/v1/routes/support', { token: tokens.supervisor, json: { actions: { clear: 'jump:nowhere' } } });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0]).toMatchObject({ field: 'body/actions/clear', value: 'jump:nowhere' });
    expect((await request('PUT', '/v1/routes/support', { token: tokens.supervisor, json: { allow: ['route-dnc'] } })).status).toBe(422);
    expect((await request('GET', '/v1/routes/support', { token: tokens.viewer })).json.route.actions.blocked).toBe('hangup:17');
    expect((await request('GET', '/v1/routes', { token: tokens.viewer })).json.routes).toHaveLength(1);
    expect((await request('DELETE', '/v1/routes/support', { token: tokens.supervisor })).json).toEqual({ removed: 'support' });
    expect((await request('GET', '/v1/routes/support', { token: tokens.viewer })).status).toBe(404);
  });

  it('sets campaigns, queues calls on them, cancels on their block lists, and reports', async () => {
    const { request, tokens } = api();
    await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'camp-dnc' } });
    const created = await request('PUT', '/v1/campaigns/sales', {
      token: tokens.supervisor,
      json: { block: ['camp-dnc'], endpoint: 'PJSIP/${NUMBER}@trunk', context: 'agents', retry: 'busy=1m,failed=none', dialTimeout: '45s' },
    });
    expect(created.status).toBe(200);
    expect(created.json.campaign).toMatchObject({ name: 'sales', block: ['camp-dnc'], dialTimeout: '45s', retry: { busy: '1m', failed: 'none' }, updatedBy: 'supervisor' });
    const newWithoutEndpoint = await request('PUT', '/v1/campaigns/other', { token: tokens.supervisor, json: { block: [] } });
    expect(newWithoutEndpoint.status).toBe(422);
    expect((await request('PUT', '/v1/campaigns/sales', { token: tokens.supervisor, json: { actions: { blocked: 'continue:agents,s,1' } } })).status).toBe(422);

    const queued = await request('POST', '/v1/campaigns/sales/calls', { token: tokens.operator, json: { number: '030 1234567', attrs: { crm: '4711' }, at: '2h', id: 'crm-4711' } });
    expect(queued.status).toBe(202);
    expect(queued.json).toMatchObject({ request: 'crm-4711', campaign: 'sales', e164: '+49301234567' });
    expect(Date.parse(queued.json.at)).toBeGreaterThan(Date.now() + 3_500_000);
    const undiallable = await request('POST', '/v1/campaigns/sales/calls', { token: tokens.operator, json: { number: 'anonymous' } });
    expect(undiallable.status).toBe(422);
    expect(undiallable.json.errors[0].field).toBe('body/number');
    expect((await request('POST', '/v1/campaigns/nope/calls', { token: tokens.operator, json: { number: '+4930123' } })).status).toBe(404);

    await request('POST', '/v1/lists/camp-dnc/entries', { token: tokens.operator, json: { numbers: ['+49301234567'] } });
    const cancelled = await request('POST', '/v1/campaigns/sales/cancellations', { token: tokens.operator, json: { numbers: ['030 1234567'], reason: 'NEWCASE' } });
    expect(cancelled.json).toEqual({ campaign: 'sales', lists: [{ list: 'camp-dnc', cancelled: ['+49301234567'], notListed: [] }], missingLists: [] });

    const shown = await request('GET', '/v1/campaigns/sales', { token: tokens.viewer });
    expect(shown.json).toMatchObject({ campaign: { name: 'sales' }, missingLists: [], inFlight: 0 });
    const report = await request('GET', '/v1/campaigns/sales/report?since=1h&outcome=BLACKLISTED', { token: tokens.viewer });
    expect(report.json).toMatchObject({ campaign: 'sales', attempts: [], totals: {} });
    expect((await request('GET', '/v1/campaigns/sales/calls/crm-4711', { token: tokens.viewer })).status).toBe(404);
    expect((await request('DELETE', '/v1/campaigns/sales', { token: tokens.supervisor })).json).toMatchObject({ removed: 'sales' });
  });

  it('reports the call log with the CLI filters', async () => {
    const { request, tokens, redis, namespace } = api();
    const time = Date.now();
    await appendCallLog(redis, namespace, { time, channel: 'ch-1', direction: 'inbound', raw: '+4930111', e164: '+4930111', route: 'support', verdict: 'blocked', list: 'dnc', action: 'hangup:21', decisionMs: 1.5 });
    await appendCallLog(redis, namespace, { time, channel: 'ch-2', direction: 'inbound', raw: '+4930222', e164: '+4930222', route: 'support', verdict: 'clear', action: 'continue:queues,support,1', decisionMs: 1.1 });
    const report = await request('GET', '/v1/report?since=1h&verdict=blocked&route=support', { token: tokens.viewer });
    expect(report.status).toBe(200);
    expect(report.json.total).toBe(2);
    expect(report.json.counts).toMatchObject({ blocked: 1, clear: 1 });
    expect(report.json.calls).toMatchObject([{ channel: 'ch-1', verdict: 'blocked', list: 'dnc' }]);
    expect((await request('GET', '/v1/report?since=yesterday', { token: tokens.viewer })).json.errors[0]).toMatchObject({ field: 'query/since', value: 'yesterday' });
  });
});

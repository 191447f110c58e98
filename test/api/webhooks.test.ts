import { createServer, type IncomingMessage, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { resultFields } from '../../src/dialer/result-fields.js';
import { dialKeys } from '../../src/lists/keys.js';
import { appendCallLog } from '../helpers/call-log.js';
import { EVENT_TYPES, type WebhookEvent } from '../../src/webhooks/events.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { callguard, callguardJson } from '../cli/run-cli.js';
import { freePort } from '../helpers/redis-server.js';
import { startTestApi, type TestApi } from './helpers.js';
import { until } from '../helpers/until.js';

const SECRET = 'a-receiver-shared-secret';

interface Received {
  event: WebhookEvent;
  signed: boolean;
  headers: IncomingMessage['headers'];
}

/** A local HTTP receiver on `port`, answering `status`, that checks every signature. */
async function receiver(port: number, status = 204): Promise<{ received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const signed = verifySignature(SECRET, { timestamp: request.headers['callguard-timestamp'] as string, signature: request.headers['callguard-signature'] as string }, body, Date.now());
      received.push({ event: JSON.parse(body) as WebhookEvent, signed, headers: request.headers });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Deliveries retry with backoff: a state these tests wait for may take many seconds. */
const WAIT = { timeoutMs: 30_000, pollMs: 50 };

async function deliveries({ request, tokens }: TestApi, name: string): Promise<{ pending: number; deliveries: { status: string; event: string }[] }> {
  return (await request('GET', `/v1/webhooks/${name}/deliveries?limit=1000`, { token: tokens.admin })).json;
}

describe('webhooks', () => {
  it('delivers every event at least once, signed, to a receiver that is down for a while and then up', async () => {
    const api = await startTestApi({ webhookRetryMax: '300ms' });
    const port = await freePort();
    let up: Awaited<ReturnType<typeof receiver>> | undefined;
    try {
      const { request, tokens, redis, namespace } = api;
      await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'hooked' } });
      await request('POST', '/v1/lists/hooked/entries', { token: tokens.operator, json: { numbers: ['+4930000001'] } });
      const added = await request('POST', '/v1/webhooks', { token: tokens.admin, json: { name: 'relay', url: `http://127.0.0.1:${port}/hook`, events: [...EVENT_TYPES], secret: SECRET } });
      expect(added.status, added.text).toBe(201);
      expect(added.json).not.toHaveProperty('secret');

      await request('POST', '/v1/lists/hooked/entries', { token: tokens.operator, json: { numbers: ['+4930000002', '+4930000003', '+1900*'], reason: 'asked' } });
      await request('POST', '/v1/lists/hooked/cancellations', { token: tokens.operator, json: { numbers: ['+4930000002'], reason: 'consent' } });
      const upload = await request('POST', '/v1/lists/hooked/import?filename=week.txt', { token: tokens.supervisor, body: '+4930000010\n+4930000011\n', headers: { 'content-type': 'text/plain' } });
      await until(async () => (await request('GET', `/v1/jobs/${upload.json.job.id}`, { token: tokens.viewer })).json.job.status === 'done', 'the import', WAIT);
      const time = Date.now();
      await appendCallLog(redis, namespace, { time, channel: 'ch-blocked', direction: 'inbound', raw: '+4930000003', e164: '+4930000003', route: 'support', verdict: 'blocked', list: 'hooked', action: 'hangup:21', decisionMs: 1 });
      await appendCallLog(redis, namespace, { time, channel: 'ch-clear', direction: 'inbound', raw: '+4930999999', verdict: 'clear', action: 'continue:queues,support,1', decisionMs: 1 });
      const result = { request: 'r-1', campaign: 'sales', number: '+4930000003', e164: '+4930000003', attempt: 1, at: time, final: true, attrs: { crm: '1' } };
      await redis.xadd(dialKeys(namespace).results, '*', ...resultFields({ ...result, outcome: 'BLACKLISTED', list: 'hooked', member: '+4930000003' }));
      await redis.xadd(dialKeys(namespace).results, '*', ...resultFields({ ...result, request: 'r-2', outcome: 'BUSY', final: false }));
      const expected = 3 + 1 + 1 + 1 + 1;

      await until(async () => (await deliveries(api, 'relay')).deliveries.some((d) => d.status === 'failed'), 'failed attempts while the receiver is down', WAIT);
      up = await receiver(port);
      const ids = await until(
        async () => {
          const distinct = new Set(up?.received.map((r) => r.event.id));
          return distinct.size >= expected && (await deliveries(api, 'relay')).pending === 0 ? distinct : undefined;
        },
        'every event',
        WAIT,
      );
      expect(ids.size).toBe(expected);
      expect(up.received.every((r) => r.signed)).toBe(true);
      expect(up.received.every((r) => r.headers['callguard-event-id'] === r.event.id && r.headers['callguard-event'] === r.event.type)).toBe(true);
      const byType = (type: string) => up?.received.filter((r) => r.event.type === type).map((r) => r.event.data) ?? [];
      expect(new Set(byType('entry.added').map((d) => d.member))).toEqual(new Set(['+4930000002', '+4930000003', '+1900*']));
      expect(byType('entry.added')[0]).toMatchObject({ list: 'hooked', by: 'operator', reason: 'asked', source: 'api' });
      expect(byType('entry.cancelled')[0]).toMatchObject({ list: 'hooked', member: '+4930000002', reason: 'consent', by: 'operator' });
      expect(byType('import.finished')[0]).toMatchObject({ list: 'hooked', mode: 'import', file: 'week.txt', rows: 2, imported: 2, by: 'supervisor' });
      expect(byType('call.blocked')).toMatchObject([{ channel: 'ch-blocked', list: 'hooked', e164: '+4930000003' }]);
      expect(byType('campaign.blacklisted')).toMatchObject([{ request: 'r-1', campaign: 'sales', list: 'hooked', attrs: { crm: '1' } }]);

      const log = await deliveries(api, 'relay');
      expect(log.deliveries.filter((d) => d.status === 'delivered').length).toBeGreaterThanOrEqual(expected);
      const metrics = (await request('GET', '/metrics')).text;
      expect(metrics).toMatch(/callguard_webhook_deliveries_total\{webhook="relay",result="failed"\} [1-9]/);
      expect(metrics).toMatch(/callguard_webhook_deliveries_total\{webhook="relay",result="delivered"\} [1-9]/);
    } finally {
      await up?.close();
      await api.api.stop();
      await api.redis.quit();
    }
  });

  it("drops a dead receiver's events after the drop-after time, with a log line and a metric", async () => {
    const api = await startTestApi({ webhookRetryMax: '200ms', webhookDropAfter: '1s' });
    const port = await freePort();
    const failing = await receiver(port, 503);
    try {
      const { request, tokens, logs } = api;
      await request('POST', '/v1/lists', { token: tokens.supervisor, json: { name: 'lost' } });
      await request('POST', '/v1/webhooks', { token: tokens.admin, json: { name: 'dead', url: `http://127.0.0.1:${port}/`, events: ['entry.added'], secret: SECRET } });
      await request('POST', '/v1/lists/lost/entries', { token: tokens.operator, json: { numbers: ['+4930123123'] } });
      const log = await until(
        async () => {
          const seen = await deliveries(api, 'dead');
          return seen.deliveries.some((d) => d.status === 'dropped') ? seen : undefined;
        },
        'the drop',
        WAIT,
      );
      expect(log.pending).toBe(0);
      expect(log.deliveries.filter((d) => d.status === 'failed').length).toBeGreaterThan(0);
      expect(failing.received.length).toBeGreaterThan(1);
      expect((await request('GET', '/metrics')).text).toContain('callguard_webhook_events_dropped_total{webhook="dead"} 1');
      expect(logs.lines().find((line) => line.msg === 'webhook event dropped: its receiver kept failing')).toMatchObject({ webhook: 'dead', type: 'entry.added' });
    } finally {
      await failing.close();
      await api.api.stop();
      await api.redis.quit();
    }
  });

  it('is managed with callguard webhook add, list, deliveries and rm', async () => {
    const api = await startTestApi();
    try {
      const { namespace } = api;
      const added = await callguardJson<{ name: string; events: string[]; secret: string }>(namespace, 'webhook', 'add', '--url', 'https://relay.example.com/callguard', '--events', 'entry.added,call.blocked');
      expect(added.code, added.err).toBe(0);
      expect(added.json).toMatchObject({ name: 'relay-example-com', events: ['entry.added', 'call.blocked'] });
      expect(added.json.secret.length).toBeGreaterThanOrEqual(16);
      const listed = await callguard(namespace, 'webhook', 'list');
      expect(listed.out).toMatch(/relay-example-com\s+entry.added,call.blocked\s+https:\/\/relay.example.com\/callguard/);
      expect(listed.out).not.toContain(added.json.secret);
      expect((await callguard(namespace, 'webhook', 'deliveries', 'relay-example-com')).out).toContain('0 events waiting');
      expect((await callguard(namespace, 'webhook', 'add', '--url', 'ftp://x', '--events', 'entry.added')).code).toBe(2);
      expect((await callguard(namespace, 'webhook', 'add', '--url', 'https://x.example', '--events', 'entry.deleted')).code).toBe(2);
      expect((await callguard(namespace, 'webhook', 'add', '--url', 'https://x.example', '--events', 'entry.added', '--secret', 'short')).code).toBe(2);
      expect((await callguard(namespace, 'webhook', 'rm', 'relay-example-com')).out).toContain('webhook relay-example-com removed');
      expect((await callguard(namespace, 'webhook', 'rm', 'relay-example-com')).code).toBe(1);
    } finally {
      await api.api.stop();
      await api.redis.quit();
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { CallLogEntry } from '../../src/screening/call-log.js';
import { appendCallLog } from '../helpers/call-log.js';
import { testApi } from './helpers.js';

const call = (raw: string, verdict: CallLogEntry['verdict'] = 'blocked'): CallLogEntry => ({
  time: Date.now(),
  channel: `ch-${raw}`,
  direction: 'inbound',
  raw,
  e164: raw,
  route: 'support',
  verdict,
  list: 'dnc',
  action: 'hangup:21',
  decisionMs: 0.4,
});

/** A reader of a server-sent event stream: the events as they arrive. */
async function openFeed(url: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events: { id: string; data: any }[] = [];
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const id = /^id: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (id !== undefined && data !== undefined) events.push({ id, data: JSON.parse(data) });
      }
    }
  })();
  return { response, events, close: async () => { controller.abort(); await pump; } };
}

describe('the live call feed (server-sent events)', () => {
  const api = testApi();

  it('pushes each new screened call to every watcher, and replays the calls missed since Last-Event-ID', async () => {
    const { api: running, tokens, redis, namespace } = api();
    const url = `${running.url}/v1/report/live`;
    const first = await openFeed(url, tokens.viewer);
    const second = await openFeed(`${url}?verdict=blocked`, tokens.viewer);
    expect(first.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await appendCallLog(redis, namespace, call('+4930000001'));
    await appendCallLog(redis, namespace, call('+4930000002', 'clear'));
    await expect.poll(() => first.events.length).toBe(2);
    await expect.poll(() => second.events.map((event) => event.data.raw)).toEqual(['+4930000001']);
    expect(first.events[0]?.data).toMatchObject({ raw: '+4930000001', verdict: 'blocked', route: 'support', list: 'dnc', channel: 'ch-+4930000001' });

    const seen = first.events[0]?.id as string;
    await first.close();
    await appendCallLog(redis, namespace, call('+4930000003'));
    const back = await openFeed(url, tokens.viewer, { 'last-event-id': seen });
    await expect.poll(() => back.events.map((event) => event.data.raw)).toEqual(['+4930000002', '+4930000003']);
    await appendCallLog(redis, namespace, call('+4930000004'));
    await expect.poll(() => back.events.map((event) => event.data.raw)).toEqual(['+4930000002', '+4930000003', '+4930000004']);
    await back.close();
    await second.close();
  });

  it('needs a token not limited to lists, as the call log spans every list', async () => {
    const { api: running, token } = api();
    const scoped = await token('scoped-feed', 'admin', ['dnc']);
    expect((await fetch(`${running.url}/v1/report/live`, { headers: { authorization: `Bearer ${scoped}` } })).status).toBe(403);
  });
});

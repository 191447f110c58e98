import { describe, expect, it } from 'vitest';
import { globalKeys } from '../../src/lists/keys.js';
import { appendCallLogOnce, callLogFields, HOUR_MS, type CallLogEntry } from '../../src/screening/call-log.js';
import { testApi } from './helpers.js';

describe('calls per verdict per hour', () => {
  const api = testApi();
  // The counters and their start are per namespace: a test that starts them gets an API of its own.
  const fresh = testApi();
  const startFresh = async () => fresh();

  it('counts the calls of a log written before the hourly counters from the log itself, every hour present, oldest first, feature uses not', async () => {
    const { request, tokens, redis, namespace } = api();
    const now = Date.now();
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const log = async (at: number, verdict: CallLogEntry['verdict'], route = 'support', direction: CallLogEntry['direction'] = 'inbound') =>
      redis.xadd(globalKeys(namespace).callLog, `${at}-*`, ...callLogFields({ time: at, channel: `c${at}`, direction, raw: '+4930123', route, verdict, action: 'hangup:21', decisionMs: 1 }));
    await log(hour - 30 * HOUR_MS, 'blocked');
    await log(hour - 3 * HOUR_MS + 10, 'blocked');
    await log(hour - 3 * HOUR_MS + 20, 'blocked');
    await log(hour - 3 * HOUR_MS + 30, 'clear');
    await log(hour - 3 * HOUR_MS + 40, 'blocked', 'night');
    await log(hour + 5, 'hidden');
    // An agent's *9 is listed with the calls but is no call of its own.
    await log(hour + 6, 'blocked', 'support', 'feature');

    const answer = await request('GET', '/v1/report/hours?since=24h&route=support', { token: tokens.viewer });
    expect(answer.status, answer.text).toBe(200);
    const hours = answer.json.hours as { start: string; counts: Record<string, number> }[];
    expect(hours.length).toBe(25);
    expect(Date.parse(hours.at(-1)?.start as string)).toBe(hour);
    const at = (start: number) => hours.find((h) => Date.parse(h.start) === start)?.counts;
    expect(at(hour - 3 * HOUR_MS)).toMatchObject({ blocked: 2, clear: 1, hidden: 0 });
    expect(at(hour)).toMatchObject({ hidden: 1, blocked: 0 });
    expect(hours.reduce((sum, h) => sum + h.counts.blocked!, 0)).toBe(2);

    const week = await request('GET', '/v1/report/hours?since=7d', { token: tokens.viewer });
    expect(week.json.hours.length).toBe(7 * 24 + 1);
    expect(week.json.hours.reduce((sum: number, h: { counts: Record<string, number> }) => sum + h.counts.blocked!, 0)).toBe(4);
  });

  it('reads the hours since counting began from the counters the append keeps, each call once, by route too, feature uses not', async () => {
    const { request, tokens, redis, namespace } = await startFresh();
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const entry = (at: number, verdict: CallLogEntry['verdict'], route: string, direction: CallLogEntry['direction'] = 'inbound'): CallLogEntry => ({ time: at, channel: `c${at}`, direction, raw: '+4930123', route, verdict, action: 'hangup:21', decisionMs: 1 });
    // The first append starts the counters, in the hour before the ones read below.
    await appendCallLogOnce(redis, namespace, [{ id: 'start', entry: entry(hour - 3 * HOUR_MS, 'clear', 'support') }], hour - 3 * HOUR_MS);
    const batch = [
      { id: 'a', entry: entry(hour - 2 * HOUR_MS + 5, 'blocked', 'support') },
      { id: 'b', entry: entry(hour - 2 * HOUR_MS + 6, 'blocked', 'night') },
      { id: 'c', entry: entry(hour + 7, 'hidden', 'support') },
      { id: 'd', entry: entry(hour + 8, 'blocked', 'support', 'feature') },
    ];
    await appendCallLogOnce(redis, namespace, batch, Date.now());
    // Sent again (its answer lost): appended and counted once.
    await appendCallLogOnce(redis, namespace, batch, Date.now());
    // Counted hours no longer need the log: trimmed away, they still count.
    await redis.xtrim(globalKeys(namespace).callLog, 'MAXLEN', 0);
    const all = (await request('GET', '/v1/report/hours?since=2h', { token: tokens.viewer })).json.hours as { start: string; counts: Record<string, number> }[];
    expect(all.map((h) => [Date.parse(h.start), h.counts.blocked, h.counts.hidden])).toEqual([
      [hour - 2 * HOUR_MS, 2, 0],
      [hour - HOUR_MS, 0, 0],
      [hour, 0, 1],
    ]);
    const support = (await request('GET', '/v1/report/hours?since=2h&route=support', { token: tokens.viewer })).json.hours as { counts: Record<string, number> }[];
    expect(support.map((h) => h.counts.blocked)).toEqual([1, 0, 0]);
  });

  it('refuses a window past a month with 422', async () => {
    const { request, tokens } = api();
    expect((await request('GET', '/v1/report/hours?since=90d', { token: tokens.viewer })).status).toBe(422);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { globalKeys } from '../../src/lists/keys.js';
import { appendCallLogOnce, CALL_LOG_DEDUPE_WINDOW_MS, readCallLog, type CallLogEntry } from '../../src/screening/call-log.js';
import type { Verdict } from '../../src/screening/types.js';
import { appendCallLog } from '../helpers/call-log.js';
import { testNamespace, testRedis } from '../helpers/redis.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

function call(n: number, verdict: Verdict, route = 'support'): CallLogEntry {
  return {
    time: 1_700_000_000_000 + n,
    channel: `1700000000.${n}`,
    direction: 'inbound',
    raw: `030 ${100000 + n}`,
    e164: `+4930${100000 + n}`,
    presentation: 'allowed_not_screened',
    route,
    verdict,
    ...(verdict === 'blocked' ? { list: 'dnc', reason: 'asked not to be called' } : {}),
    action: verdict === 'blocked' ? 'hangup:21' : 'continue:queues,support,1',
    outcome: verdict === 'blocked' ? 'caller-gone' : 'done',
    decisionMs: 0.8123456,
  };
}

describe('call log', () => {
  it('reads back every field of an appended call, newest first', async () => {
    const namespace = testNamespace();
    await appendCallLog(redis, namespace, call(1, 'clear'));
    await appendCallLog(redis, namespace, call(2, 'blocked'));
    const [, [id]] = (await redis.xrange(globalKeys(namespace).callLog, '-', '+')) as [unknown, [string]];
    const report = await readCallLog(redis, namespace);
    expect(report.entries.map((entry) => entry.channel)).toEqual(['1700000000.2', '1700000000.1']);
    expect(report.entries[0]).toEqual({ ...call(2, 'blocked'), id, decisionMs: 0.812 });
  });

  it('leaves absent fields out, and reads an outbound call back without them', async () => {
    const namespace = testNamespace();
    const entry: CallLogEntry = {
      time: 1, channel: 'c1', direction: 'outbound', raw: 'anonymous', campaign: 'renewals',
      verdict: 'hidden', action: 'hangup:21', decisionMs: 0.2,
    };
    await appendCallLog(redis, namespace, entry);
    const [raw] = await redis.xrange(globalKeys(namespace).callLog, '-', '+');
    expect(raw?.[1]).not.toContain('e164');
    const { entries } = await readCallLog(redis, namespace);
    expect(entries).toEqual([{ ...entry, id: raw?.[0] }]);
  });

  it('filters by verdict and route, and counts every verdict of the window whatever the verdict filter', async () => {
    const namespace = testNamespace();
    const verdicts: Verdict[] = ['blocked', 'clear', 'blocked', 'allowed', 'hidden', 'unavailable'];
    for (const [n, verdict] of verdicts.entries()) await appendCallLog(redis, namespace, call(n, verdict));
    await appendCallLog(redis, namespace, call(99, 'blocked', 'sales'));

    const report = await readCallLog(redis, namespace, { verdict: 'blocked', route: 'support' });
    expect(report.entries.map((entry) => entry.channel)).toEqual(['1700000000.2', '1700000000.0']);
    expect(report.counts).toEqual({
      blocked: 2, allowed: 1, clear: 1, hidden: 1, malformed: 0, unavailable: 1,
      unverified: 0, 'would-block': 0, 'outside-hours': 0, capped: 0, 'no-consent': 0,
    });
    expect(report.total).toBe(6);
  });

  it('limit caps the entries but not the counts', async () => {
    const namespace = testNamespace();
    for (let n = 0; n < 5; n += 1) await appendCallLog(redis, namespace, call(n, 'blocked'));
    const report = await readCallLog(redis, namespace, { limit: 2 });
    expect(report.entries.map((entry) => entry.channel)).toEqual(['1700000000.4', '1700000000.3']);
    expect(report.counts.blocked).toBe(5);
  });

  it('since leaves out calls logged before it', async () => {
    const namespace = testNamespace();
    const key = globalKeys(namespace).callLog;
    await redis.xadd(key, '1000-0', 'time', '1000', 'channel', 'old', 'direction', 'inbound', 'raw', 'x', 'verdict', 'clear', 'action', 'hangup:21', 'decisionMs', '1');
    await appendCallLog(redis, namespace, call(1, 'blocked'));
    const report = await readCallLog(redis, namespace, { since: Date.now() - 60_000 });
    expect(report.entries.map((entry) => entry.channel)).toEqual(['1700000000.1']);
    expect(report.total).toBe(1);
  });

  it('walks back across more entries than one batch', async () => {
    const namespace = testNamespace();
    const pipeline = redis.pipeline();
    for (let n = 0; n < 2_500; n += 1) {
      pipeline.xadd(globalKeys(namespace).callLog, '*', 'time', String(n), 'channel', `c${n}`, 'direction', 'inbound', 'raw', 'x', 'verdict', n % 2 ? 'blocked' : 'clear', 'action', 'hangup:21', 'decisionMs', '1');
    }
    await pipeline.exec();
    const report = await readCallLog(redis, namespace, { limit: 3 });
    expect(report.total).toBe(2_500);
    expect(report.counts).toMatchObject({ blocked: 1_250, clear: 1_250 });
    expect(report.entries.map((entry) => entry.channel)).toEqual(['c2499', 'c2498', 'c2497']);
  });

  it('an entry that is not a call (no verdict) is skipped, not a crash', async () => {
    const namespace = testNamespace();
    await redis.xadd(globalKeys(namespace).callLog, '*', 'junk', '1');
    await appendCallLog(redis, namespace, call(1, 'clear'));
    expect((await readCallLog(redis, namespace)).total).toBe(1);
  });

  it('entries are appended in the order given, and one sent again with its id is appended once', async () => {
    const namespace = testNamespace();
    const first = [{ id: 'a', entry: call(1, 'clear') }, { id: 'b', entry: call(2, 'blocked') }];
    expect(await appendCallLogOnce(redis, namespace, first, Date.now())).toEqual({ appended: 2, skipped: 0 });
    const again = [...first, { id: 'c', entry: call(3, 'clear') }];
    expect(await appendCallLogOnce(redis, namespace, again, Date.now())).toEqual({ appended: 1, skipped: 2 });
    const { entries } = await readCallLog(redis, namespace);
    expect(entries.map((entry) => entry.channel).reverse()).toEqual(['1700000000.1', '1700000000.2', '1700000000.3']);
  });

  it('an id is remembered for the dedupe window, then forgotten, so the ids kept stay bounded', async () => {
    const namespace = testNamespace();
    const then = Date.now();
    await appendCallLogOnce(redis, namespace, [{ id: 'a', entry: call(1, 'clear') }], then);
    const later = then + CALL_LOG_DEDUPE_WINDOW_MS + 1;
    expect(await appendCallLogOnce(redis, namespace, [{ id: 'b', entry: call(2, 'clear') }], later)).toEqual({ appended: 1, skipped: 0 });
    expect(await redis.zrange(globalKeys(namespace).callLogWritten, '0', '-1')).toEqual(['b']);
  });

  it('the stream is trimmed to about the cap', async () => {
    const namespace = testNamespace();
    for (let n = 0; n < 300; n += 1) await appendCallLog(redis, namespace, call(n, 'clear'), 100);
    const length = await redis.xlen(globalKeys(namespace).callLog);
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
  });
});

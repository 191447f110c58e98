import { afterAll, describe, expect, it } from 'vitest';
import { globalKeys } from '../../src/lists/keys.js';
import type { CallLogEntry } from '../../src/screening/call-log.js';
import type { Verdict } from '../../src/screening/types.js';
import { appendCallLog } from '../helpers/call-log.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson } from './run-cli.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

function call(n: number, verdict: Verdict, route = 'support'): CallLogEntry {
  return {
    time: Date.now(),
    channel: `chan-${n}`,
    direction: 'inbound',
    raw: `030 ${100000 + n}`,
    e164: `+4930${100000 + n}`,
    route,
    verdict,
    ...(verdict === 'blocked' ? { list: 'dnc', reason: 'harassment' } : {}),
    action: verdict === 'blocked' ? 'hangup:21' : 'continue:queues,support,1',
    decisionMs: 0.5,
  };
}

interface ReportJson {
  since: string | null;
  total: number;
  counts: Record<Verdict, number>;
  calls: { channel: string; verdict: string; e164: string | null; list: string | null; action: string; outcome: string | null }[];
}

async function logged(...verdicts: [Verdict, string?][]): Promise<string> {
  const namespace = testNamespace();
  for (const [n, [verdict, route]] of verdicts.entries()) await appendCallLog(redis, namespace, call(n, verdict, route));
  return namespace;
}

describe('callguard report', () => {
  it('lists calls newest first with counts per verdict at the end', async () => {
    const namespace = await logged(['clear'], ['blocked'], ['allowed']);
    const run = await callguard(namespace, 'report');
    expect(run.code).toBe(0);
    const lines = run.out.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+DIRECTION\s+VERDICT/);
    expect(lines.slice(1, 4).map((line) => line.match(/chan-\d/)?.[0])).toEqual(['chan-2', 'chan-1', 'chan-0']);
    expect(lines[2]).toMatch(/blocked\s+\+4930100001\s+030 100001\s+support\s+dnc\s+hangup:21/);
    expect(lines.at(-1)).toBe('3 calls: blocked 1 · allowed 1 · clear 1 · hidden 0 · malformed 0 · unavailable 0');
  });

  it('shows the reason of each call in the last column, and counts one call in the singular', async () => {
    const namespace = await logged(['blocked']);
    const run = await callguard(namespace, 'report');
    const [header, row, , total] = run.out.trim().split('\n');
    expect(header).toMatch(/\sCHANNEL\s+REASON$/);
    expect(row).toMatch(/\schan-0\s+harassment$/);
    expect(total).toBe('1 call: blocked 1 · allowed 0 · clear 0 · hidden 0 · malformed 0 · unavailable 0');
  });

  it('--verdict blocked --route r lists only those, and still counts every verdict of the route', async () => {
    const namespace = await logged(['blocked'], ['clear'], ['blocked', 'sales'], ['blocked']);
    const run = await callguardJson<ReportJson>(namespace, 'report', '--verdict', 'blocked', '--route', 'support');
    expect(run.json.calls.map((c) => c.channel)).toEqual(['chan-3', 'chan-0']);
    expect(run.json.counts).toMatchObject({ blocked: 2, clear: 1 });
    expect(run.json.total).toBe(3);
  });

  it('--since 1h leaves out older calls', async () => {
    const namespace = testNamespace();
    const twoHoursAgo = Date.now() - 2 * 3_600_000;
    await redis.xadd(globalKeys(namespace).callLog, `${twoHoursAgo}-0`, 'time', String(twoHoursAgo), 'channel', 'old',
      'direction', 'inbound', 'raw', 'x', 'verdict', 'blocked', 'action', 'hangup:21', 'decisionMs', '1');
    await appendCallLog(redis, namespace, call(1, 'clear'));
    const run = await callguardJson<ReportJson>(namespace, 'report', '--since', '1h');
    expect(run.json.calls.map((c) => c.channel)).toEqual(['chan-1']);
    expect(Date.parse(run.json.since ?? '')).toBeGreaterThan(twoHoursAgo);
    const all = await callguardJson<ReportJson>(namespace, 'report');
    expect(all.json.total).toBe(2);
  });

  it('--limit caps the calls shown but not the counts', async () => {
    const namespace = await logged(['blocked'], ['blocked'], ['blocked']);
    const run = await callguardJson<ReportJson>(namespace, 'report', '--limit', '1');
    expect(run.json.calls).toHaveLength(1);
    expect(run.json.counts.blocked).toBe(3);
  });

  it('an action the caller hung up before is marked caller gone, and an entry without an outcome reads as null', async () => {
    const namespace = testNamespace();
    await appendCallLog(redis, namespace, call(0, 'clear'));
    await appendCallLog(redis, namespace, { ...call(1, 'blocked'), outcome: 'caller-gone' });
    await appendCallLog(redis, namespace, { ...call(2, 'blocked'), outcome: 'done' });
    const run = await callguard(namespace, 'report');
    const lines = run.out.trim().split('\n');
    expect(lines.find((line) => line.includes('chan-1'))).toMatch(/hangup:21 \(caller gone\)/);
    expect(lines.find((line) => line.includes('chan-2'))).not.toContain('caller gone');
    const json = await callguardJson<ReportJson>(namespace, 'report');
    expect(json.json.calls.map((c) => [c.channel, c.outcome])).toEqual([
      ['chan-2', 'done'],
      ['chan-1', 'caller-gone'],
      ['chan-0', null],
    ]);
  });

  it("an agent's feature use is listed with its code and endpoint but not counted as a call; an AGI call is marked", async () => {
    const namespace = testNamespace();
    await appendCallLog(redis, namespace, { ...call(0, 'clear'), via: 'agi' });
    await appendCallLog(redis, namespace, {
      ...call(1, 'blocked'),
      direction: 'feature',
      route: undefined,
      action: 'list:dnc',
      feature: '*9',
      endpoint: 'PJSIP/agent-1',
      reason: 'agent: asked not to be called',
    });
    const run = await callguard(namespace, 'report');
    expect(run.out).toMatch(/feature\s+blocked\s+\+4930100001 .*\*9 by PJSIP\/agent-1\s+dnc\s+list:dnc/);
    expect(run.out).toMatch(/support \(agi\)/);
    expect(run.out).toMatch(/1 call: blocked 0 · allowed 0 · clear 1/);
    const json = await callguardJson<ReportJson & { calls: { feature: string | null; endpoint: string | null }[] }>(namespace, 'report');
    expect(json.json.total).toBe(1);
    expect(json.json.calls[0]).toMatchObject({ feature: '*9', endpoint: 'PJSIP/agent-1', action: 'list:dnc' });
  });

  it('an empty log says so', async () => {
    const run = await callguard(testNamespace(), 'report', '--verdict', 'blocked', '--since', '2026-01-01');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^no blocked calls since 2026-01-01T00:00:00Z\n\n0 calls since/);
  });

  it('control characters in a raw caller never reach the terminal', async () => {
    const namespace = testNamespace();
    await appendCallLog(redis, namespace, { ...call(1, 'malformed'), raw: 'x\u001b[31mred', e164: undefined });
    const run = await callguard(namespace, 'report');
    expect(run.out).not.toContain('\u001b');
    expect(run.out).toContain('x?[31mred');
  });

  it.each([
    [['--since', 'yesterday'], /neither a duration.*nor an ISO 8601 time/],
    [['--verdict', 'bad'], /"bad" is not one of blocked, allowed/],
    [['--limit', '0'], /not a whole number from 1/],
  ])('refuses %j with exit 2', async (args, message) => {
    const run = await callguard(testNamespace(), 'report', ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });
});

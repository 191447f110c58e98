import { afterAll, describe, expect, it } from 'vitest';
import { Dialer } from '../../src/dialer/dialer.js';
import { DialQueue } from '../../src/dialer/queue.js';
import { ListStore } from '../../src/lists/store.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson, namespaceWithLists } from './run-cli.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

const SALES = ['campaign', 'set', 'sales', '--block', 'dnc,national-dnc', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--caller-id', '+4930123456',
  '--context', 'agents', '--max-attempts', '3', '--retry', 'busy=5m,noanswer=30m,failed=10m', '--max-concurrent', '10', '--region', 'DE'];

describe('callguard campaign', () => {
  it('set creates a campaign that show reads back', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc');
    const set = await callguardJson(ns, ...SALES);
    expect(set.code).toBe(0);
    expect(set.json.created).toBe(true);
    const show = await callguardJson<{ campaign: Record<string, unknown>; waiting: number }>(ns, 'campaign', 'show', 'sales');
    expect(show.json.campaign).toMatchObject({
      name: 'sales',
      block: ['dnc', 'national-dnc'],
      region: 'DE',
      endpoint: 'PJSIP/${NUMBER}@trunk',
      callerId: '+4930123456',
      dialTimeout: '30s',
      context: 'agents,s,1',
      maxAttempts: 3,
      retry: { busy: '5m', noanswer: '30m', failed: '10m' },
      maxConcurrent: 10,
      fail: 'closed',
      actions: { blocked: 'hangup:21', hidden: 'hangup:28', malformed: 'hangup:28', unavailable: 'hangup:34' },
    });
    expect(show.json.waiting).toBe(0);
  });

  it('a later set changes only what it names', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc');
    await callguard(ns, ...SALES);
    const changed = await callguardJson<{ created: boolean; campaign: Record<string, unknown> }>(
      ns, 'campaign', 'set', 'sales', '--retry', 'failed=none', '--on-blocked', 'announce:custom/dnc:rejected', '--no-caller-id',
    );
    expect(changed.json.created).toBe(false);
    expect(changed.json.campaign).toMatchObject({
      block: ['dnc', 'national-dnc'],
      callerId: null,
      retry: { busy: '5m', noanswer: '30m', failed: 'none' },
      actions: { blocked: 'announce:custom/dnc:21' },
      maxConcurrent: 10,
    });
  });

  it.each([
    [['campaign', 'set', 'new', '--endpoint', 'PJSIP/${NUMBER}@t'], /--endpoint and --context/],
    [['campaign', 'set', 'x', '--endpoint', 'PJSIP/trunk', '--context', 'agents'], /endpoint/],
    [['campaign', 'set', 'x', '--endpoint', 'PJSIP/${NUMBER}@t', '--context', 'agents', '--retry', 'ringing=5m'], /--retry/],
    [['campaign', 'set', 'x', '--endpoint', 'PJSIP/${NUMBER}@t', '--context', 'agents', '--max-concurrent', '0'], /whole number/],
    [['campaign', 'set', 'x', '--endpoint', 'PJSIP/${NUMBER}@t', '--context', 'agents', '--on-blocked', 'continue:a,b'], /hangup or announce/],
    [['campaign', 'set', 'Bad', '--endpoint', 'PJSIP/${NUMBER}@t', '--context', 'agents'], /not a campaign name/],
  ])('set %j is refused with exit 2 and nothing saved', async (args, message) => {
    const ns = await namespaceWithLists(redis);
    const run = await callguard(ns, ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect((await callguardJson<{ campaigns: unknown[] }>(ns, 'campaign', 'list')).json.campaigns).toEqual([]);
  });

  it('a caller id list is saved with its order, shown, and removed with --no-caller-id-list', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc', 'dids');
    await callguard(ns, ...SALES);
    const set = await callguardJson<{ campaign: Record<string, unknown> }>(ns, 'campaign', 'set', 'sales', '--caller-id-list', 'dids', '--caller-id-order', 'random');
    expect(set.json.campaign).toMatchObject({ callerId: '+4930123456', callerIdList: { list: 'dids', order: 'random' } });
    expect((await callguard(ns, 'campaign', 'show', 'sales')).out).toMatch(/caller id list:\s+dids \(random;/);
    const missing = await callguard(ns, 'campaign', 'set', 'sales', '--caller-id-list', 'didz');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no list named didz/);
    const orderAlone = await callguard(ns, 'campaign', 'set', 'other', '--endpoint', 'PJSIP/x', '--context', 'agents', '--caller-id-order', 'random');
    expect(orderAlone.err).toMatch(/a caller id order needs a caller id list \(--caller-id-list\)/);
    const removed = await callguardJson<{ campaign: Record<string, unknown> }>(ns, 'campaign', 'set', 'sales', '--no-caller-id-list');
    expect(removed.json.campaign.callerIdList).toBeNull();
  });

  it('a block list that does not exist is refused unless allowed, because nothing would be dialled', async () => {
    const ns = await namespaceWithLists(redis);
    const refused = await callguard(ns, 'campaign', 'set', 'x', '--endpoint', 'PJSIP/${NUMBER}@t', '--context', 'agents', '--block', 'dnc');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/no list named dnc/);
    const allowed = await callguard(ns, 'campaign', 'set', 'x', '--endpoint', 'PJSIP/${NUMBER}@t', '--context', 'agents', '--block', 'dnc', '--allow-missing-lists');
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/nothing is dialled until it does/);
  });

  it('list names every campaign and rm removes one', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc');
    await callguard(ns, ...SALES);
    await callguard(ns, 'campaign', 'set', 'promo', '--endpoint', 'PJSIP/${DIGITS}@t2', '--context', 'queues,sales,1');
    const listed = await callguard(ns, 'campaign', 'list');
    expect(listed.out).toMatch(/promo\s+-\s+-\s+PJSIP\/\$\{DIGITS\}@t2/);
    expect(listed.out).toMatch(/sales\s+dnc,national-dnc\s+DE/);
    expect((await callguard(ns, 'campaign', 'rm', 'promo')).code).toBe(0);
    expect((await callguard(ns, 'campaign', 'show', 'promo')).code).toBe(1);
    expect((await callguard(ns, 'campaign', 'rm', 'promo')).err).toMatch(/no campaign named promo/);
  });

  it('--help shows examples', async () => {
    const run = await callguard(testNamespace(), 'campaign', 'set', '--help');
    expect(run.out).toMatch(/\$ callguard campaign set sales --block dnc,national-dnc/);
  });
});

describe('callguard call', () => {
  it('queues a request with its time and attributes on the requests stream', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc');
    await callguard(ns, ...SALES);
    const run = await callguardJson(ns, 'call', '030 1234567', '--campaign', 'sales', '--at', '2099-12-01T09:00:00Z', '--attr', 'crm=4711', '--attr', 'agent=anna', '--id', 'crm-4711');
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ request: 'crm-4711', campaign: 'sales', number: '030 1234567', e164: '+49301234567', at: '2099-12-01T09:00:00Z' });
    const { dialKeys } = await import('../../src/lists/keys.js');
    const entries = await redis.xrange(dialKeys(ns).requests, '-', '+');
    expect(entries.map(([, fields]) => fields)).toEqual([
      ['campaign', 'sales', 'number', '030 1234567', 'at', String(Date.parse('2099-12-01T09:00:00Z')), 'attrs', '{"crm":"4711","agent":"anna"}', 'id', 'crm-4711'],
    ]);
  });

  it('queues a person with alternates, each read with the campaign region, rotated by the dialer', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc');
    await callguard(ns, ...SALES);
    const run = await callguardJson(ns, 'call', '+4930123456', '--alt', '0151 12345678', '--alt', '040 987654', '--campaign', 'sales');
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ e164: '+4930123456', alternates: ['+4915112345678', '+4940987654'] });
    const { dialKeys } = await import('../../src/lists/keys.js');
    const [[, fields] = ['', []]] = await redis.xrange(dialKeys(ns).requests, '-', '+');
    expect(fields).toEqual(['campaign', 'sales', 'number', '+4930123456', 'alternates', '["0151 12345678","040 987654"]']);
  });

  it.each([
    [['call', '+4930123456', '--campaign', 'sales', '--alt', '12'], 2, /"12" cannot be dialled/],
    [['call', '+4930123456', '--campaign', 'nowhere'], 1, /no campaign named nowhere/],
    [['call', '12', '--campaign', 'sales'], 2, /cannot be dialled/],
    [['call', 'anonymous', '--campaign', 'sales'], 2, /names no number/],
    [['call', '+4930123456', '--campaign', 'sales', '--attr', 'novalue'], 2, /key=value/],
    [['call', '+4930123456', '--campaign', 'sales', '--at', 'tomorrow'], 2, /ISO 8601/],
    [['call', '+4930123456', '--campaign', 'sales', '--at', '2020-01-01T00:00:00Z'], 2, /--at 2020-01-01T00:00:00Z is in the past/],
    [['call', '+4930123456', '--campaign', 'sales', '--at', '0s'], 2, /must be more than 0/],
    [['call', '030 1234567', '--campaign', 'regionless'], 2, /national number without a region \(give the campaign a region \(callguard campaign set regionless --region DE\) or use --region\)/],
  ])('%j is refused and nothing queued', async (args, code, message) => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc');
    await callguard(ns, ...SALES);
    await callguard(ns, 'campaign', 'set', 'regionless', '--block', 'dnc', '--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents');
    const run = await callguard(ns, ...args);
    expect(run.code).toBe(code);
    expect(run.err).toMatch(message);
    const { dialKeys } = await import('../../src/lists/keys.js');
    expect(await redis.xlen(dialKeys(ns).requests)).toBe(0);
  });
});

describe('callguard campaign report', () => {
  it('lists the attempts newest first with totals per outcome', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'national-dnc');
    await callguard(ns, ...SALES);
    await new ListStore(redis, ns).add('dnc', [{ member: '+49301111111' }], { by: 'test', reason: 'asked twice' });
    for (const number of ['+49301111111', '+49302222222', '+49303333333']) await callguard(ns, 'call', number, '--campaign', 'sales');
    const outcomes = new Map([['+49302222222', 'ANSWERED' as const], ['+49303333333', 'BUSY' as const]]);
    const dialer = new Dialer({ redis, namespace: ns, dial: async (attempt) => outcomes.get(attempt.e164) ?? 'FAILED' });
    await dialer.poll();
    await dialer.settled();

    const report = await callguardJson<{ attempts: { e164: string; outcome: string; list: string | null; reason: string | null; final: boolean }[]; totals: Record<string, number>; finished: Record<string, number>; waiting: number }>(
      ns, 'campaign', 'report', 'sales',
    );
    expect(report.json.attempts.map((a) => [a.e164, a.outcome, a.list, a.final])).toEqual([
      ['+49303333333', 'BUSY', null, false],
      ['+49302222222', 'ANSWERED', null, true],
      ['+49301111111', 'BLACKLISTED', 'dnc', true],
    ]);
    expect(report.json.totals).toEqual({ BLACKLISTED: 1, ANSWERED: 1, BUSY: 1 });
    expect(report.json.finished).toEqual({ BLACKLISTED: 1, ANSWERED: 1 });
    expect(report.json.waiting).toBe(1);
    const human = await callguard(ns, 'campaign', 'report', 'sales', '--outcome', 'BLACKLISTED');
    expect(human.out).toMatch(/\+49301111111\s+1\s+BLACKLISTED\s+dnc\s+asked twice\s+final/);
    expect(human.out).toMatch(/totals: BLACKLISTED 1/);
    expect(await new DialQueue(redis, ns).counts('sales')).toEqual({ waiting: 1, inFlight: 0 });
  });
});

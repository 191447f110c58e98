import { afterAll, describe, expect, it } from 'vitest';
import { appendCallLogOnce } from '../../src/screening/call-log.js';
import { testNamespace, testRedis } from '../helpers/redis.js';
import { callguard, callguardJson, namespaceWithLists } from './run-cli.js';

const redis = testRedis();
afterAll(async () => {
  await redis.quit();
});

const CAMPAIGN = ['--endpoint', 'PJSIP/${NUMBER}@trunk', '--context', 'agents'];

describe('callguard hours', () => {
  it('the shipped policies are listed and shown, and a state rule can be added to us', async () => {
    const ns = testNamespace();
    const list = await callguardJson<{ policies: { name: string; source: string }[] }>(ns, 'hours', 'list');
    expect(list.json.policies.map((p) => [p.name, p.source])).toEqual([['au', 'builtin'], ['us', 'builtin']]);
    const show = await callguard(ns, 'hours', 'show', 'us');
    expect(show.out).toMatch(/days:\s+daily=08:00-21:00/);
    expect(show.out).toMatch(/FL:daily=08:00-20:00/);
    expect(show.out).toMatch(/TX:mon-sat=09:00-21:00,sun=12:00-21:00/);

    const set = await callguardJson<{ policy: { source: string; states: Record<string, string> } }>(ns, 'hours', 'set', 'us', '--state', 'NJ:daily=08:00-20:00');
    expect(set.code).toBe(0);
    expect(set.json.policy.source).toBe('changed-builtin');
    expect(set.json.policy.states.NJ).toBe('daily=08:00-20:00');
    expect(set.json.policy.states.FL).toBe('daily=08:00-20:00');
    expect((await callguard(ns, 'hours', 'rm', 'us')).out).toMatch(/the shipped one applies again/);
    expect((await callguardJson<{ policy: { states: Record<string, string> } }>(ns, 'hours', 'show', 'us')).json.policy.states.NJ).toBeUndefined();
  });

  it('a custom policy with a fixed zone and holidays; check says when the window opens, exit 10 when closed', async () => {
    const ns = testNamespace();
    const set = await callguard(ns, 'hours', 'set', 'de-b2c', '--days', 'mon-fri=09:00-20:00', '--tz', 'Europe/Berlin', '--holidays', '12-25,12-26,easter-2');
    expect(set.code).toBe(0);
    const closed = await callguardJson<{ open: boolean; nextOpen: string }>(ns, 'hours', 'check', 'de-b2c', '+4930123456', '--at', '2026-12-25T10:00:00Z');
    expect(closed.code).toBe(10);
    expect(closed.json).toMatchObject({ open: false, nextOpen: '2026-12-28T08:00:00Z' });
    const open = await callguard(ns, 'hours', 'check', 'us', '+12125550100', '--at', '2026-11-24T01:59:00Z');
    expect(open.code).toBe(0);
    expect(open.out).toMatch(/window:\s+open/);
  });

  it.each([
    [['hours', 'set', 'new-one'], /is new: give it --days/],
    [['hours', 'set', 'x', '--days', 'mon-fri=21:00-09:00'], /ends before it starts/],
    [['hours', 'set', 'x', '--days', 'daily=09:00-17:00', '--tz', 'Mars/Base'], /not an IANA time zone/],
    [['hours', 'check', 'us', '+88213456789'], /give --tz/],
    [['hours', 'rm', 'au'], /shipped with callguard and has no stored changes/],
  ])('%j is refused with one line', async (args, message) => {
    const run = await callguard(testNamespace(), ...args);
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(message);
    expect(run.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('campaign compliance options', () => {
  it('--hours, --max-per-number, --require-consent and --observe are saved and shown', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'consent-de');
    expect((await callguard(ns, 'list', 'set', 'consent-de', '--consent')).code).toBe(0);
    const set = await callguardJson<{ campaign: Record<string, unknown> }>(
      ns, 'campaign', 'set', 'sales', ...CAMPAIGN, '--block', 'dnc', '--hours', 'us', '--max-per-number', '3/24h', '--require-consent', 'consent-de', '--observe', 'dnc',
    );
    expect(set.code).toBe(0);
    expect(set.json.campaign).toMatchObject({ hours: 'us', maxPerNumber: '3/1d', requireConsent: 'consent-de', observe: ['dnc'], actions: { 'outside-hours': 'hangup:21' } });
    const show = await callguard(ns, 'campaign', 'show', 'sales');
    expect(show.out).toMatch(/calling hours:\s+us/);
    expect(show.out).toMatch(/max per number:\s+3\/1d/);
    const cleared = await callguardJson<{ campaign: Record<string, unknown> }>(ns, 'campaign', 'set', 'sales', '--no-hours', '--no-max-per-number', '--no-require-consent', '--no-observe');
    expect(cleared.json.campaign).toMatchObject({ hours: null, maxPerNumber: null, requireConsent: null, observe: null });
  });

  it.each([
    [['--hours', 'nine-to-five'], /no calling-hours policy named nine-to-five/],
    [['--require-consent', 'dnc'], /list dnc does not record consent/],
    [['--max-per-number', '3'], /is not <calls>\/<window>/],
  ])('%j is refused, nothing saved', async (args, message) => {
    const ns = await namespaceWithLists(redis, 'dnc');
    const run = await callguard(ns, 'campaign', 'set', 'sales', ...CAMPAIGN, ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect((await callguard(ns, 'campaign', 'show', 'sales')).code).toBe(1);
  });

  it('call --at into a closed window is queued at the next window start, and says so', async () => {
    const ns = testNamespace();
    await callguard(ns, 'campaign', 'set', 'us-leads', ...CAMPAIGN, '--hours', 'us', '--region', 'US');
    const at = new Date(Date.now() + 86_400_000);
    at.setUTCHours(3, 0, 0, 0); // 22:00 or 23:00 in New York
    const queued = await callguardJson<{ at: string; movedFrom: string }>(ns, 'call', '+12125550100', '--campaign', 'us-leads', '--at', at.toISOString());
    expect(queued.code).toBe(0);
    expect(queued.json.movedFrom).toBe(at.toISOString().replace('.000', ''));
    expect(Date.parse(queued.json.at)).toBeGreaterThan(at.getTime());
    const human = await callguard(ns, 'call', '+12125550100', '--campaign', 'us-leads', '--at', at.toISOString());
    expect(human.out).toMatch(/\(moved from .*: outside calling hours us\)/);
    expect((await callguard(ns, 'call', '+12125550100', '--campaign', 'us-leads', '--attr', 'tz=Nowhere/Land')).err).toMatch(/--attr attribute tz "Nowhere\/Land" is not an IANA time zone/);
  });
});

describe('route compliance options', () => {
  it('--auto-block (repeatable), --on-unverified, --min-attestation and --observe are saved and shown', async () => {
    const ns = await namespaceWithLists(redis, 'dnc', 'harassment', 'vip');
    const set = await callguardJson<{ route: Record<string, unknown> }>(
      ns, 'route', 'set', 'support', '--block', 'dnc', '--allow', 'vip',
      '--auto-block', '7/15m:harassment:1h', '--auto-block', '15/24h:harassment:1d', '--min-attestation', 'B', '--observe', 'all',
    );
    expect(set.code).toBe(0);
    expect(set.json.route).toMatchObject({
      autoBlock: ['7/15m:harassment:1h', '15/1d:harassment:1d'],
      stir: { onUnverified: 'hangup:21', minAttestation: 'B' },
      observe: 'all',
    });
    const show = await callguard(ns, 'route', 'show', 'support');
    expect(show.out).toMatch(/auto-block:\s+7\/15m:harassment:1h, 15\/1d:harassment:1d/);
    expect(show.out).toMatch(/on unverified:\s+hangup:21\s+\(rejected\); attestation below B too/);
    const off = await callguardJson<{ route: Record<string, unknown> }>(ns, 'route', 'set', 'support', '--no-stir', '--no-auto-block', '--no-observe');
    expect(off.json.route).toMatchObject({ autoBlock: [], stir: null, observe: null });
  });

  it.each([
    [['--allow', 'harassment', '--auto-block', '7/15m:harassment:1h'], /would be filled by --auto-block and allow/],
    [['--auto-block', '7/15m:missing:1h'], /no list named missing/],
    [['--auto-block', '7/15m'], /is not <calls>\/<window>:<list>:<for>/],
    [['--min-attestation', 'D'], /"D" is not one of A, B, C/],
  ])('%j is refused', async (args, message) => {
    const ns = await namespaceWithLists(redis, 'harassment');
    const run = await callguard(ns, 'route', 'set', 'support', ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });
});

describe('consent lists and audit retention', () => {
  it('a consent list takes an add only with --ref; ref and source are in the audit', async () => {
    const ns = testNamespace();
    expect((await callguard(ns, 'list', 'create', 'consent-de', '--consent')).out).toMatch(/records consent/);
    const refused = await callguard(ns, 'add', '+4930123456', '--list', 'consent-de');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/every add needs a reference/);
    expect((await callguard(ns, 'add', '+4930123456', '--list', 'consent-de', '--ref', 'crm-4711', '--source', 'web-form')).code).toBe(0);
    const shown = await callguardJson<{ history: { details: Record<string, string> }[] }>(ns, 'show', '+4930123456');
    expect(shown.json.history[0]?.details).toMatchObject({ ref: 'crm-4711', source: 'web-form' });
  });

  it('a consent list keeps its audit at least 5 years; other lists take a retention; lists shows both', async () => {
    const ns = testNamespace();
    await callguard(ns, 'list', 'create', 'consent-de', '--consent');
    await callguard(ns, 'list', 'create', 'harassment');
    const short = await callguard(ns, 'list', 'set', 'consent-de', '--audit-retention', '1y');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/kept at least 5 years/);
    expect((await callguard(ns, 'list', 'set', 'consent-de', '--audit-retention', '6y')).code).toBe(0);
    expect((await callguard(ns, 'list', 'set', 'harassment', '--audit-retention', '90d')).code).toBe(0);
    const lists = await callguardJson<{ lists: { name: string; consent: boolean; auditRetention: string | null }[] }>(ns, 'lists');
    expect(lists.json.lists.map((l) => [l.name, l.consent, l.auditRetention])).toEqual([
      ['consent-de', true, '6y'],
      ['harassment', false, '90d'],
    ]);
    expect((await callguard(ns, 'lists')).out).toMatch(/consent-de: records consent, audit kept 6y/);
    expect((await callguard(ns, 'list', 'set', 'harassment')).code).toBe(2);
  });
});

describe('report', () => {
  it('counts would-block and the STIR/SHAKEN verification', async () => {
    const ns = testNamespace();
    const base = { time: Date.now(), direction: 'inbound' as const, route: 'support', action: 'continue:queues,support,1', decisionMs: 1 };
    await appendCallLogOnce(redis, ns, [
      { id: 'a', entry: { ...base, channel: 'a', raw: '+4930111', verdict: 'would-block', wouldBe: 'blocked', list: 'spam' } },
      { id: 'b', entry: { ...base, channel: 'b', raw: '+4930222', verdict: 'unverified', verification: 'failed', action: 'hangup:21' } },
      { id: 'c', entry: { ...base, channel: 'c', raw: '+4930333', verdict: 'clear', verification: 'passed', attestation: 'A' } },
    ], Date.now());
    const report = await callguardJson<{ counts: Record<string, number>; stir: unknown; calls: { verdict: string; wouldBe: string | null }[] }>(ns, 'report');
    expect(report.json.counts).toMatchObject({ 'would-block': 1, unverified: 1, clear: 1 });
    expect(report.json.stir).toEqual({ verification: { passed: 1, failed: 1, 'not-verified': 0 }, attestation: { A: 1, B: 0, C: 0 } });
    const human = await callguard(ns, 'report');
    expect(human.out).toMatch(/would-block \(blocked\)/);
    expect(human.out).toMatch(/would-block 1/);
    expect(human.out).toMatch(/stir\/shaken: passed 1 · failed 1 · not-verified 0 \(attestation A 1 · B 0 · C 0\)/);
  });
});

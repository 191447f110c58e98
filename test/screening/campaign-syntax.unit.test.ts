import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGN, validateCampaign, type Campaign } from '../../src/screening/campaign.js';
import {
  applyCampaignChanges,
  CampaignSyntaxError,
  formatDelay,
  formatRetrySpec,
  parseDelay,
  parseDialplanTarget,
  parseRetrySpec,
} from '../../src/screening/campaign-syntax.js';

const stamp = { at: 1_000, by: 'ops' };

describe('campaign syntax', () => {
  it.each([
    ['0', 0],
    ['45', 45_000],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['none', null],
    ['NEVER', null],
  ])('delay %s is %s ms', (text, ms) => {
    expect(parseDelay(text)).toBe(ms);
  });

  it.each(['', '5x', '-1m', '1.5h', '05m', 'soon'])('delay %j is refused', (text) => {
    expect(() => parseDelay(text)).toThrow(CampaignSyntaxError);
  });

  it('delays write back in their shortest exact form', () => {
    for (const text of ['0', '30s', '90s', '5m', '2h', '1d', 'none']) expect(formatDelay(parseDelay(text))).toBe(text);
  });

  it('a retry spec names only the outcomes it changes', () => {
    expect(parseRetrySpec('busy=5m,noanswer=30m')).toEqual({ BUSY: 300_000, NO_ANSWER: 1_800_000 });
    expect(parseRetrySpec('failed=none,no-answer=1h')).toEqual({ FAILED: null, NO_ANSWER: 3_600_000 });
    expect(formatRetrySpec({ BUSY: 300_000, NO_ANSWER: 1_800_000, FAILED: null })).toBe('busy=5m,noanswer=30m,failed=none');
  });

  it.each(['busy', 'busy=5m=1', 'ringing=5m', 'busy=5m,,'])('retry spec %j is refused', (text) => {
    expect(() => parseRetrySpec(text)).toThrow(CampaignSyntaxError);
  });

  it.each([
    ['agents', { context: 'agents', extension: 's', priority: 1 }],
    ['agents,100', { context: 'agents', extension: '100', priority: 1 }],
    ['queues,sales,2', { context: 'queues', extension: 'sales', priority: 2 }],
  ])('dialplan target %s', (text, target) => {
    expect(parseDialplanTarget(text)).toEqual(target);
  });

  it.each(['', 'a,b,c,d', 'a,,1', 'a,b,0', 'a,b,x'])('dialplan target %j is refused', (text) => {
    expect(() => parseDialplanTarget(text)).toThrow(CampaignSyntaxError);
  });
});

describe('applyCampaignChanges', () => {
  const created = () =>
    applyCampaignChanges('sales', undefined, { endpoint: 'PJSIP/${NUMBER}@trunk', agent: parseDialplanTarget('agents'), block: ['dnc'] }, stamp);

  it('a new campaign takes the defaults for what it does not name', () => {
    const campaign = created();
    expect(campaign).toEqual({
      ...DEFAULT_CAMPAIGN,
      name: 'sales',
      block: ['dnc'],
      endpoint: 'PJSIP/${NUMBER}@trunk',
      agent: { context: 'agents', extension: 's', priority: 1 },
      updatedAt: 1_000,
      updatedBy: 'ops',
    });
    expect(validateCampaign(campaign)).toEqual({ ok: true, campaign });
  });

  it('a new campaign without an endpoint or a context is refused', () => {
    expect(() => applyCampaignChanges('sales', undefined, { endpoint: 'PJSIP/${NUMBER}@t' }, stamp)).toThrow(/--endpoint and --context/);
  });

  it('a later set changes only what it names, and retry delays one by one', () => {
    const changed = applyCampaignChanges('sales', created(), { maxConcurrent: 10, retry: { BUSY: 60_000 }, region: 'DE' }, { at: 2_000, by: 'sup' });
    expect(changed.maxConcurrent).toBe(10);
    expect(changed.retry).toEqual({ ...DEFAULT_CAMPAIGN.retry, BUSY: 60_000 });
    expect(changed.block).toEqual(['dnc']);
    expect(changed.region).toBe('DE');
    expect(changed.updatedBy).toBe('sup');
    expect(applyCampaignChanges('sales', changed, { region: null, callerId: null }, stamp).region).toBeUndefined();
  });

  it.each<[string, Parameters<typeof applyCampaignChanges>[2], RegExp]>([
    ['an endpoint without the number', { endpoint: 'PJSIP/trunk' }, /endpoint/],
    ['zero attempts', { maxAttempts: 0 }, /maxAttempts/],
    ['zero concurrency', { maxConcurrent: 0 }, /maxConcurrent/],
    ['a dial timeout under a second', { dialTimeoutMs: 500 }, /dialTimeoutMs/],
    ['a caller id over two lines', { callerId: 'a\nb' }, /callerId/],
    ['a region in lower case', { region: 'de' }, /region/],
    ['a bad list name', { block: ['DNC'] }, /block/],
    ['a bad agent context', { agent: { context: 'a b', extension: 's', priority: 1 } }, /agent/],
  ])('%s is refused', (_, changes, reason) => {
    expect(() => applyCampaignChanges('sales', created(), changes, stamp)).toThrow(reason);
  });
});

describe('validateCampaign', () => {
  it('drops stray fields of stored JSON', () => {
    const stored = { ...applyCampaignChanges('sales', undefined, { endpoint: 'PJSIP/${NUMBER}@t', agent: parseDialplanTarget('agents') }, stamp), extra: 1 };
    const checked = validateCampaign(stored);
    expect(checked.ok && Object.keys(checked.campaign)).not.toContain('extra');
  });

  it.each<[string, (campaign: Campaign) => unknown]>([
    ['no retry delays', (c) => ({ ...c, retry: undefined })],
    ['a negative retry delay', (c) => ({ ...c, retry: { ...c.retry, BUSY: -1 } })],
    ['an unknown fail mode', (c) => ({ ...c, fail: 'maybe' })],
    ['a blocked action that is not an action', (c) => ({ ...c, actions: { ...c.actions, blocked: { type: 'dial' } } })],
    ['an array', () => []],
  ])('%s is invalid', (_, corrupt) => {
    const campaign = applyCampaignChanges('sales', undefined, { endpoint: 'PJSIP/${NUMBER}@t', agent: parseDialplanTarget('agents') }, stamp);
    expect(validateCampaign(corrupt(campaign)).ok).toBe(false);
  });
});

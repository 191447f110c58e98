import { describe, expect, it } from 'vitest';
import { parseRequestFields, requestFields } from '../../src/dialer/request-fields.js';
import { parseResultFields, resultFields } from '../../src/dialer/result-fields.js';
import type { AttemptResult } from '../../src/dialer/types.js';

describe('dial request fields', () => {
  it('what `call` writes reads back as the same request', () => {
    const fields = requestFields({ campaign: 'sales', number: '030 1234567', at: 1_700_000_000_000, attrs: { crm: '42' }, id: 'crm-42' });
    expect(parseRequestFields('1-0', fields)).toEqual({
      ok: true,
      request: { id: 'crm-42', campaign: 'sales', number: '030 1234567', attrs: { crm: '42' } },
      at: 1_700_000_000_000,
    });
  });

  it('without an id the stream entry id names the request', () => {
    const parsed = parseRequestFields('1700-3', ['campaign', 'sales', 'number', '+4930123456']);
    expect(parsed).toEqual({ ok: true, request: { id: '1700-3', campaign: 'sales', number: '+4930123456', attrs: {} } });
  });

  it('at may be ISO 8601 with a zone', () => {
    const parsed = parseRequestFields('1-0', ['campaign', 'sales', 'number', '1', 'at', '2026-12-31T18:00:00Z']);
    expect(parsed.ok && parsed.at).toBe(Date.parse('2026-12-31T18:00:00Z'));
  });

  it('scalar attrs become strings', () => {
    const parsed = parseRequestFields('1-0', ['campaign', 'sales', 'number', '1', 'attrs', '{"n":3,"vip":true}']);
    expect(parsed.ok && parsed.request.attrs).toEqual({ n: '3', vip: 'true' });
  });

  it.each([
    [['number', '1'], /campaign/],
    [['campaign', 'Sales!', 'number', '1'], /campaign/],
    [['campaign', 'sales'], /number/],
    [['campaign', 'sales', 'number', '1', 'at', 'tomorrow'], /at "tomorrow"/],
    [['campaign', 'sales', 'number', '1', 'at', '2026-12-31T18:00'], /ISO 8601 with a zone/],
    [['campaign', 'sales', 'number', '1', 'attrs', '[1]'], /attrs is not a JSON object/],
    [['campaign', 'sales', 'number', '1', 'attrs', '{"a":{"b":1}}'], /attrs.a/],
    [['campaign', 'sales', 'number', '1', 'attrs', '{'], /attrs is not JSON/],
    [['campaign', 'sales', 'number', '1', 'id', 'a|b'], /not a request id/],
  ])('%j is refused with a reason', (fields, reason) => {
    const parsed = parseRequestFields('9-0', fields);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('result fields', () => {
  it('a result reads back as written, empty fields left out', () => {
    const result: AttemptResult = {
      request: 'r1', campaign: 'sales', number: '030 1234567', e164: '+49301234567', attempt: 2,
      outcome: 'BLACKLISTED', list: 'dnc', member: '+49301234567', reason: 'customer asked', at: 5, final: true, attrs: { crm: '42' },
    };
    expect(parseResultFields(resultFields(result))).toEqual(result);
    const retried: AttemptResult = { request: 'r1', campaign: 'sales', number: '1', attempt: 1, outcome: 'BUSY', at: 5, final: false, retryAt: 9, attrs: {} };
    expect(resultFields(retried)).not.toContain('attrs');
    expect(parseResultFields(resultFields(retried))).toEqual(retried);
  });

  it('an entry that is not a result is skipped', () => {
    expect(parseResultFields(['foo', 'bar'])).toBeUndefined();
    expect(parseResultFields(['request', 'r', 'campaign', 'c', 'outcome', 'MAYBE'])).toBeUndefined();
  });
});

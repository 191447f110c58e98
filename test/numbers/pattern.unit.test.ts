import { describe, expect, it } from 'vitest';
import { normalizePattern } from '../../src/numbers/index.js';

describe('normalizePattern', () => {
  it.each([
    ['+1900*', undefined, '+1900'],
    ['+1 900*', 'DE', '+1900'],
    ['0900*', 'DE', '+49900'],
    ['0900 123*', 'de', '+49900123'],
    ['0049 900*', undefined, '+49900'],
    ['0049 900*', 'DE', '+49900'],
    ['0049 900*', 'US', '+49900'],
    ['011 44 20*', undefined, '+4420'],
    ['011 44 20*', 'US', '+4420'],
    ['tel:+1900*', undefined, '+1900'],
    ['sip:+1900*@host;user=phone', undefined, '+1900'],
    ['+49 (0)900*', undefined, '+49900'],
    ['1 900*', 'US', '+1900'],
    ['900*', 'US', '+1900'],
    ['09*', 'FR', '+339'],
    ['0117*', 'GB', '+44117'],
    ['06*', 'IT', '+3906'],
    ['8 812*', 'RU', '+7812'],
    ['+1 246 250 1*', 'BB', '+12462501'],
    ['+44 1*', undefined, '+441'],
  ])('%j with region %s is the prefix %s', (raw, region, prefix) => {
    expect(normalizePattern(raw, region)).toEqual({ ok: true, pattern: { kind: 'prefix', prefix } });
  });

  it.each([
    ['+49 30 1234567', undefined, '+49301234567'],
    ['030 1234567', 'DE', '+49301234567'],
    ['tel:+1-415-555-0100', undefined, '+14155550100'],
    ['+49 30 1234567;ext=12', undefined, '+49301234567'],
  ])('%j with region %s is the exact number %s', (raw, region, e164) => {
    expect(normalizePattern(raw, region)).toEqual({ ok: true, pattern: { kind: 'exact', e164 } });
  });

  it.each([
    ['anonymous', undefined, 'a hidden or empty caller ID is not a number to list'],
    ['', undefined, 'a hidden or empty caller ID is not a number to list'],
    ['sip:restricted@host', undefined, 'a hidden or empty caller ID is not a number to list'],
    ['+49*', undefined, 'a prefix needs at least one digit after the country code +49'],
    ['0*', 'DE', 'a prefix needs at least one digit after the country code +49'],
    ['+4*', undefined, 'no country calling code starts +4'],
    ['+999 1*', undefined, 'no country calling code starts +999'],
    ['1900*', undefined, 'national prefix without a region'],
    ['0900*', 'ZZ', 'unknown region "ZZ"'],
    ['+1234567890123456*', undefined, 'more than 15 digits'],
    ['+1900**', undefined, 'contains characters other than digits and separators'],
    ['+19*00', undefined, 'contains characters other than digits and separators'],
    ['*', undefined, 'no digits'],
    ['+1900abc*', undefined, 'contains letters'],
    ['+1900\n5*', undefined, 'contains a line break'],
    ['+1900* ext 1', undefined, 'contains letters'],
    ['+491', undefined, 'too short for country code +49'],
    ['+49 00*', undefined, 'not the start of any +49 number'],
    ['(246) 250-1*', 'BB', 'ambiguous as a partial national number; write the prefix as +1…*'],
  ])('%j with region %s is refused: %s', (raw, region, reason) => {
    expect(normalizePattern(raw, region)).toEqual({ ok: false, reason });
  });
});

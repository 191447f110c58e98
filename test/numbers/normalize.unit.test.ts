import { describe, expect, it } from 'vitest';
import { extensionOf, HIDDEN_WORDS, MAX_RAW_LENGTH, normalize } from '../../src/numbers/index.js';

describe('normalize', () => {
  it.each([
    ['+49301234567', undefined, '+49301234567'],
    ['+49 30 1234567', undefined, '+49301234567'],
    ['+49-30-123-4567', undefined, '+49301234567'],
    ['+49.30.123.45.67', undefined, '+49301234567'],
    ['+49 (30) 1234567', undefined, '+49301234567'],
    ['+49 (0)30 1234567', undefined, '+49301234567'],
    ['  +49 30 1234567  ', undefined, '+49301234567'],
    ['030 1234567', 'DE', '+49301234567'],
    ['030/1234567', 'de', '+49301234567'],
    ['0049 30 1234567', 'DE', '+49301234567'],
    ['0049 30 1234567', undefined, '+49301234567'],
    ['0049 30 1234567', 'US', '+49301234567'],
    ['(415) 555-0100', 'US', '+14155550100'],
    ['1 415 555 0100', 'US', '+14155550100'],
    ['415.555.0100', 'US', '+14155550100'],
    ['011 1 415 555 0100', 'US', '+14155550100'],
    ['011 1 415 555 0100', undefined, '+14155550100'],
    ['+1 (415) 555-0100', 'DE', '+14155550100'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['0117 496 0123', 'GB', '+441174960123'],
    ['00 44 20 7946 0958', 'GB', '+442079460958'],
    ['01 23 45 67 89', 'FR', '+33123456789'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['+33 6 12 34 56 78', undefined, '+33612345678'],
    ['06 1234 5678', 'IT', '+390612345678'],
    ['0011 49 30 1234567', 'AU', '+49301234567'],
    ['tel:+49-30-1234567', undefined, '+49301234567'],
    ['tel:+1-415-555-0100;ext=12', undefined, '+14155550100'],
    ['tel:030-1234567;phone-context=example.com', 'DE', '+49301234567'],
    ['sip:+4930123456;user=phone@host;transport=udp', undefined, '+4930123456'],
    ['sip:+4930123456@pbx.example.com;user=phone', undefined, '+4930123456'],
    ['sips:004930123456@pbx.example.com', undefined, '+4930123456'],
    ['SIP:%2B4930123456@host', undefined, '+4930123456'],
    ['<sip:+14155550100@host>', undefined, '+14155550100'],
    ['sip:030123456@host?subject=x', 'DE', '+4930123456'],
    ['+49 30 1234567;ext=12', undefined, '+49301234567'],
    ['+1 415 555 0100 ext 12', undefined, '+14155550100'],
    ['+1 (415) 555-0100, ext. 7', undefined, '+14155550100'],
    ['415-555-0100 x 12', 'US', '+14155550100'],
    ['030 1234567 extension 5', 'DE', '+49301234567'],
  ])('%j with region %s is %s', (raw, region, e164) => {
    expect(normalize(raw, region)).toEqual({ kind: 'e164', e164 });
  });

  it.each([
    '',
    '   ',
    'anonymous',
    'Anonymous',
    'ANONYMOUS',
    'restricted',
    'Unknown',
    'unavailable',
    'private',
    'Withheld',
    'blocked',
    'No Caller ID',
    'no-caller-id',
    'Private_Number',
    'sip:anonymous@anonymous.invalid',
    'sips:Anonymous@example.com;transport=tls',
    'tel:unknown',
    'sip:@host',
    '<sip:restricted@host>',
  ])('%j is hidden', (raw) => {
    expect(normalize(raw, 'DE')).toEqual({ kind: 'hidden' });
  });

  it('every documented hidden word is hidden in upper case too', () => {
    for (const word of HIDDEN_WORDS) {
      expect(normalize(word.toUpperCase())).toEqual({ kind: 'hidden' });
    }
  });

  it.each([
    ['abc', undefined, 'contains letters'],
    ['+49301234x567', undefined, 'contains letters'],
    ['+1900* ext 1', undefined, 'contains letters'],
    ['+49301\n23456', undefined, 'contains a line break'],
    ['+49301\r\n23456', undefined, 'contains a line break'],
    ['+49301\u202823456', undefined, 'contains a line break'],
    ['030\t1234567', 'DE', 'contains a tab'],
    ['+49 30 \u001b[2J1234567', undefined, 'contains a control character (U+001B)'],
    ['+4930\u00001234567', undefined, 'contains a control character (U+0000)'],
    ['sip:+49301%0A23456@host', undefined, 'contains a line break'],
    ['+49 30 abc', undefined, 'contains letters'],
    ['1-800-FLOWERS', 'US', 'contains letters'],
    ['sip:alice@example.com', undefined, 'contains letters'],
    ['#31#', 'DE', 'contains characters other than digits and separators'],
    ['+49+30', undefined, 'contains characters other than digits and separators'],
    ['١٢٣٤٥٦٧٨', 'DE', 'contains characters other than digits and separators'],
    ['---', undefined, 'no digits'],
    ['+', undefined, 'no digits'],
    ['00', undefined, 'no digits after the international prefix'],
    ['+1900*', undefined, 'a trailing * makes a prefix, which is not a number'],
    ['030 1234567', undefined, 'national number without a region'],
    ['030 1234567', 'XX', 'unknown region "XX"'],
    ['+491', undefined, 'too short for country code +49'],
    ['+1 415 555 01', undefined, 'too short for country code +1'],
    ['+1 415 555 01000', undefined, 'too long for country code +1'],
    ['+999 123 4567', undefined, 'no country calling code starts +999'],
    ['0 12', 'FR', 'too short for a FR number'],
    ['+49 301 234 567 890 123', undefined, 'more than 15 digits'],
    ['sip:%E0%A4%A@host', undefined, 'bad percent-encoding in the URI'],
    ['+49 0 00000', undefined, 'not a possible number for country code +49: a trunk prefix follows the country code'],
  ])('%j with region %s is malformed: %s', (raw, region, reason) => {
    expect(normalize(raw, region)).toEqual({ kind: 'malformed', reason });
  });

  it('trims line breaks around a number, as a line read from a file ends', () => {
    expect(normalize('\n+4930123456\r\n')).toEqual({ kind: 'e164', e164: '+4930123456' });
  });

  it('names the extension it leaves off, and none for a plain number', () => {
    expect(extensionOf('+49 30 1234567;ext=12')).toBe('12');
    expect(extensionOf('tel:+1-415-555-0100;ext=34')).toBe('34');
    expect(extensionOf('sip:+14155550100;ext=5;user=phone@host')).toBe('5');
    expect(extensionOf('+1 415 555 0100 x 7')).toBe('7');
    expect(extensionOf('+1 415 555 0100')).toBeUndefined();
    expect(extensionOf('tel:+1-415-555-0100')).toBeUndefined();
    expect(extensionOf('abc')).toBeUndefined();
  });

  it('refuses over-long input before parsing it', () => {
    const long = `+49${'1'.repeat(MAX_RAW_LENGTH)}`;
    expect(normalize(long)).toEqual({ kind: 'malformed', reason: `longer than ${MAX_RAW_LENGTH} characters` });
    expect(normalize(' '.repeat(1_000_000))).toEqual({
      kind: 'malformed',
      reason: `longer than ${MAX_RAW_LENGTH} characters`,
    });
  });

  it('accepts a possible number even where no assigned range is known (possible, not valid)', () => {
    // +49 30 0… is not in any assigned Berlin range, but has a possible length.
    expect(normalize('+49 30 0000000')).toEqual({ kind: 'e164', e164: '+49300000000' });
  });

  it('reads the E.164 fast path and the full parse alike', () => {
    expect(normalize('+490301234567')).toEqual(normalize('0049 0 30 1234567'));
    expect(normalize('+490301234567')).toEqual({ kind: 'e164', e164: '+49301234567' });
    expect(normalize('+4930123')).toEqual(normalize('004930123'));
  });

  it('an international number ignores the region, even one it does not know', () => {
    expect(normalize('+49301234567', 'XX')).toEqual({ kind: 'e164', e164: '+49301234567' });
    expect(normalize('+49 30 1234567', 'XX')).toEqual({ kind: 'e164', e164: '+49301234567' });
    expect(normalize('0049 30 1234567', 'XX')).toEqual({ kind: 'malformed', reason: 'unknown region "XX"' });
  });

  it('never throws on input that is not a string at runtime', () => {
    expect(normalize(undefined as unknown as string)).toEqual({ kind: 'malformed', reason: 'not a string' });
    expect(normalize(42 as unknown as string)).toEqual({ kind: 'malformed', reason: 'not a string' });
  });
});

import fc from 'fast-check';
import { getCountries, getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { describe, expect, it } from 'vitest';
import { readDialString } from '../../src/numbers/dial-string.js';
import { acceptNationalWithoutParsing } from '../../src/numbers/fast-path.js';
import { afterInternationalPrefix } from '../../src/numbers/international.js';
import { regionInfo, type RegionInfo } from '../../src/numbers/metadata.js';
import { normalize } from '../../src/numbers/normalize.js';
import { parseWithMetadata } from '../../src/numbers/parse.js';

const COUNTRIES = getCountries();
const digit = fc.constantFrom(...'0123456789'.split(''));
const digitString = (maxLength: number) => fc.string({ unit: digit, minLength: 0, maxLength });

function infoOf(region: CountryCode): RegionInfo {
  const info = regionInfo(region);
  if (!info) throw new Error(`libphonenumber does not know ${region}`);
  return info;
}

/** The digits normalize() reads as a national number of the region, or undefined when it reads the input otherwise. */
function nationalDigits(raw: string, info: RegionInfo): string | undefined {
  const dial = readDialString(raw);
  if (dial.kind !== 'digits' || dial.plus || dial.star) return undefined;
  if (afterInternationalPrefix(dial.digits, info) !== undefined) return undefined;
  return dial.digits;
}

function fullParse(digits: string, info: RegionInfo) {
  return parseWithMetadata(digits, info.region, `a ${info.region} number`);
}

/**
 * National input around real numbers of every region: libphonenumber's example mobile
 * number with new last digits, written as dialled at home (with the trunk prefix), without
 * it, with it twice, with the calling code in front, one digit short or long, formatted.
 */
const nationalAroundRealNumbers = fc
  .tuple(
    fc.constantFrom(...COUNTRIES),
    fc.integer({ min: 0, max: 9999 }),
    fc.constantFrom('home', 'bare', 'prefix twice', 'calling code', 'one short', 'one long', 'formatted'),
    fc.constantFrom('', ' ', '-', '.', '/'),
  )
  .map(([country, tail, form, separator]) => {
    const info = infoOf(country);
    const example = getExampleNumber(country, examples);
    const national = example
      ? `${example.nationalNumber.slice(0, -4)}${String(tail).padStart(4, '0')}`.slice(-example.nationalNumber.length)
      : String(tail);
    const prefix = info.nationalReading?.trunkPrefix ?? '0';
    const written: Record<typeof form, string> = {
      home: `${prefix}${national}`,
      bare: national,
      'prefix twice': `${prefix}${prefix}${national}`,
      'calling code': `${info.callingCode}${national}`,
      'one short': `${prefix}${national.slice(0, -1)}`,
      'one long': `${prefix}${national}${tail % 10}`,
      formatted: example ? example.formatNational() : national,
    };
    const text = written[form];
    return { region: country, raw: separator === '' ? text : (text.match(/.{1,3}/g) ?? []).join(separator) };
  });

/** Digit strings of any length behind the prefixes that matter: trunk prefixes, 00, the calling code. */
const nationalDigitStrings = fc
  .tuple(
    fc.constantFrom(...COUNTRIES),
    fc.constantFrom('', '0', '00', '000', '8', '06', '1', '01', 'CC'),
    digitString(17),
  )
  .map(([country, lead, rest]) => ({
    region: country,
    raw: `${lead === 'CC' ? infoOf(country).callingCode : lead}${rest}`,
  }));

/** Garbage with digits in it: letters, symbols, stars, pluses among the digits. */
const garbageWithDigits = fc
  .tuple(
    fc.constantFrom(...COUNTRIES),
    fc.string({ unit: fc.constantFrom(...'0123456789000  -./()+*#;abcx'.split('')), maxLength: 24 }),
  )
  .map(([country, raw]) => ({ region: country, raw }));

describe('national fast path', () => {
  it('normalize reads national input of every region exactly as the full libphonenumber parse', () => {
    let answeredFast = 0;
    let national = 0;
    fc.assert(
      fc.property(fc.oneof(nationalAroundRealNumbers, nationalDigitStrings, garbageWithDigits), ({ raw, region }) => {
        const info = infoOf(region);
        const digits = nationalDigits(raw, info);
        if (digits === undefined) return;
        national += 1;
        if (acceptNationalWithoutParsing(digits, info)) answeredFast += 1;
        expect({ raw, region, result: normalize(raw, region) }).toEqual({
          raw,
          region,
          result: fullParse(digits, info),
        });
      }),
      { numRuns: 20_000 },
    );
    // The property would hold trivially if the fast path never answered.
    expect(answeredFast).toBeGreaterThan(national / 5);
  });

  it('refuses a single national digit in every region exactly as the full parse does', () => {
    for (const region of COUNTRIES) {
      const info = infoOf(region);
      for (const digit of '0123456789') {
        if (afterInternationalPrefix(digit, info) !== undefined) continue;
        expect({ region, digit, result: normalize(digit, region) }).toEqual({
          region,
          digit,
          result: fullParse(digit, info),
        });
      }
    }
  });

  it('answers the common national forms without parsing', () => {
    const cases: [string, CountryCode, string][] = [
      ['0301234567', 'DE', '+49301234567'],
      ['08912345678', 'DE', '+498912345678'],
      ['0612345678', 'FR', '+33612345678'],
      ['89123456789', 'RU', '+79123456789'],
      ['612345678', 'ES', '+34612345678'],
      ['4155550100', 'US', '+14155550100'],
    ];
    for (const [digits, region, e164] of cases) {
      expect({ digits, region, fast: acceptNationalWithoutParsing(digits, infoOf(region)) }).toEqual({
        digits,
        region,
        fast: { kind: 'e164', e164 },
      });
      expect(fullParse(digits, infoOf(region))).toEqual({ kind: 'e164', e164 });
    }
  });

  it('leaves to the full parse what only its rules can decide', () => {
    const cases: [string, CountryCode][] = [
      // the calling code in front: maybe an international number without its +
      ['49301234567', 'DE'],
      ['14155550100', 'US'],
      // a trunk prefix after the trunk prefix (in DE, 00 is the international prefix)
      ['060612345678', 'HU'],
      // too short or too long to be sure
      ['0301', 'DE'],
      ['0301234567890123', 'DE'],
      // regions whose trunk-prefix rule transforms the number or strips carrier codes
      ['0111512345678', 'AR'],
      ['0211234567', 'BR'],
      ['0312345678', 'CO'],
      ['02079460958', 'GB'],
    ];
    for (const [digits, region] of cases) {
      expect({ digits, region, fast: acceptNationalWithoutParsing(digits, infoOf(region)) }).toEqual({
        digits,
        region,
        fast: undefined,
      });
    }
  });
});

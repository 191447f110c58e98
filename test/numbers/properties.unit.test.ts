import fc from 'fast-check';
import {
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { describe, expect, it } from 'vitest';
import { normalize, normalizePattern } from '../../src/numbers/index.js';

const REGIONS = ['DE', 'US', 'GB', 'FR', 'IT', 'AU', 'RU', 'BR', 'JP', 'IN'] as const;
const region = fc.option(fc.constantFrom(...REGIONS), { nil: undefined });

/** Strings that look like phone input, so the properties reach the parser, not only the refusals. */
const phoneish = fc.string({
  unit: fc.constantFrom(...'+0123456789  -.()/*;@:%<>telsipanonymous'.split('')),
  maxLength: 40,
});

const callingCodes = [...new Set(getCountries().map((c) => getCountryCallingCode(c)))];
const e164ish = fc
  .tuple(fc.constantFrom(...callingCodes), fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 14 }))
  .map(([code, rest]) => `${code}${rest}`);

/** A real number of some country: its example mobile number with the last digits replaced. */
const realNumber = fc
  .tuple(fc.constantFrom(...getCountries()), fc.integer({ min: 0, max: 999 }))
  .map(([country, tail]) => {
    const example = getExampleNumber(country, examples);
    if (!example) return undefined;
    const e164 = `${example.number.slice(0, -3)}${String(tail).padStart(3, '0')}`;
    return parsePhoneNumberFromString(e164);
  })
  .filter((n) => n !== undefined && n.isPossible() && normalize(n.number).kind === 'e164');

function groups(digits: string, separator: string): string {
  return (digits.match(/.{1,3}/g) ?? []).join(separator);
}

describe('normalize properties', () => {
  it('never throws and always returns one of the three kinds', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 300 }), phoneish),
        region,
        (raw, r) => {
          const result = normalize(raw, r);
          if (result.kind === 'e164') expect(result.e164).toMatch(/^\+[1-9]\d{1,14}$/);
          else if (result.kind === 'malformed') expect(result.reason.length).toBeGreaterThan(0);
          else expect(result).toEqual({ kind: 'hidden' });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on long input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 100, maxLength: 5000 }), (raw) => {
        expect(normalize(raw).kind).not.toBe('e164');
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent on its own output, whatever the region', () => {
    fc.assert(
      fc.property(fc.oneof(phoneish, e164ish.map((d) => `+${d}`)), region, region, (raw, r1, r2) => {
        const first = normalize(raw, r1);
        if (first.kind !== 'e164') return;
        expect(normalize(first.e164, r2)).toEqual(first);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads +digits (fast path) exactly as 00digits (full parse)', () => {
    fc.assert(
      fc.property(e164ish, (digits) => {
        expect(normalize(`+${digits}`)).toEqual(normalize(`00${digits}`));
      }),
      { numRuns: 5000 },
    );
  });

  it('normalizes every formatting variant of one number to the same E.164', () => {
    fc.assert(
      fc.property(realNumber, fc.constantFrom(' ', '-', '.', ''), (number, sep) => {
        if (!number) return;
        const e164 = number.number;
        const code = number.countryCallingCode;
        const national = number.nationalNumber;
        const variants: [string, string | undefined][] = [
          [e164, undefined],
          [`+${code}${sep}${groups(national, sep)}`, undefined],
          [`+${code} (${national.slice(0, 2)}) ${groups(national.slice(2), sep)}`, undefined],
          [`00${sep}${code}${sep}${groups(national, sep)}`, undefined],
          [`011 ${code} ${national}`, undefined],
          [`tel:+${code}-${groups(national, '-')}`, undefined],
          [`sip:+${code}${national};user=phone@pbx.example.com;transport=udp`, undefined],
          [`sips:%2B${code}${national}@pbx.example.com`, undefined],
        ];
        if (number.country) {
          variants.push([number.formatNational(), number.country]);
          // FR dials abroad with a plain 00; some regions (CO: 005, 007…) put a carrier after it.
          variants.push([`00 ${code} ${national}`, 'FR']);
          variants.push([`+${code} ${national}`, 'DE']);
        }
        for (const [raw, r] of variants) {
          expect({ raw, r, result: normalize(raw, r) }).toEqual({ raw, r, result: { kind: 'e164', e164 } });
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('normalizePattern properties', () => {
  it('never throws and returns a pattern or a reason', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', maxLength: 5000 }), phoneish),
        region,
        (raw, r) => {
          const result = normalizePattern(raw, r);
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
          else if (result.pattern.kind === 'prefix') expect(result.pattern.prefix).toMatch(/^\+[1-9]\d{1,14}$/);
          else expect(result.pattern.e164).toMatch(/^\+[1-9]\d{1,14}$/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.oneof(phoneish, e164ish.map((d) => `+${d}*`)), region, region, (raw, r1, r2) => {
        const first = normalizePattern(raw, r1);
        if (!first.ok) return;
        const again = first.pattern.kind === 'prefix' ? `${first.pattern.prefix}*` : first.pattern.e164;
        expect(normalizePattern(again, r2)).toEqual(first);
      }),
      { numRuns: 3000 },
    );
  });

  it('an exact pattern is what normalize gives for the same input', () => {
    fc.assert(
      fc.property(phoneish, region, (raw, r) => {
        const pattern = normalizePattern(raw, r);
        if (!pattern.ok || pattern.pattern.kind !== 'exact') return;
        expect(normalize(raw, r)).toEqual({ kind: 'e164', e164: pattern.pattern.e164 });
      }),
      { numRuns: 3000 },
    );
  });

  it('a prefix cut from any written form of a number covers that number', () => {
    fc.assert(
      fc.property(realNumber, fc.integer({ min: 1, max: 4 }), (number, cut) => {
        if (!number || number.nationalNumber.length - cut < 2) return;
        const code = number.countryCallingCode;
        const national = number.nationalNumber.slice(0, -cut);
        const forms: [string, CountryCode | undefined][] = [
          [`+${code} ${national}*`, undefined],
          [`00 ${code} ${national}*`, undefined],
          [`tel:+${code}-${national}*`, undefined],
        ];
        if (number.country) {
          const written = number.formatNational();
          let digitsToDrop = cut;
          let end = written.length;
          while (digitsToDrop > 0) {
            end -= 1;
            if (/\d/.test(written[end] ?? '')) digitsToDrop -= 1;
          }
          forms.push([`${written.slice(0, end)}*`, number.country]);
        }
        for (const [raw, r] of forms) {
          const result = normalizePattern(raw, r);
          // Regions with local dialling (BB: 7 digits get the area code in front) make
          // some partial national forms ambiguous; those are refused, never misread.
          if (!result.ok && r !== undefined && result.reason.startsWith('ambiguous')) continue;
          expect({ raw, r, ok: result.ok }).toEqual({ raw, r, ok: true });
          if (result.ok && result.pattern.kind === 'prefix') {
            expect({ raw, r, covers: number.number.startsWith(result.pattern.prefix) }).toEqual({ raw, r, covers: true });
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

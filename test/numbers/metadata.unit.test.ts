import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import { describe, expect, it } from 'vitest';
import { callingCodeAt } from '../../src/numbers/metadata.js';

const CODES = [
  ...new Set([...getCountries().map((country) => getCountryCallingCode(country)), ...Object.keys(metadataJson.nonGeographic)]),
];

describe('callingCodeAt', () => {
  it('finds the one calling code that every three-digit start begins with, or none', () => {
    for (let n = 0; n < 1000; n++) {
      const digits = `${String(n).padStart(3, '0')}4567`;
      const expected = CODES.find((code) => digits.startsWith(code));
      expect({ digits, code: callingCodeAt(digits)?.callingCode }).toEqual({ digits, code: expected });
      expect({ digits, code: callingCodeAt(`+${digits}`, 1)?.callingCode }).toEqual({ digits, code: expected });
    }
  });

  it('finds no code in text that is not digits', () => {
    expect(callingCodeAt('')).toBeUndefined();
    expect(callingCodeAt('x49')).toBeUndefined();
    expect(callingCodeAt('+49')).toBeUndefined();
    expect(callingCodeAt('9x1')).toBeUndefined();
  });
});

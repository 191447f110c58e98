import { callingCodeAt, type RegionInfo } from './metadata.js';
import type { Normalized } from './types.js';

/** `+`, a calling code and at most 15 digits in all: the only text the fast paths look at. */
export const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/**
 * The fast path for input already in E.164 (checked against E164_SHAPE by the caller):
 * accepted when the national part has a length every country of its calling code allows
 * and starts with no trunk prefix libphonenumber would strip; exactly the cases where
 * parsing would return the input unchanged as possible. Anything else (undefined) takes
 * the full parse, which also words the reason.
 */
export function acceptE164WithoutParsing(e164: string): Normalized | undefined {
  const code = callingCodeAt(e164, 1);
  if (!code) return undefined;
  const national = e164.slice(1 + code.callingCode.length);
  if (!code.possibleLengths.has(national.length)) return undefined;
  for (const trunk of code.trunkPrefixes) {
    if (trunk.test(national)) return undefined;
  }
  return { kind: 'e164', e164 };
}

/**
 * The fast path for national digits (`0301234567` in DE: no `+`, no international prefix)
 * in a region whose trunk-prefix rule is a plain strip: libphonenumber returns +CC and the
 * digits after the prefix, and it does so exactly when that E.164 form passes the E.164
 * fast path (a length every country of the code allows, so libphonenumber's own length
 * check keeps the strip too). Digits that start with the calling code may be an
 * international number written without its + (DE 4930…), and a trunk prefix that belongs
 * to a whole national number stays on: libphonenumber weighs both with its full rules, so
 * those take the full parse (undefined), as does anything the E.164 fast path refuses.
 */
export function acceptNationalWithoutParsing(digits: string, region: RegionInfo): Normalized | undefined {
  const reading = region.nationalReading;
  if (!reading || digits.startsWith(region.callingCode)) return undefined;
  let national = digits;
  if (reading.trunkPrefix !== '' && digits.startsWith(reading.trunkPrefix)) {
    if (reading.wholeNationalNumber.test(digits)) return undefined;
    national = digits.slice(reading.trunkPrefix.length);
  }
  const e164 = `+${region.callingCode}${national}`;
  return E164_SHAPE.test(e164) ? acceptE164WithoutParsing(e164) : undefined;
}

import {
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type ValidatePhoneNumberLengthResult,
} from 'libphonenumber-js/max';
import { readDialString, type DialString } from './dial-string.js';
import { afterInternationalPrefix } from './international.js';
import { callingCodeAt, regionInfo, type RegionInfo } from './metadata.js';
import type { Normalized } from './types.js';

/** E.164 allows at most 15 digits; libphonenumber accepts longer national numbers for some countries. */
export const MAX_E164_DIGITS = 15;

const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/**
 * Turns any raw caller/callee text into E.164, `hidden` or `malformed`; never throws.
 *
 * The rule is *possible* (right length for the country), not *valid* (inside a range the
 * metadata knows as assigned). Stored list entries and live calls go through this same
 * function, so either rule matches them alike; but validity follows metadata that lags
 * behind regulators, so a newly issued range would come out malformed, its callers could
 * not be blocked, and an import would reject real numbers. Possibility only changes when
 * a country changes its number lengths.
 */
export function normalize(raw: string, region?: string): Normalized {
  if (typeof raw === 'string' && E164_SHAPE.test(raw)) {
    const fast = acceptE164WithoutParsing(raw);
    if (fast) return fast;
  }
  const dial = readDialString(raw);
  if (dial.kind !== 'digits') return dial;
  if (dial.star) return malformed('a trailing * makes a prefix, which is not a number');
  return dialStringToE164(dial, region);
}

/**
 * The fast path for input already in E.164: accepted when the national part has a length
 * every country of its calling code allows and starts with no trunk prefix libphonenumber
 * would strip; exactly the cases where parsing would return the input unchanged as possible.
 * Anything else (returns undefined) takes the full parse, which also words the reason.
 */
function acceptE164WithoutParsing(e164: string): Normalized | undefined {
  const code = callingCodeAt(e164.slice(1));
  if (!code) return undefined;
  const national = e164.slice(1 + code.callingCode.length);
  if (!code.possibleLengths.has(national.length)) return undefined;
  for (const trunk of code.trunkPrefixes) {
    if (trunk.test(national)) return undefined;
  }
  return { kind: 'e164', e164 };
}

/** Shared with normalizePattern, so an exact list entry is read exactly like a live number. */
export function dialStringToE164(
  dial: Extract<DialString, { kind: 'digits' }>,
  region: string | undefined,
): Normalized {
  // An international number never needs the region, so a bad region does not refuse it
  // (the E.164 fast path does not look at the region either).
  if (dial.plus) return parseInternational(dial.digits);
  let info: RegionInfo | undefined;
  if (region !== undefined) {
    const found = regionInfo(region);
    if (!found) return malformed(`unknown region "${region}"`);
    info = found;
  }
  const international = afterInternationalPrefix(dial.digits, info);
  if (international !== undefined) return parseInternational(international);
  if (!info) return malformed('national number without a region');
  return parsed(dial.digits, info.region, `a ${info.region} number`);
}

function parseInternational(digits: string): Normalized {
  if (digits === '') return malformed('no digits after the international prefix');
  // Spaced (`+49 30 …`) or 00-prefixed input is E.164 once read: the same fast path applies.
  const fast = E164_SHAPE.test(`+${digits}`) ? acceptE164WithoutParsing(`+${digits}`) : undefined;
  if (fast) return fast;
  const code = callingCodeAt(digits);
  if (!code) return malformed(`no country calling code starts +${digits.slice(0, 3)}`);
  return parsed(`+${digits}`, undefined, `country code +${code.callingCode}`);
}

function parsed(text: string, region: CountryCode | undefined, what: string): Normalized {
  const number = parsePhoneNumberFromString(text, region);
  if (number?.isPossible()) {
    if (number.number.length - 1 > MAX_E164_DIGITS) {
      return malformed(`more than ${MAX_E164_DIGITS} digits`);
    }
    if (!readsTheSameAgain(number.number)) {
      return malformed(`not a possible number for ${what}: a trunk prefix follows the country code`);
    }
    return { kind: 'e164', e164: number.number };
  }
  return malformed(impossibleReason(validatePhoneNumberLength(text, region), what));
}

/**
 * libphonenumber strips one trunk prefix after the country code (+49 0 30… is +49 30…).
 * When what is left starts with it again (+49 0 0…), a second reading would strip again:
 * such a number is refused, so that normalize(normalize(x)) is always normalize(x) and a
 * stored entry still matches after an export and import.
 */
function readsTheSameAgain(e164: string): boolean {
  const code = callingCodeAt(e164.slice(1));
  if (!code) return false;
  const national = e164.slice(1 + code.callingCode.length);
  if (!code.trunkPrefixes.some((trunk) => trunk.test(national))) return true;
  return parsePhoneNumberFromString(e164)?.number === e164;
}

function impossibleReason(length: ValidatePhoneNumberLengthResult | undefined, what: string): string {
  switch (length) {
    case 'TOO_SHORT':
      return `too short for ${what}`;
    case 'TOO_LONG':
      return `too long for ${what}`;
    case 'INVALID_LENGTH':
      return `not a possible length for ${what}`;
    case 'INVALID_COUNTRY':
      return `unknown country calling code`;
    default:
      return `not a possible number for ${what}`;
  }
}

function malformed(reason: string): Normalized {
  return { kind: 'malformed', reason };
}

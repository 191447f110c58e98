import {
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type ValidatePhoneNumberLengthResult,
} from 'libphonenumber-js/max';
import { callingCodeAt } from './metadata.js';
import type { Normalized } from './types.js';

/** E.164 allows at most 15 digits; libphonenumber accepts longer national numbers for some countries. */
export const MAX_E164_DIGITS = 15;

/**
 * The full libphonenumber reading of bare digits (`+` and international digits, or national
 * digits with their region): the reference every fast path must agree with.
 * `what` names the country or code in the reason when the number is not possible.
 */
export function parseWithMetadata(text: string, region: CountryCode | undefined, what: string): Normalized {
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
  const code = callingCodeAt(e164, 1);
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

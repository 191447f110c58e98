import { AsYouType } from 'libphonenumber-js/max';
import { readDialString } from './dial-string.js';
import { afterInternationalPrefix } from './international.js';
import { callingCodeAt, regionInfo, type RegionInfo } from './metadata.js';
import { dialStringToE164 } from './normalize.js';
import { MAX_E164_DIGITS } from './parse.js';
import type { PatternResult } from './types.js';

/**
 * Reads what an operator may put on a list: an exact number (read exactly as normalize()
 * reads live numbers) or a prefix written with a trailing `*` (`+1900*`, `0900*` with
 * region DE, `0049 900*`, `tel:+1900*`). A hidden caller is not a list entry.
 */
export function normalizePattern(raw: string, region?: string): PatternResult {
  const dial = readDialString(raw);
  if (dial.kind === 'hidden') return refused('a hidden or empty caller ID is not a number to list');
  if (dial.kind === 'malformed') return refused(dial.reason);
  if (!dial.star) {
    const exact = dialStringToE164(dial, region);
    if (exact.kind === 'e164') return { ok: true, pattern: { kind: 'exact', e164: exact.e164 } };
    return refused(exact.kind === 'malformed' ? exact.reason : 'a hidden caller ID is not a number to list');
  }
  if (dial.plus) return internationalPrefix(dial.digits);
  let info: RegionInfo | undefined;
  if (region !== undefined) {
    const found = regionInfo(region);
    if (!found) return refused(`unknown region "${region}"`);
    info = found;
  }
  const international = afterInternationalPrefix(dial.digits, info);
  if (international !== undefined) return internationalPrefix(international);
  if (!info) return refused('national prefix without a region');
  return prefixResult(asYouType(dial.digits, info.region), info.callingCode, dial.digits);
}

function internationalPrefix(digits: string): PatternResult {
  const code = callingCodeAt(digits);
  if (!code) return refused(`no country calling code starts +${digits.slice(0, 3)}`);
  return prefixResult(
    asYouType(`+${digits}`, undefined),
    code.callingCode,
    digits.slice(code.callingCode.length),
  );
}

/**
 * libphonenumber cannot parse a partial number, but its as-you-type formatter reads one
 * with the country's own trunk-prefix rules: DE `0900` is +49900, RU `8 812` is +7812,
 * HU `06 1` is +361, while IT `06` keeps its 0 (+3906) because Italian numbers include it.
 * The same rules make `+49 (0)30` read +4930, as normalize() reads the full number.
 */
function asYouType(text: string, region: RegionInfo['region'] | undefined): string | undefined {
  const formatter = new AsYouType(region);
  formatter.input(text);
  return formatter.getNumberValue();
}

/** `written`: the national digits as the operator wrote them, trunk prefix included if any. */
function prefixResult(prefix: string | undefined, callingCode: string, written: string): PatternResult {
  if (prefix === undefined || !prefix.startsWith(`+${callingCode}`)) {
    return refused(`not a prefix of a +${callingCode} number`);
  }
  // Reading a trunk or carrier prefix only removes digits from the front. Anything else is
  // a rule for complete numbers (BB: seven digits are a local number, 246 goes in front)
  // that a partial number cannot trigger reliably, so we refuse rather than guess.
  if (!written.endsWith(prefix.slice(1 + callingCode.length))) {
    return refused(`ambiguous as a partial national number; write the prefix as +${callingCode}…*`);
  }
  const digits = prefix.length - 1;
  if (digits <= callingCode.length) {
    return refused(`a prefix needs at least one digit after the country code +${callingCode}`);
  }
  if (digits > MAX_E164_DIGITS) return refused(`more than ${MAX_E164_DIGITS} digits`);
  // A prefix that reads differently a second time (`+4900`: the trunk prefix 0 once more
  // after +49, read as +490) starts no real number; storing it would make a list entry
  // that its own export could not load again.
  if (asYouType(prefix, undefined) !== prefix) return refused(`not the start of any +${callingCode} number`);
  return { ok: true, pattern: { kind: 'prefix', prefix } };
}

function refused(reason: string): PatternResult {
  return { ok: false, reason };
}

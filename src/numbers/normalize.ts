import { readDialString, type DialString } from './dial-string.js';
import { E164_SHAPE, acceptE164WithoutParsing, acceptNationalWithoutParsing } from './fast-path.js';
import { afterInternationalPrefix } from './international.js';
import { callingCodeAt, regionInfo, type RegionInfo } from './metadata.js';
import { parseWithMetadata } from './parse.js';
import type { Normalized } from './types.js';

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
  // libphonenumber needs two digits to see a number at all: one is too short in every
  // region, and its parse (an exception thrown and caught twice) costs 25 µs.
  if (dial.digits.length === 1) return malformed(`too short for a ${info.region} number`);
  return (
    acceptNationalWithoutParsing(dial.digits, info) ??
    parseWithMetadata(dial.digits, info.region, `a ${info.region} number`)
  );
}

function parseInternational(digits: string): Normalized {
  if (digits === '') return malformed('no digits after the international prefix');
  // Spaced (`+49 30 …`) or 00-prefixed input is E.164 once read: the same fast path applies.
  const e164 = `+${digits}`;
  const fast = E164_SHAPE.test(e164) ? acceptE164WithoutParsing(e164) : undefined;
  if (fast) return fast;
  const code = callingCodeAt(digits);
  if (!code) return malformed(`no country calling code starts +${digits.slice(0, 3)}`);
  return parseWithMetadata(e164, undefined, `country code +${code.callingCode}`);
}

function malformed(reason: string): Normalized {
  return { kind: 'malformed', reason };
}

import metadataJson from 'libphonenumber-js/metadata.max.json';
import { Metadata, getCountryCallingCode, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';

/**
 * The parts of libphonenumber's numbering-plan metadata we read. Most exist at runtime but
 * are missing from the published types.
 */
interface PlanMetadata {
  possibleLengths(): number[];
  IDDPrefix(): string;
  nationalNumberPattern(): string;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
}

function planOf(regionOrCallingCode: string): PlanMetadata {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(regionOrCallingCode as CountryCode);
  const plan: unknown = metadata.numberingPlan;
  if (!isPlanMetadata(plan)) {
    throw new Error(`libphonenumber metadata has no numbering plan for ${regionOrCallingCode}`);
  }
  return plan;
}

function isPlanMetadata(value: unknown): value is PlanMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const plan = value as Record<string, unknown>;
  return [
    'possibleLengths',
    'IDDPrefix',
    'nationalNumberPattern',
    'nationalPrefix',
    'nationalPrefixForParsing',
    'nationalPrefixTransformRule',
  ].every((method) => typeof plan[method] === 'function');
}

/** What normalize needs to know about a region, computed once per region. */
export interface RegionInfo {
  region: CountryCode;
  callingCode: string;
  /** The region's own international (IDD) prefix, e.g. 011 for US, 810 for RU. */
  internationalPrefix: RegExp;
  /** Set when a national number of the region can be read without parsing (see nationalReadingOf). */
  nationalReading: NationalReading | undefined;
}

/**
 * How libphonenumber reads a national number in a region whose trunk-prefix rule is the
 * simple one: strip the prefix if the digits start with it, and nothing else.
 */
export interface NationalReading {
  /** The trunk prefix (DE 0, RU 8, HU 06), or '' in a region without one (IT, ES, DK). */
  trunkPrefix: string;
  /**
   * The region's national-number pattern, anchored. libphonenumber keeps the trunk prefix
   * of digits this matches whole, so such digits need the full parse.
   */
  wholeNationalNumber: RegExp;
}

const DIGITS_ONLY = /^\d+$/;

/**
 * Undefined where libphonenumber's rule does more than strip a literal prefix: a transform
 * rule (AR adds 9, BR drops carrier codes, NANP islands prepend an area code), carrier or
 * alternative prefixes (CO, KR, GB's 180020, AU's 1831), a prefix that is a pattern (LT).
 */
function nationalReadingOf(plan: PlanMetadata): NationalReading | undefined {
  if (plan.nationalPrefixTransformRule()) return undefined;
  // libphonenumber falls back to the national prefix when no parsing rule is given.
  const forParsing = plan.nationalPrefixForParsing() ?? '';
  const prefix = plan.nationalPrefix() ?? '';
  if (forParsing !== prefix || (prefix !== '' && !DIGITS_ONLY.test(prefix))) return undefined;
  return { trunkPrefix: prefix, wholeNationalNumber: new RegExp(`^(?:${plan.nationalNumberPattern()})$`) };
}

const regionCache = new Map<string, RegionInfo | null>();

/** Region info for a two-letter code in any case, or null when libphonenumber does not know it. */
export function regionInfo(code: string): RegionInfo | null {
  const cached = regionCache.get(code);
  if (cached !== undefined) return cached;
  const upper = code.toUpperCase();
  let info: RegionInfo | null = null;
  if (isSupportedCountry(upper)) {
    const plan = planOf(upper);
    // `~` in an IDD prefix means "wait for a second dial tone" (RU: 8~10); it is not dialled.
    const idd = plan.IDDPrefix().replace(/~/g, '');
    info = {
      region: upper,
      callingCode: getCountryCallingCode(upper),
      internationalPrefix: new RegExp(`^(?:${idd})`),
      nationalReading: nationalReadingOf(plan),
    };
  }
  // Region codes come from configuration, so the cache stays small; a cap keeps a caller
  // that passes garbage regions from growing it without bound.
  if (regionCache.size < 1024) regionCache.set(code, info);
  return info;
}

/**
 * Per country calling code: the national-number lengths possible in EVERY country that
 * shares the code, and the national (trunk) prefixes libphonenumber would try to strip.
 * An E.164 string whose national part has such a length and starts with no such prefix is
 * exactly what libphonenumber would return as possible, so the fast path can accept it
 * without parsing.
 */
export interface CallingCodeInfo {
  callingCode: string;
  possibleLengths: ReadonlySet<number>;
  trunkPrefixes: readonly RegExp[];
}

function buildCallingCodes(): Map<string, CallingCodeInfo> {
  const table = new Map<string, CallingCodeInfo>();
  const codes = new Set([
    ...Object.keys(metadataJson.country_calling_codes),
    ...Object.keys(metadataJson.nonGeographic),
  ]);
  for (const code of codes) {
    const members: string[] = [code, ...(metadataJson.country_calling_codes[code] ?? [])];
    const plans = members.filter((m) => m !== '001').map(planOf);
    let lengths: Set<number> | undefined;
    const trunkPrefixes: RegExp[] = [];
    for (const plan of plans) {
      const own = new Set(plan.possibleLengths());
      lengths = lengths === undefined ? own : new Set([...lengths].filter((n) => own.has(n)));
      const trunk = plan.nationalPrefixForParsing();
      if (trunk) trunkPrefixes.push(new RegExp(`^(?:${trunk})`));
    }
    table.set(code, { callingCode: code, possibleLengths: lengths ?? new Set(), trunkPrefixes });
  }
  return table;
}

/**
 * Keyed by the code's value: no calling code starts with 0, so the value names the code,
 * and looking one up in the hot path takes no substring.
 */
const callingCodesByValue = new Map([...buildCallingCodes()].map(([code, info]) => [Number(code), info]));

/**
 * The country calling code the digits from `start` on begin with, if any (codes are
 * prefix-free).
 */
export function callingCodeAt(digits: string, start = 0): CallingCodeInfo | undefined {
  let value = 0;
  for (let at = start; at < start + 3 && at < digits.length; at++) {
    const digit = digits.charCodeAt(at) - 0x30;
    if (digit < 0 || digit > 9 || (at === start && digit === 0)) return undefined;
    value = value * 10 + digit;
    const info = callingCodesByValue.get(value);
    if (info) return info;
  }
  return undefined;
}

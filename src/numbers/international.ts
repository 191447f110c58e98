import type { RegionInfo } from './metadata.js';

/**
 * Whether digits written without `+` start with an international (IDD) prefix, and what
 * follows it. With a region: that region's own prefix (011 in the US, 0011 in AU, 810 in
 * RU), then `00`, the ITU prefix most people write whatever their region; no national
 * number starts with 00 after its trunk prefix, so reading 00 as international is safe.
 * Without a region: `00`, or `011` (NANP). With a region 011 is NOT read as
 * international, because it is a national area code in GB (0114 Sheffield, 0117 Bristol).
 */
export function afterInternationalPrefix(digits: string, region: RegionInfo | undefined): string | undefined {
  if (region) {
    const own = region.internationalPrefix.exec(digits);
    if (own) return digits.slice(own[0].length);
    return digits.startsWith('00') ? digits.slice(2) : undefined;
  }
  if (digits.startsWith('00')) return digits.slice(2);
  if (digits.startsWith('011')) return digits.slice(3);
  return undefined;
}

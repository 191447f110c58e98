/**
 * An E.164 number held as its digits read as a float (`+14155550100` -> 14155550100):
 * E.164 has at most 15 digits, exact below 2^53. 8 bytes a number in a typed array,
 * where a string costs several times that and a garbage object besides; bulk work (a
 * scrub's window of 500,000 rows) keeps numbers this way from the input to the wire.
 */

/** The digits of an E.164 number as a float: `+14155550100` -> 14155550100. */
export function digitsOf(e164: string): number {
  return Number(e164.slice(1));
}

/** The E.164 number of digits from digitsOf(). */
export function e164Of(digits: number): string {
  return `+${digits}`;
}

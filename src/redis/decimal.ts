/**
 * Non-negative integers below 2^53 written as ASCII decimal bytes straight into a
 * buffer, with no string between: RESP's counts and the arguments a RespWriter makes
 * from numbers, and the digits a scrub writes into its removed file.
 */

/**
 * How many decimal digits a non-negative integer below 2^53 has. Compares with
 * constants, where a loop over a table of powers took 35 against 21 ns a call for an
 * 11-digit number (measured with the calling loop's own cost).
 */
export function digitCount(digits: number): number {
  if (digits < 1e8) {
    if (digits < 1e4) return digits < 1e2 ? (digits < 1e1 ? 1 : 2) : digits < 1e3 ? 3 : 4;
    return digits < 1e6 ? (digits < 1e5 ? 5 : 6) : digits < 1e7 ? 7 : 8;
  }
  if (digits < 1e12) return digits < 1e10 ? (digits < 1e9 ? 9 : 10) : digits < 1e11 ? 11 : 12;
  return digits < 1e14 ? (digits < 1e13 ? 13 : 14) : digits < 1e15 ? 15 : 16;
}

/** Below this a number's digits are split with 32-bit integer arithmetic. */
const INT_PART = 1e8;
/** "00" to "99": two digits a division. */
const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0')).join(''), 'latin1');

/**
 * Writes the decimal digits of a non-negative integer below 2^53 as ASCII at `at`;
 * returns the offset after them. In two parts below 10^8 each: % and / of small
 * integers run as integer instructions, where those of a float larger than 2^31 go
 * through a slow floating-point remainder (measured: 8% of a scrub's CLI time).
 */
export function writeDecimal(buffer: Buffer, at: number, value: number): number {
  return writeDigits(buffer, at, value, digitCount(value));
}

/**
 * writeDecimal of a value whose digitCount the caller has already: a RespWriter needs it
 * for the header before the digits. The low part's 8 digits two at a time from a table
 * (int32 division by 100): writeDecimal of an 11-digit number 55 to 70 ns against 108 to 125
 * a digit at a time (measured with the calling loop's own cost).
 */
export function writeDigits(buffer: Buffer, at: number, value: number, count: number): number {
  const end = at + count;
  const high = Math.floor(value / INT_PART);
  // Both parts below 10^8 (2^53 / 10^8 < 2^27): int32, so / and * are integer instructions.
  let low = (value - high * INT_PART) | 0;
  let i = end;
  if (high > 0) {
    for (let n = 0; n < 4; n += 1) {
      const next = (low / 100) | 0;
      const pair = (low - next * 100) * 2;
      buffer[--i] = PAIRS[pair + 1] as number;
      buffer[--i] = PAIRS[pair] as number;
      low = next;
    }
    low = high | 0;
  }
  while (i > at) {
    const next = (low / 10) | 0;
    buffer[--i] = 0x30 + (low - next * 10);
    low = next;
  }
  return end;
}

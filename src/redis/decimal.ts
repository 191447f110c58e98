/**
 * Non-negative integers below 2^53 written as ASCII decimal bytes straight into a
 * buffer, with no string between: RESP's counts and the arguments a RespWriter makes
 * from numbers, and the digits a scrub writes into its removed file.
 */

/** Powers of ten up to 10^15: the digit counts of integers below 2^53. */
const POWERS = Array.from({ length: 16 }, (_, n) => 10 ** n);

/** How many decimal digits a non-negative integer below 2^53 has. */
export function digitCount(digits: number): number {
  let count = 1;
  while (count < POWERS.length && digits >= (POWERS[count] as number)) count += 1;
  return count;
}

/** Below this a number's digits are split with 32-bit integer arithmetic. */
const INT_PART = 1e8;

/**
 * Writes the decimal digits of a non-negative integer below 2^53 as ASCII at `at`;
 * returns the offset after them. In two parts below 10^8 each: % and / of small
 * integers run as integer instructions, where those of a float larger than 2^31 go
 * through a slow floating-point remainder (measured: 8% of a scrub's CLI time).
 */
export function writeDecimal(buffer: Buffer, at: number, value: number): number {
  return writeDigits(buffer, at, value, digitCount(value));
}

/** writeDecimal of a value whose digitCount the caller has already: a RespWriter needs it for the header before the digits. */
export function writeDigits(buffer: Buffer, at: number, value: number, count: number): number {
  const end = at + count;
  const high = Math.floor(value / INT_PART);
  let low = value - high * INT_PART;
  let i = end - 1;
  for (let n = 0; n < 8 && i >= at; n += 1, i -= 1) {
    const next = (low / 10) | 0;
    buffer[i] = 0x30 + (low - next * 10);
    low = next;
  }
  let rest = high;
  for (; i >= at; i -= 1) {
    const next = Math.floor(rest / 10);
    buffer[i] = 0x30 + (rest - next * 10);
    rest = next;
  }
  return end;
}

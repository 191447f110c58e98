/**
 * The order a scrub asks a window's numbers in: grouped by dense block (the number
 * without its last 4 digits), so a batch of the window meets a block in one run and
 * the batch read (lists/bulk-read.ts) reads it once for all its numbers, however the
 * lead file is ordered. Numbers are held as their digits (numbers/digits.ts).
 */

/** Positions a window may hold: the position is packed below the block in one float key. */
export const BLOCK_ORDER_MAX_NUMBERS = 2 ** 20;
/** Blocks above this do not fit beside a position in a float's 53 exact bits. */
const PACKED_BLOCK_LIMIT = 2 ** 33;
/** A block is the number without its last 4 digits. */
const BLOCK_SIZE = 10_000;

/**
 * The positions of the first `count` numbers of `digits` (digitsOf) sorted by block,
 * positions of one block in the order given. A block too long to pack (a 12- to
 * 15-digit number of no dense plan) sorts as block 0: no dense list holds it, so its
 * grouping does not matter. A Float64Array sorts natively, several times faster than
 * sorting with a comparator.
 */
export function blockOrder(digits: Float64Array, count = digits.length): Uint32Array {
  if (count > BLOCK_ORDER_MAX_NUMBERS) throw new RangeError(`blockOrder: ${count} numbers, at most ${BLOCK_ORDER_MAX_NUMBERS}`);
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const block = Math.floor((digits[i] as number) / BLOCK_SIZE);
    keys[i] = (block < PACKED_BLOCK_LIMIT ? block : 0) * BLOCK_ORDER_MAX_NUMBERS + i;
  }
  keys.sort();
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) {
    // Not %: a float's remainder is a slow call, Math.floor a fast instruction.
    const key = keys[i] as number;
    order[i] = key - Math.floor(key / BLOCK_ORDER_MAX_NUMBERS) * BLOCK_ORDER_MAX_NUMBERS;
  }
  return order;
}

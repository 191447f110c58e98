/**
 * The order a scrub asks a window's numbers in: grouped by dense block (the number
 * without its last 4 digits), so a batch of the window meets a block in one run and
 * scrub-many.lua reads it with one GET, however the lead file is ordered.
 */

/** Positions a window may hold: the position is packed below the block in one float key. */
export const BLOCK_ORDER_MAX_NUMBERS = 2 ** 20;
/** Blocks above this do not fit beside a position in a float's 53 exact bits. */
const PACKED_BLOCK_LIMIT = 2 ** 33;

/**
 * The positions of `numbers` (E.164) sorted by block, positions of one block in the
 * order given. A block too long to pack (a 12- to 15-digit number of no dense plan)
 * sorts as block 0: no dense list holds it, so its grouping does not matter. A
 * Float64Array sorts natively, several times faster than sorting with a comparator.
 */
export function blockOrder(numbers: readonly string[]): Uint32Array {
  if (numbers.length > BLOCK_ORDER_MAX_NUMBERS) {
    throw new RangeError(`blockOrder: ${numbers.length} numbers, at most ${BLOCK_ORDER_MAX_NUMBERS}`);
  }
  const keys = new Float64Array(numbers.length);
  for (let i = 0; i < numbers.length; i += 1) {
    const block = Number((numbers[i] as string).slice(1, -4));
    keys[i] = (block < PACKED_BLOCK_LIMIT ? block : 0) * BLOCK_ORDER_MAX_NUMBERS + i;
  }
  keys.sort();
  const order = new Uint32Array(numbers.length);
  for (let i = 0; i < keys.length; i += 1) order[i] = (keys[i] as number) % BLOCK_ORDER_MAX_NUMBERS;
  return order;
}

/**
 * The order a scrub asks a window's numbers in: grouped by dense block (the number
 * without its last 4 digits), so a batch of the window meets a block in one run and
 * the batch read (lists/bulk-read.ts) reads it once for all its numbers, however the
 * lead file is ordered. Numbers are held as their digits (numbers/digits.ts).
 */

/** Positions a window may hold. */
export const BLOCK_ORDER_MAX_NUMBERS = 2 ** 20;
/** Blocks at or above this (a 14- or 15-digit number of no dense plan) all sort as block 0. */
const PACKED_BLOCK_LIMIT = 2 ** 33;
/** A block is the number without its last 4 digits. */
const BLOCK_SIZE = 10_000;
/** Bits of a block sorted a pass: three passes cover a span of 2^33 blocks, two a span of 2^22 (a calling code of 10 national digits). */
const RADIX_BITS = 11;
const RADIX = 2 ** RADIX_BITS;
const RADIX_MASK = RADIX - 1;
/** The block's bits above the first two passes' are kept apart: 33 bits do not fit a Uint32Array. */
const LOW_SPAN = 2 ** (2 * RADIX_BITS);

/**
 * The positions of the first `count` numbers of `digits` (digitsOf) sorted by block,
 * positions of one block in the order given. A block too long to pack (a 14- or
 * 15-digit number of no dense plan) sorts as block 0: no dense list holds it, so its
 * grouping does not matter. A radix sort of the blocks (stable, so a block's positions
 * stay in order), each pass of 11 bits one count and one scatter: measured on windows
 * of 40,000 and 500,000 random US numbers, 50 to 60 ns a number where the native sort
 * of block-and-position floats it replaces took 130 to 160 (5% of the scrub CLI's CPU).
 */
export function blockOrder(digits: Float64Array, count = digits.length): Uint32Array {
  if (count > BLOCK_ORDER_MAX_NUMBERS) throw new RangeError(`blockOrder: ${count} numbers, at most ${BLOCK_ORDER_MAX_NUMBERS}`);
  const blocks = new Float64Array(count);
  let lowest = Infinity;
  let highest = -Infinity;
  for (let i = 0; i < count; i += 1) {
    const block = Math.floor((digits[i] as number) / BLOCK_SIZE);
    const kept = block < PACKED_BLOCK_LIMIT ? block : 0;
    blocks[i] = kept;
    if (kept < lowest) lowest = kept;
    if (kept > highest) highest = kept;
  }
  let order = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) order[i] = i;
  if (count < 2 || highest === lowest) return order;
  // The blocks less the lowest: a window of one country spans few bits, so fewer passes.
  const span = highest - lowest;
  const passes = span < RADIX ? 1 : span < LOW_SPAN ? 2 : 3;
  let low = new Uint32Array(count);
  let high = passes === 3 ? new Uint32Array(count) : low;
  for (let i = 0; i < count; i += 1) {
    const relative = (blocks[i] as number) - lowest;
    const above = Math.floor(relative / LOW_SPAN);
    low[i] = relative - above * LOW_SPAN;
    if (passes === 3) high[i] = above;
  }
  // The keys move with the positions, so each pass reads them in sequence.
  let spare = new Uint32Array(count);
  let lowSpare = new Uint32Array(count);
  let highSpare = passes === 3 ? new Uint32Array(count) : lowSpare;
  const starts = new Uint32Array(RADIX);
  for (let pass = 0; pass < passes; pass += 1) {
    const keys = pass === 2 ? high : low;
    const shift = pass === 1 ? RADIX_BITS : 0;
    starts.fill(0);
    for (let j = 0; j < count; j += 1) {
      const d = ((keys[j] as number) >>> shift) & RADIX_MASK;
      starts[d] = (starts[d] as number) + 1;
    }
    let sum = 0;
    for (let d = 0; d < RADIX; d += 1) {
      const n = starts[d] as number;
      starts[d] = sum;
      sum += n;
    }
    const last = pass === passes - 1;
    for (let j = 0; j < count; j += 1) {
      const d = ((keys[j] as number) >>> shift) & RADIX_MASK;
      const to = starts[d] as number;
      starts[d] = to + 1;
      spare[to] = order[j] as number;
      if (last) continue;
      lowSpare[to] = low[j] as number;
      if (passes === 3) highSpare[to] = high[j] as number;
    }
    [order, spare] = [spare, order];
    [low, lowSpare] = [lowSpare, low];
    if (passes === 3) [high, highSpare] = [highSpare, high];
  }
  return order;
}

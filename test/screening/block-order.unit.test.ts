import { describe, expect, it } from 'vitest';
import { digitsOf, e164Of } from '../../src/numbers/digits.js';
import { blockOrder } from '../../src/screening/block-order.js';

function ordered(numbers: string[]): string[] {
  return Array.from(blockOrder(Float64Array.from(numbers, digitsOf)), (at) => numbers[at] as string);
}

describe('blockOrder', () => {
  it('groups numbers by block, keeping the given order within a block', () => {
    expect(ordered(['+12015550101', '+14155550100', '+12015550100', '+441632960000', '+14155559999', '+12015550101'])).toEqual([
      '+12015550101', '+12015550100', '+12015550101', '+14155550100', '+14155559999', '+441632960000',
    ]);
  });

  it('places every position once, numbers too long to pack first in the given order', () => {
    const numbers = ['+14155550100', '+123456789012345', '+4930123456', '+999999999999999', '+12'];
    expect(ordered(numbers)).toEqual(['+123456789012345', '+999999999999999', '+12', '+4930123456', '+14155550100']);
  });

  it('reads only the first count numbers of a window', () => {
    const window = new Float64Array(8);
    window.set([14155550100, 12015550100]);
    expect(Array.from(blockOrder(window, 2))).toEqual([1, 0]);
  });

  it('gives back every E.164 number of 15 digits exactly', () => {
    for (const number of ['+999999999999999', '+100000000000001', '+12015550100']) expect(e164Of(digitsOf(number))).toBe(number);
  });
});

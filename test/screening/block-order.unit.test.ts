import fc from 'fast-check';
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

describe('blockOrder against a comparison sort', () => {
  /** The order by block then position, as the comparison sort it stands for gives it. */
  function reference(digits: Float64Array): number[] {
    const block = (value: number): number => {
      const b = Math.floor(value / 10_000);
      return b < 2 ** 33 ? b : 0;
    };
    return Array.from(digits.keys()).sort((a, b) => block(digits[a] as number) - block(digits[b] as number) || a - b);
  }
  // Numbers of one area code (one pass), of one calling code (two), of any length (three, and blocks too long to pack).
  const areaCode = fc.integer({ min: 0, max: 9_999_999 }).map((n) => 14_150_000_000 + n);
  const callingCode = fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((n) => 10_000_000_000 + n);
  const anyLength = fc.integer({ min: 0, max: 999_999_999_999_999 });

  it('gives the same positions for windows of one area code, one calling code and mixed lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(areaCode, callingCode, anyLength), { maxLength: 3000 }), fc.constantFrom('area', 'calling', 'mixed'), (mixed, kind) => {
        const values = kind === 'mixed' ? mixed : mixed.map((n) => (kind === 'area' ? 14_150_000_000 + (n % 10_000_000) : 10_000_000_000 + (n % 10_000_000_000)));
        const digits = Float64Array.from(values);
        expect(Array.from(blockOrder(digits))).toEqual(reference(digits));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the given order of many numbers in few blocks', () => {
    const digits = Float64Array.from({ length: 50_000 }, (_, i) => 12_015_550_000 + ((i * 7919) % 40_000));
    expect(Array.from(blockOrder(digits))).toEqual(reference(digits));
  });
});

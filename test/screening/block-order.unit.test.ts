import { describe, expect, it } from 'vitest';
import { blockOrder } from '../../src/screening/block-order.js';

describe('blockOrder', () => {
  it('groups numbers by block, keeping the given order within a block', () => {
    const numbers = ['+12015550101', '+14155550100', '+12015550100', '+441632960000', '+14155559999', '+12015550101'];
    expect(Array.from(blockOrder(numbers), (at) => numbers[at])).toEqual([
      '+12015550101', '+12015550100', '+12015550101', '+14155550100', '+14155559999', '+441632960000',
    ]);
  });

  it('places every position once, numbers too long to pack first in the given order', () => {
    const numbers = ['+14155550100', '+123456789012345', '+4930123456', '+999999999999999', '+1'];
    const order = Array.from(blockOrder(numbers));
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(order.slice(0, 3)).toEqual([1, 3, 4]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digitCount, writeDecimal } from '../../src/redis/decimal.js';

describe('writeDecimal', () => {
  it('writes the same digits as String() for every integer of E.164 length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (value) => {
        const buffer = Buffer.alloc(20, 0x2e);
        const end = writeDecimal(buffer, 2, value);
        expect(buffer.toString('latin1', 2, end)).toBe(String(value));
        expect(end - 2).toBe(digitCount(value));
        expect(buffer[end]).toBe(0x2e);
      }),
    );
  });

  it('writes the edges of each part: 0, 10^8 - 1, 10^8, 10^15', () => {
    for (const value of [0, 9, 10, 99_999_999, 100_000_000, 100_000_001, 14155550100, 1e15, 999_999_999_999_999]) {
      const buffer = Buffer.alloc(20);
      expect(buffer.toString('latin1', 0, writeDecimal(buffer, 0, value))).toBe(String(value));
    }
  });

  it('counts the digits of each power of ten and the integer below it', () => {
    for (let n = 1; n <= 15; n += 1) {
      expect(digitCount(10 ** n)).toBe(n + 1);
      expect(digitCount(10 ** n - 1)).toBe(n);
    }
    expect(digitCount(0)).toBe(1);
    expect(digitCount(Number.MAX_SAFE_INTEGER)).toBe(16);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockOf } from '../../src/lists/dense.js';
import { DataParts, describeOldestPart } from '../../src/lists/source-date.js';

const partsOf = (fill: (parts: DataParts) => void): string[] => {
  const parts = new DataParts();
  fill(parts);
  return parts.names();
};

describe('the parts of a list an import dates', () => {
  it('a +1 number is in its area code whether read fast (its block) or as a member', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[2-9]\d{9}$/), (national) => {
        const e164 = `+1${national}`;
        expect(partsOf((parts) => parts.addNanpBlock(blockOf(e164)))).toEqual([national.slice(0, 3)]);
        expect(partsOf((parts) => parts.addMember(e164))).toEqual([national.slice(0, 3)]);
      }),
    );
  });

  it('every other number, and a +1 prefix too short to name an area code, is the one part other', () => {
    expect(partsOf((parts) => ['+4930123456', '+442079460000', '+1*', '+12*'].forEach((member) => parts.addMember(member)))).toEqual(['other']);
    expect(partsOf((parts) => ['+1415*', '+14155550100', '+12015550100', '+4930123456'].forEach((member) => parts.addMember(member)))).toEqual(['201', '415', 'other']);
  });

  it('names the oldest part for people', () => {
    expect(describeOldestPart({ part: '415', parts: 1 })).toBe('area code 415');
    expect(describeOldestPart({ part: '201', parts: 4 })).toBe('area code 201 and 3 more');
    expect(describeOldestPart({ part: 'other', parts: 1 })).toBe('numbers outside +1');
    expect(describeOldestPart({ part: 'all', parts: 1 })).toBe('the list as dated before dates per area code');
  });
});

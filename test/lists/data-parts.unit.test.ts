import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockOf } from '../../src/lists/dense.js';
import { DataParts, describeOldestPart, partOf, partsDatesOf, partSourceOf } from '../../src/lists/source-date.js';

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

  it('puts a member in the part an import dates it in, a number and a prefix alike', () => {
    for (const member of ['+14155550100', '+1415*', '+4930123456', '+1*', '+12*']) {
      expect(partOf(member)).toEqual(partsOf((parts) => parts.addMember(member))[0]);
    }
  });
});

describe("the date of a member's own part", () => {
  const DAY = 86_400_000;
  const NOW = Date.UTC(2026, 11, 3);
  const sourceParts = JSON.stringify([
    [NOW - 40 * DAY, 'flag', 'registry.txt', ['415', '650']],
    [NOW, 'file', '201.txt', ['201']],
  ]);

  it("is the date of the import that dated its area code last, not the list's oldest", () => {
    const dates = partsDatesOf({ sourceParts, sourceDate: String(NOW - 40 * DAY) });
    expect(partSourceOf(dates, '+12015550100')).toEqual({ part: '201', name: '201.txt', dataDate: NOW, from: 'file' });
    expect(partSourceOf(dates, '+1201*')).toMatchObject({ part: '201', dataDate: NOW });
    expect(partSourceOf(dates, '+16505550100')).toEqual({ part: '650', name: 'registry.txt', dataDate: NOW - 40 * DAY, from: 'flag' });
  });

  it('is none where no import dated its part (an entry added by hand)', () => {
    const dates = partsDatesOf({ sourceParts });
    expect(partSourceOf(dates, '+12125550100')).toBeUndefined();
    expect(partSourceOf(dates, '+4930123456')).toBeUndefined();
    expect(partsDatesOf({})).toEqual([]);
  });

  it("of a list dated before dates per part is that date (the part all), until an import dates the member's own part", () => {
    const legacy = { sourceDate: String(NOW - 40 * DAY), source: 'dnc-all.zip', sourceFrom: 'file' };
    expect(partSourceOf(partsDatesOf(legacy), '+12015550100')).toEqual({ part: 'all', name: 'dnc-all.zip', dataDate: NOW - 40 * DAY, from: 'file' });
    // What date-parts-1.lua keeps once 201's file is loaded into such a list.
    const dates = partsDatesOf({ ...legacy, sourceParts: JSON.stringify([[NOW - 40 * DAY, 'file', 'dnc-all.zip', ['all']], [NOW, 'flag', 'stdin', ['201']]]) });
    expect(partSourceOf(dates, '+12015550100')).toMatchObject({ part: '201', dataDate: NOW });
    expect(partSourceOf(dates, '+14155550100')).toMatchObject({ part: 'all', dataDate: NOW - 40 * DAY });
  });

  it('refuses dates it cannot read rather than make one up', () => {
    expect(() => partsDatesOf({ sourceParts: '{"201":1}' })).toThrow(/not a list of dates/);
    expect(() => partsDatesOf({ sourceParts: '[["yesterday","flag","x",["201"]]]' })).toThrow(/no date/);
  });
});

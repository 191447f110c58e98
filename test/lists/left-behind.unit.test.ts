import { describe, expect, it } from 'vitest';
import { createAsItWas, createsAsItWas, describeLeftBehind, leftBehindRefusal, type LeftBehind } from '../../src/lists/left-behind.js';

const nanp = (gen: string, blocks: number, unindexed = 0) => ({ gen, plan: 'nanp' as const, blocks, unindexed });
const left = (generations: LeftBehind['generations'], exact = 0, timed = 0): LeftBehind => ({ exact, timed, generations });

describe('what a lost list left behind, in words and ways out', () => {
  it('names the create of the kind the keys were written by, and none when no create reads them all', () => {
    expect(createAsItWas('us', left([], 3))).toBe('callguard list create us');
    expect(createAsItWas('us', left([nanp('a', 2)]))).toBe('callguard list create us --dense nanp');
    expect(createAsItWas('us', left([nanp('a', 2), nanp('b', 1)]))).toBe('callguard list create us --dense nanp --generation <id>');
    expect(createAsItWas('us', left([nanp('a', 0, 4)]))).toBeUndefined();
    expect(createAsItWas('us', left([nanp('a', 2), { gen: 'b', plan: 'uk', blocks: 1, unindexed: 0 }]))).toBeUndefined();
    expect(createAsItWas('us', left([{ gen: 'a', plan: undefined, blocks: 1, unindexed: 0 }]))).toBeUndefined();
  });

  it('gives the same creates as options, one for each generation when several are left, none when an index is lost beside them', () => {
    expect(createsAsItWas(left([], 3))).toEqual([{}]);
    expect(createsAsItWas(left([nanp('a', 2)]))).toEqual([{ dense: 'nanp' }]);
    expect(createsAsItWas(left([nanp('a', 2), nanp('c', 1)]))).toEqual([{ dense: 'nanp', generation: 'a' }, { dense: 'nanp', generation: 'c' }]);
    expect(createsAsItWas(left([nanp('a', 2), nanp('b', 0, 5), nanp('c', 1)]))).toEqual([]);
    expect(createsAsItWas(left([nanp('a', 0, 4)]))).toEqual([]);
    expect(createsAsItWas(left([nanp('a', 2), { gen: 'b', plan: 'uk', blocks: 1, unindexed: 0 }]))).toEqual([]);
  });

  it('a refusal carries the creates its words name, and none when only the removal is named', () => {
    expect(leftBehindRefusal('us', undefined, undefined, left([nanp('a', 2)])).creates).toEqual([{ dense: 'nanp' }]);
    expect(leftBehindRefusal('us', 'nanp', undefined, left([], 3)).creates).toEqual([{}]);
    expect(leftBehindRefusal('us', 'nanp', undefined, left([nanp('a', 2)], 3)).creates).toEqual([]);
    expect(leftBehindRefusal('us', 'nanp', undefined, left([nanp('a', 0, 3)])).creates).toEqual([]);
  });

  it('counts each part, singular or plural, and bitmaps whose index is lost', () => {
    expect(describeLeftBehind(left([nanp('a', 0, 1), { gen: 'b', plan: undefined, blocks: 2, unindexed: 0 }], 1, 2))).toBe(
      '1 number in its SET, 2 timed entries and prefixes, bitmaps of plan nanp (generation a, 1 bitmap whose index is lost), bitmaps of no known plan (generation b, 2 blocks)',
    );
    expect(describeLeftBehind({ ...left([], 20_000), inPlan: undefined }, 'nanp')).toBe('20000 numbers in its SET (some of plan nanp)');
  });

  it('without a create that reads it all, the only way out named is the removal', () => {
    const refusal = leftBehindRefusal('us', 'nanp', undefined, left([nanp('a', 0, 3)]));
    expect(refusal.code).toBe('left-behind');
    expect(refusal.message).toBe(
      'list us was not created: its lost info left behind bitmaps of plan nanp (generation a, 3 bitmaps whose index is lost), and the index of generation a ' +
        'is lost too, so no list reads its bitmaps; nothing was written. Remove what is left knowingly with callguard list rm us --left-behind, then create it',
    );
  });
});

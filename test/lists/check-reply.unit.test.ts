import { describe, expect, it } from 'vitest';
import { checkCountFromReply, checkManyFromReply, scrubMatchesFromReply } from '../../src/lists/check.js';

const ENTRY = ['+4930123456', 'inf', JSON.stringify({ reason: 'asked not to be called', by: 'alice', at: 1 })];
const DNC = { list: 'dnc', member: '+4930123456', kind: 'exact', expiresAt: null, reason: 'asked not to be called', by: 'alice', addedAt: 1 };

describe('check script replies become types at one boundary (lists/check.ts)', () => {
  it('check-many without counters: a match or null for each list, in order', () => {
    expect(checkManyFromReply(['dnc', 'spam'], 0, [ENTRY, null])).toEqual({ results: [DNC, null], counts: [] });
  });

  it('check-many with counters: the matches and the calls in each window of each counter', () => {
    expect(checkManyFromReply(['dnc'], 2, [[null], [[3, 7], [1]]])).toEqual({ results: [null], counts: [[3, 7], [1]] });
  });

  it.each([
    ['a reply for fewer lists than asked', ['dnc', 'spam'], 0, [null]],
    ['no counts where counters were sent', ['dnc'], 1, [null]],
    ['counts that are not numbers', ['dnc'], 1, [[null], [['3']]]],
    ['a count missing', ['dnc'], 2, [[null], [[3]]]],
  ])('check-many: %s is an error, never "not listed"', (_what, lists, counters, reply) => {
    expect(() => checkManyFromReply(lists, counters, reply)).toThrow(/unexpected reply from the check script/);
  });

  it('check-count: the list reply and its counter’s calls', () => {
    expect(checkCountFromReply('dnc', [ENTRY, [2]])).toEqual({ result: DNC, counts: [2] });
  });

  it('check-count: a bare list reply (the counter lost) is an error', () => {
    expect(() => checkCountFromReply('dnc', ENTRY)).toThrow(/unexpected reply from the check-and-count script for list dnc/);
  });

  it('scrub-many: the matches by the number and the list they matched in, 0-based', () => {
    expect(scrubMatchesFromReply(3, 2, [3, '2\t+4930*', 1, '1\t+4930123456'])).toEqual([
      { number: 2, list: 1, member: '+4930*' },
      { number: 0, list: 0, member: '+4930123456' },
    ]);
    expect(scrubMatchesFromReply(3, 2, [])).toEqual([]);
  });

  it.each([
    ['no array', null],
    ['a position without its entry', [1]],
    ['a position past the batch', [4, '1\t+4930123456']],
    ['a list past those asked', [1, '3\t+4930123456']],
    ['an entry without its list', [1, '+4930123456']],
    ['an entry without its member', [1, '1\t']],
  ])('scrub-many: %s throws rather than read as no match', (_case, reply) => {
    expect(() => scrubMatchesFromReply(3, 2, reply)).toThrow(/unexpected reply from the scrub script/);
  });
});

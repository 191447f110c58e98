import { describe, expect, it } from 'vitest';
import { checkCountFromReply, checkManyFromReply } from '../../src/lists/check.js';

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
});

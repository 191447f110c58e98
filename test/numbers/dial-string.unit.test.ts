import { describe, expect, it } from 'vitest';
import { HIDDEN_WORDS, readDialString } from '../../src/numbers/dial-string.js';

describe('readDialString', () => {
  it('every hidden word starts with a letter, so text that starts like a number skips the word check safely', () => {
    for (const word of HIDDEN_WORDS) expect({ word, letter: /^\p{L}/u.test(word) }).toEqual({ word, letter: true });
  });

  it.each(['+anonymous', '(anonymous)', '0 unknown'])('%j starts like a number and is not hidden', (raw) => {
    expect(readDialString(raw)).toEqual({ kind: 'malformed', reason: 'contains letters' });
  });

  it.each([' Anonymous', '_withheld_', '-private-', 'No_Caller-ID'])('%j is still hidden', (raw) => {
    expect(readDialString(raw)).toEqual({ kind: 'hidden' });
  });
});

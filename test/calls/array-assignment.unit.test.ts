import { describe, expect, it } from 'vitest';
import { arrayAssignment } from '../../src/calls/array-assignment.js';

describe('several channel variables in one ARRAY() write', () => {
  it('names every variable in order and joins the values with commas', () => {
    expect(arrayAssignment({ CALLGUARD_VERDICT: 'blocked', CALLGUARD_LIST: 'dnc', CALLGUARD_NUMBER: '+493012345678' })).toEqual({
      name: 'ARRAY(CALLGUARD_VERDICT,CALLGUARD_LIST,CALLGUARD_NUMBER)',
      value: 'blocked,dnc,+493012345678',
    });
  });

  it("escapes what ARRAY()'s parser reads as syntax, so a reason keeps its commas, quotes, brackets and backslashes", () => {
    expect(arrayAssignment({ A: 'said "stop", twice (no [more]) \\ ok', B: '' })?.value).toBe(
      'said \\"stop\\"\\, twice \\(no \\[more\\]\\) \\\\ ok,',
    );
  });

  it('sets a single variable by its own name, and nothing when none is given', () => {
    expect(arrayAssignment({ CALLGUARD_VERDICT: 'clear' })).toEqual({ name: 'CALLGUARD_VERDICT', value: 'clear' });
    expect(arrayAssignment({})).toBeUndefined();
  });

  it('refuses a name ARRAY() could not carry', () => {
    expect(() => arrayAssignment({ A: 'a', 'B,C': 'b' })).toThrow(/cannot be set through ARRAY/);
  });
});

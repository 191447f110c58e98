import { describe, expect, it } from 'vitest';
import { hangupCauseOfOutcome, outcomeOfDialStatus, outcomeOfHangupCause } from '../../src/dialer/outcome.js';

describe('Asterisk results as dial outcomes', () => {
  it.each([
    [17, 'BUSY'],
    [18, 'NO_ANSWER'],
    [19, 'NO_ANSWER'],
    [16, 'FAILED'],
    [21, 'FAILED'],
    [1, 'FAILED'],
    [34, 'FAILED'],
    [38, 'FAILED'],
    [0, 'FAILED'],
  ])('hangup cause %i is %s', (cause, outcome) => {
    expect(outcomeOfHangupCause(cause)).toBe(outcome);
  });

  it.each([
    ['ANSWER', 'ANSWERED'],
    ['BUSY', 'BUSY'],
    ['NOANSWER', 'NO_ANSWER'],
    ['noanswer', 'NO_ANSWER'],
    ['CONGESTION', 'FAILED'],
    ['CHANUNAVAIL', 'FAILED'],
    ['CANCEL', 'FAILED'],
    ['', 'FAILED'],
  ])('DIALSTATUS %s is %s', (status, outcome) => {
    expect(outcomeOfDialStatus(status)).toBe(outcome);
  });

  it('an outcome goes back to the agent leg as the cause that produces it', () => {
    for (const outcome of ['BUSY', 'NO_ANSWER'] as const) {
      expect(outcomeOfHangupCause(hangupCauseOfOutcome(outcome))).toBe(outcome);
    }
    expect(hangupCauseOfOutcome('FAILED')).toBe(34);
  });
});

import type { DialOutcome } from '../screening/campaign.js';

/**
 * How the ARI side turns what Asterisk reports into a dial outcome, and back into the
 * cause an agent's leg hears. Q.850: 17 user busy, 18 no user responding, 19 no answer
 * (the originate timeout and an unanswered ring end with it); anything else before an
 * answer (21 rejected, 1 unallocated, 34 congestion, 38 network out of order...) is a failure.
 */
export const CAUSE_USER_BUSY = 17;
export const CAUSE_NO_USER_RESPONSE = 18;
export const CAUSE_NO_ANSWER = 19;
export const CAUSE_CONGESTION = 34;

/** The outcome of an originated channel that ended before it was answered. */
export function outcomeOfHangupCause(cause: number): Exclude<DialOutcome, 'ANSWERED'> {
  if (cause === CAUSE_USER_BUSY) return 'BUSY';
  if (cause === CAUSE_NO_USER_RESPONSE || cause === CAUSE_NO_ANSWER) return 'NO_ANSWER';
  return 'FAILED';
}

/** The outcome of a `DIALSTATUS` (Dial() in the dialplan): ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL... */
export function outcomeOfDialStatus(status: string): DialOutcome {
  switch (status.trim().toUpperCase()) {
    case 'ANSWER':
      return 'ANSWERED';
    case 'BUSY':
      return 'BUSY';
    case 'NOANSWER':
      return 'NO_ANSWER';
    default:
      return 'FAILED';
  }
}

/** The cause an agent's leg is hung up with when the far end was not reached. */
export function hangupCauseOfOutcome(outcome: Exclude<DialOutcome, 'ANSWERED'>): number {
  switch (outcome) {
    case 'BUSY':
      return CAUSE_USER_BUSY;
    case 'NO_ANSWER':
      return CAUSE_NO_ANSWER;
    case 'FAILED':
      return CAUSE_CONGESTION;
  }
}

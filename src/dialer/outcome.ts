import type { DialOutcome } from '../screening/campaign.js';
import { CAUSES } from '../screening/causes.js';

/**
 * How the ARI side turns what Asterisk reports into a dial outcome, and back into the
 * cause an agent's leg hears. Q.850: 17 user busy, 18 no user responding, 19 no answer
 * (the originate timeout and an unanswered ring end with it); anything else before an
 * answer (21 rejected, 1 unallocated, 34 congestion, 38 network out of order...) is a failure.
 */

/** The outcome of an originated channel that ended before it was answered. */
export function outcomeOfHangupCause(cause: number): Exclude<DialOutcome, 'ANSWERED'> {
  if (cause === CAUSES.userBusy) return 'BUSY';
  if (cause === CAUSES.noUserResponse || cause === CAUSES.noAnswer) return 'NO_ANSWER';
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
      return CAUSES.userBusy;
    case 'NO_ANSWER':
      return CAUSES.noAnswer;
    case 'FAILED':
      return CAUSES.noCircuitAvailable;
  }
}

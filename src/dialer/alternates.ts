import type { NumberedScreening, Screening } from '../screening/types.js';

/** The number an attempt dials: its index among the request's numbers, its screening, and the indexes passed over, in order. */
export interface PickedNumber {
  index: number;
  screening: NumberedScreening;
  skipped: number[];
}

/**
 * Which of a request's numbers (main first, then its alternates: WombatDialer's MULTINUM)
 * an attempt dials. Attempts rotate: the first dials the main number, the second the
 * first alternate, and so on round; a number that is blocked, invalid, without the
 * consent the campaign requires, or unreadable while the campaign fails closed is
 * skipped for the next one in turn. Undefined when none of them may be dialled.
 */
export function numberForAttempt(screenings: readonly Screening[], attempt: number, fail: 'closed' | 'open'): PickedNumber | undefined {
  const count = screenings.length;
  const skipped: number[] = [];
  for (let step = 0; step < count; step++) {
    const index = (attempt - 1 + step) % count;
    const screening = screenings[index] as Screening;
    if (isDialable(screening, fail)) return { index, screening, skipped };
    skipped.push(index);
  }
  return undefined;
}

/** Whether a number's screening lets it be dialled: clear, only observed, or unreadable on a campaign that fails open. */
export function isDialable(screening: Screening, fail: 'closed' | 'open'): screening is NumberedScreening {
  if (screening.e164 === undefined) return false;
  return screening.verdict === 'clear' || screening.verdict === 'allowed' || screening.verdict === 'would-block' || (screening.verdict === 'unavailable' && fail === 'open');
}

import type { Screening } from '../screening/types.js';

/**
 * Which of a request's numbers (main first, then its alternates: WombatDialer's MULTINUM)
 * an attempt dials, once the main number is known to be dialable. Attempts rotate: the
 * first dials the main number, the second the first alternate, and so on round; a number
 * that is blocked, invalid, without the consent the campaign requires, or unreadable while
 * the campaign fails closed is skipped for the next one in turn. `skipped` are the indexes passed over, in order.
 */
export function numberForAttempt(
  screenings: readonly Screening[],
  attempt: number,
  fail: 'closed' | 'open',
): { index: number; skipped: number[] } {
  const count = screenings.length;
  const skipped: number[] = [];
  for (let step = 0; step < count; step++) {
    const index = (attempt - 1 + step) % count;
    if (isDialable(screenings[index] as Screening, fail)) return { index, skipped };
    skipped.push(index);
  }
  // The caller checked the main number (index 0) first, so one number is always dialable.
  return { index: 0, skipped: [] };
}

/** Whether a number's screening lets it be dialled: clear, only observed, or unreadable on a campaign that fails open. */
export function isDialable(screening: Screening, fail: 'closed' | 'open'): boolean {
  if (screening.e164 === undefined) return false;
  return screening.verdict === 'clear' || screening.verdict === 'allowed' || screening.verdict === 'would-block' || (screening.verdict === 'unavailable' && fail === 'open');
}

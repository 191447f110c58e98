import type { Screening } from '../screening/types.js';

/**
 * Which of a request's numbers (main first, then its alternates: WombatDialer's MULTINUM)
 * an attempt dials, once the main number is known to be dialable. Attempts rotate: the
 * first dials the main number, the second the first alternate, and so on round; a number
 * that is blocked, invalid, or unreadable while the campaign fails closed is skipped for
 * the next one in turn. `skipped` are the indexes passed over, in order.
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
    const screening = screenings[index] as Screening;
    const dialable =
      screening.e164 !== undefined &&
      (screening.verdict === 'clear' || screening.verdict === 'allowed' || (screening.verdict === 'unavailable' && fail === 'open'));
    if (dialable) return { index, skipped };
    skipped.push(index);
  }
  // The caller checked the main number (index 0) first, so one number is always dialable.
  return { index: 0, skipped: [] };
}

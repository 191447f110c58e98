import type { Match } from '../lists/types.js';
import { normalize } from '../numbers/normalize.js';

/** What `check` says of one number: the CLI's exit code and the API's answer. */
export type CheckVerdict = 'blocked' | 'clear' | 'hidden' | 'malformed';

export interface CheckResult {
  verdict: CheckVerdict;
  /** E.164 when the number normalized */
  number: string | null;
  /** why a number is malformed */
  detail: string | null;
  /** the first match in the order of the lists */
  match: Match | null;
}

/**
 * One number against lists, in their order, as a call would be screened (without a
 * route: no allow lists, no deadline). Hidden and malformed numbers ask Redis nothing.
 */
export async function checkNumber(
  check: (e164: string, lists: string[]) => Promise<Match | null>,
  input: string,
  lists: string[],
  region: string | undefined,
): Promise<CheckResult> {
  const normalized = normalize(input, region);
  if (normalized.kind !== 'e164') {
    return { verdict: normalized.kind, number: null, detail: normalized.kind === 'malformed' ? normalized.reason : null, match: null };
  }
  const match = await check(normalized.e164, lists);
  return { verdict: match ? 'blocked' : 'clear', number: normalized.e164, detail: null, match };
}

import type { EntryMember } from './types.js';

/**
 * The store receives members that numbers/ normalized already; these checks only stop
 * a caller that skipped normalization from writing garbage into a list.
 */
const E164 = /^\+[1-9]\d{1,14}$/;
const PREFIX_MEMBER = /^\+[1-9]\d{0,14}\*$/;

export function isPrefixMember(member: EntryMember): boolean {
  return member.endsWith('*');
}

export function assertE164(number: string): void {
  if (!E164.test(number)) {
    throw new RangeError(`not a normalized E.164 number: ${JSON.stringify(number)} (expected + and 2 to 15 digits)`);
  }
}

export function assertMember(member: EntryMember): void {
  if (!E164.test(member) && !PREFIX_MEMBER.test(member)) {
    throw new RangeError(
      `not a list entry: ${JSON.stringify(member)} (expected an E.164 number like +4930123456 or a prefix like +1900*)`,
    );
  }
}

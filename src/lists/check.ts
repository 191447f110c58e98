import { isPrefixMember } from './members.js';
import { entriesLost, noSuchList } from './names.js';
import type { CountedCheck, Match } from './types.js';

interface StoredMeta {
  reason?: string;
  by?: string;
  at?: number;
}

/**
 * The reply of check_list (check-list.lua) for one list: -1 (no such list), null (no
 * match, or disabled), -2 (no match in a list that lost entries), or [member, expiry, meta]. check-5.lua replies it, check-many.lua
 * replies an array of them.
 */
export function matchFromReply(list: string, reply: unknown): Match | null {
  if (reply === null) return null;
  if (reply === -1) throw noSuchList(list);
  if (reply === -2) throw entriesLost(list);
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') {
    throw new Error(`unexpected reply from the check script for list ${list}: ${JSON.stringify(reply)}`);
  }
  const [member, expiry, meta] = reply as [string, string, string | null];
  const match: Match = {
    list,
    member,
    kind: isPrefixMember(member) ? 'prefix' : 'exact',
    expiresAt: expiry === 'inf' ? null : Number(expiry),
  };
  if (typeof meta === 'string') Object.assign(match, metaFields(meta));
  return match;
}

export function metaFields(json: string): Pick<Match, 'reason' | 'by' | 'addedAt'> {
  const meta = JSON.parse(json) as StoredMeta;
  const fields: Pick<Match, 'reason' | 'by' | 'addedAt'> = {};
  if (meta.reason !== undefined) fields.reason = meta.reason;
  if (meta.by !== undefined) fields.by = meta.by;
  if (meta.at !== undefined) fields.addedAt = meta.at;
  return fields;
}

/**
 * check-many.lua's reply as types: a check_list reply for each of `lists`, in order, and
 * with counters `{replies, counts}` (the calls in each window of each counter). Throws on
 * any other shape: a script and its caller out of step must not read as "not listed".
 */
export function checkManyFromReply(lists: string[], counters: number, reply: unknown): CountedCheck {
  const [replies, counts] = counters === 0 ? [reply, []] : Array.isArray(reply) ? reply : [];
  if (!Array.isArray(replies) || replies.length !== lists.length || !isCounts(counts, counters)) {
    const of = counters === 0 ? `${lists.length} lists` : `${lists.length} lists and ${counters} counters`;
    throw new Error(`unexpected reply from the check script for ${of}: ${JSON.stringify(reply)}`);
  }
  return { results: lists.map((list, i) => matchFromReply(list, replies[i])), counts };
}

/** check-count-6.lua's reply as types: `{check_list's reply, calls in each window}` of one list and its counter. */
export function checkCountFromReply(list: string, reply: unknown): { result: Match | null; counts: number[] } {
  const [answer, counts]: unknown[] = Array.isArray(reply) && reply.length === 2 ? reply : [];
  if (!isCallCounts(counts)) throw new Error(`unexpected reply from the check-and-count script for list ${list}: ${JSON.stringify(reply)}`);
  return { result: matchFromReply(list, answer), counts };
}

function isCounts(value: unknown, counters: number): value is number[][] {
  return Array.isArray(value) && value.length === counters && value.every(isCallCounts);
}

function isCallCounts(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((calls) => typeof calls === 'number');
}

/**
 * scrub-many.lua's reply as types: it names the matches only, `position, "<list
 * position>\t<member>"` pairs, so a reply of another shape must throw, never read as
 * "no match" (a listed lead written to the clean file). Answers the matches by the
 * number's position in the batch (0-based) with the list's position among those asked.
 */
export function scrubMatchesFromReply(numbers: number, lists: number, reply: unknown): { number: number; list: number; member: string }[] {
  const wrong = (): Error => new Error(`unexpected reply from the scrub script for ${numbers} numbers and ${lists} lists: ${JSON.stringify(reply).slice(0, 200)}`);
  if (!Array.isArray(reply) || reply.length % 2 !== 0) throw wrong();
  const matches: { number: number; list: number; member: string }[] = [];
  for (let r = 0; r < reply.length; r += 2) {
    const number = Number(reply[r]);
    const entry = reply[r + 1];
    const tab = typeof entry === 'string' ? entry.indexOf('\t') : -1;
    const list = tab > 0 ? Number((entry as string).slice(0, tab)) : Number.NaN;
    if (!Number.isInteger(number) || number < 1 || number > numbers || !Number.isInteger(list) || list < 1 || list > lists || tab + 1 >= (entry as string).length) {
      throw wrong();
    }
    matches.push({ number: number - 1, list: list - 1, member: (entry as string).slice(tab + 1) });
  }
  return matches;
}

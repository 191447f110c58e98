import { isPrefixMember } from './members.js';
import { entriesLost, noSuchList } from './names.js';
import type { Match } from './types.js';

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

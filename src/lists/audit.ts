import type { AuditAction, AuditEvent, Actor, EntryMember } from './types.js';

/**
 * Audit events are stream entries with the fields action, at, by, reason, member;
 * free-form details are stored as fields `d.<name>` so Lua scripts can write them
 * without encoding JSON.
 */
const DETAIL_PREFIX = 'd.';

const ACTIONS: ReadonlySet<string> = new Set<AuditAction>([
  'create', 'remove', 'enable', 'disable', 'add', 'cancel', 'expire', 'import', 'replace', 'delete', 'changes', 'recount',
  'configure',
]);

export type StreamEntry = [id: string, fields: string[]];

export function auditFields(
  action: AuditAction,
  at: number,
  actor: Actor,
  details: Record<string, string> = {},
  member?: EntryMember,
): string[] {
  const fields = ['action', action, 'at', String(at), 'by', actor.by];
  if (actor.reason) fields.push('reason', actor.reason);
  if (member !== undefined) fields.push('member', member);
  if (actor.source && details.source === undefined) fields.push(`${DETAIL_PREFIX}source`, actor.source);
  for (const [name, value] of Object.entries(details)) fields.push(`${DETAIL_PREFIX}${name}`, value);
  return fields;
}

export function parseAuditEntry(list: string, [id, fields]: StreamEntry): AuditEvent {
  const event: AuditEvent = { id, list, action: 'add', at: 0, by: '' };
  const details: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] as string;
    const value = fields[i + 1] as string;
    if (name === 'action') {
      if (!ACTIONS.has(value)) throw new Error(`audit entry ${id} of list ${list} has an unknown action ${JSON.stringify(value)}`);
      event.action = value as AuditAction;
    } else if (name === 'at') event.at = Number(value);
    else if (name === 'by') event.by = value;
    else if (name === 'reason') event.reason = value;
    else if (name === 'member') event.member = value;
    else if (name.startsWith(DETAIL_PREFIX)) details[name.slice(DETAIL_PREFIX.length)] = value;
  }
  if (Object.keys(details).length > 0) event.details = details;
  return event;
}

/** Newest first; `at` comes from the store's clock, the stream id breaks ties. */
export function newestFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.at !== b.at) return b.at - a.at;
  return compareStreamIds(b.id, a.id);
}

/** Stream ids in order: by time, then sequence. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}

import { parseAuditEntry } from '../lists/audit.js';
import { dialKeys, globalKeys, listKeys } from '../lists/keys.js';
import { parseCallLogEntry } from '../screening/call-log.js';
import { parseResultFields } from '../dialer/result-fields.js';

/**
 * What a webhook can be told. Each comes from a Redis stream callguard writes anyway, so
 * nothing on the call path does more for webhooks than it did before:
 *   entry.added, entry.cancelled, import.finished   a list's audit stream
 *   call.blocked                                    the call log serve appends after each decision
 *   campaign.blacklisted                            the dialer's results stream
 */
export const EVENT_TYPES = ['entry.added', 'entry.cancelled', 'import.finished', 'call.blocked', 'campaign.blacklisted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** One notification: its id is the same however often it is delivered, for the receiver's de-duplication. */
export interface WebhookEvent {
  id: string;
  type: EventType;
  /** when it happened, ISO 8601 */
  at: string;
  data: Record<string, unknown>;
}

/** A stream events are read from, and the event types it can give. */
export interface EventSource {
  key: string;
  /** the event id prefix, unique per source */
  name: string;
  types: readonly EventType[];
  toEvent(id: string, fields: string[]): WebhookEvent | null;
}

/** The sources of a namespace: the call log, the dial results, and the audit stream of each list. */
export function eventSources(namespace: string, lists: readonly string[]): EventSource[] {
  return [
    { key: globalKeys(namespace).callLog, name: 'calllog', types: ['call.blocked'], toEvent: callLogEvent },
    { key: dialKeys(namespace).results, name: 'dial', types: ['campaign.blacklisted'], toEvent: dialResultEvent },
    ...lists.map(
      (list): EventSource => ({
        key: listKeys(namespace, list).audit,
        name: `audit.${list}`,
        types: ['entry.added', 'entry.cancelled', 'import.finished'],
        toEvent: (id, fields) => auditEvent(list, id, fields),
      }),
    ),
  ];
}

/** The time a stream entry id carries (ms since epoch). */
export function streamIdTime(id: string): number {
  return Number(id.split('-')[0]);
}

function eventAt(id: string, ms: number | undefined): string {
  return new Date(ms !== undefined && Number.isFinite(ms) ? ms : streamIdTime(id)).toISOString();
}

function auditEvent(list: string, id: string, fields: string[]): WebhookEvent | null {
  let event;
  try {
    event = parseAuditEntry(list, [id, fields]);
  } catch {
    // An audit entry with an action this version does not know is no event of ours.
    return null;
  }
  const base = { at: eventAt(id, event.at) };
  const details = event.details ?? {};
  if (event.action === 'add' && event.member !== undefined) {
    return {
      id: `audit.${list}.${id}`,
      type: 'entry.added',
      ...base,
      data: {
        list,
        member: event.member,
        kind: event.member.endsWith('*') ? 'prefix' : 'exact',
        change: details.change ?? 'added',
        expiresAt: details.expiresAt === undefined || details.expiresAt === 'never' ? null : new Date(Number(details.expiresAt)).toISOString(),
        reason: event.reason ?? null,
        by: event.by,
        source: details.source ?? null,
      },
    };
  }
  if (event.action === 'cancel' && event.member !== undefined) {
    return { id: `audit.${list}.${id}`, type: 'entry.cancelled', ...base, data: { list, member: event.member, reason: event.reason ?? null, by: event.by } };
  }
  if (event.action === 'import' || event.action === 'replace') {
    const count = (name: string) => (details[name] === undefined ? null : Number(details[name]));
    return {
      id: `audit.${list}.${id}`,
      type: 'import.finished',
      ...base,
      data: {
        list,
        mode: event.action,
        file: details.file ?? null,
        status: details.status ?? null,
        rows: count('rows'),
        imported: count('imported'),
        duplicates: count('duplicates'),
        rejected: count('rejected'),
        by: event.by,
        reason: event.reason ?? null,
      },
    };
  }
  return null;
}

function callLogEvent(id: string, fields: string[]): WebhookEvent | null {
  const call = parseCallLogEntry(id, fields);
  if (!call || call.verdict !== 'blocked') return null;
  return {
    id: `calllog.${id}`,
    type: 'call.blocked',
    at: eventAt(id, call.time),
    data: {
      direction: call.direction,
      channel: call.channel,
      raw: call.raw,
      e164: call.e164 ?? null,
      route: call.route ?? null,
      campaign: call.campaign ?? null,
      list: call.list ?? null,
      reason: call.reason ?? null,
      action: call.action,
      outcome: call.outcome ?? null,
    },
  };
}

function dialResultEvent(id: string, fields: string[]): WebhookEvent | null {
  const result = parseResultFields(fields);
  if (!result || result.outcome !== 'BLACKLISTED') return null;
  return {
    id: `dial.${id}`,
    type: 'campaign.blacklisted',
    at: eventAt(id, result.at),
    data: {
      request: result.request,
      campaign: result.campaign,
      number: result.number,
      e164: result.e164 ?? null,
      list: result.list ?? null,
      member: result.member ?? null,
      reason: result.reason ?? null,
      attempt: result.attempt,
      attrs: result.attrs,
    },
  };
}

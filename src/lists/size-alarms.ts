import { compareStreamIds } from './audit.js';
import type { ListSizeReading } from './types.js';

/**
 * Ways a list loses entries outside callguard, as one reading after another shows them:
 * - `entries-lost`: its keys hold fewer members than the size its scripts kept
 *   (eviction, a DEL of its keys);
 * - `vanished`: its info is gone, and its audit does not end with a `remove` (FLUSHALL,
 *   eviction, a failover to an empty replica);
 * - `rolled-back`: its newest audit event is older than one read before, or the stream
 *   is gone (a failover to a replica that lacks recent changes; eviction of the stream).
 */
export type ListAlarmKind = 'entries-lost' | 'vanished' | 'rolled-back';

export interface ListAlarm {
  list: string;
  kind: ListAlarmKind;
  /** for entries-lost: the kept size and what the keys hold */
  recordedSize?: number;
  entries?: number;
}

/**
 * The alarms of a series of readings (ListStore.sizes). Pure: it remembers, per list,
 * the newest audit id it saw, and takes readings in order. An alarm lasts as long as
 * its cause: `entries-lost` until the size and the keys agree again (a replace, or
 * `list recount`), `vanished` until the list exists again, `rolled-back` until the list
 * has a change newer than the newest seen (a replace, a recount, any write).
 */
export class ListSizeAlarms {
  private readonly seen = new Map<string, { auditId: string | undefined }>();

  /** Lists read before: to be read again even when the index no longer names them. */
  get known(): string[] {
    return [...this.seen.keys()];
  }

  assess(readings: readonly ListSizeReading[]): ListAlarm[] {
    const alarms: ListAlarm[] = [];
    for (const reading of readings) {
      const alarm = this.assessOne(reading);
      if (alarm) alarms.push(alarm);
    }
    return alarms;
  }

  private assessOne(reading: ListSizeReading): ListAlarm | undefined {
    const { name, lastAudit } = reading;
    const before = this.seen.get(name);
    if (!reading.exists) {
      const removed = lastAudit?.action === 'remove' && !isOlder(lastAudit.id, before?.auditId);
      if (removed) {
        this.seen.delete(name);
        return undefined;
      }
      // A list never seen with neither info nor history is being created right now
      // (the index is written first); with history but no remove, it was lost.
      if (before || lastAudit) {
        this.seen.set(name, { auditId: before?.auditId ?? lastAudit?.id });
        return { list: name, kind: 'vanished' };
      }
      return undefined;
    }
    const newest = lastAudit?.id;
    const rolledBack = before?.auditId !== undefined && (newest === undefined || isOlder(newest, before.auditId));
    this.seen.set(name, { auditId: rolledBack ? before?.auditId : newest });
    if (reading.recordedSize !== undefined && reading.entries < reading.recordedSize) {
      return { list: name, kind: 'entries-lost', recordedSize: reading.recordedSize, entries: reading.entries };
    }
    return rolledBack ? { list: name, kind: 'rolled-back' } : undefined;
  }
}

/** undefined is older than any id. */
function isOlder(id: string, than: string | undefined): boolean {
  return than !== undefined && compareStreamIds(id, than) < 0;
}

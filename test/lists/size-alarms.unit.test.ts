import { describe, expect, it } from 'vitest';
import { ListSizeAlarms } from '../../src/lists/size-alarms.js';
import type { ListSizeReading } from '../../src/lists/types.js';

function reading(name: string, changes: Partial<ListSizeReading> = {}): ListSizeReading {
  return { name, exists: true, recordedSize: 10, entries: 10, lastAudit: { id: '100-0', action: 'add' }, ...changes };
}

describe('list size alarms', () => {
  it('a whole list raises nothing, growth or shrinking through callguard neither', () => {
    const alarms = new ListSizeAlarms();
    expect(alarms.assess([reading('dnc')])).toEqual([]);
    expect(alarms.assess([reading('dnc', { recordedSize: 2, entries: 2, lastAudit: { id: '200-0', action: 'replace' } })])).toEqual([]);
    expect(alarms.assess([reading('dnc', { recordedSize: 5, entries: 7, lastAudit: { id: '300-0', action: 'add' } })])).toEqual([]);
  });

  it('keys holding fewer members than the size raise entries-lost, until they agree again', () => {
    const alarms = new ListSizeAlarms();
    expect(alarms.assess([reading('dnc', { entries: 0 })])).toEqual([{ list: 'dnc', kind: 'entries-lost', recordedSize: 10, entries: 0 }]);
    expect(alarms.assess([reading('dnc', { entries: 0 })])).toHaveLength(1);
    expect(alarms.assess([reading('dnc', { recordedSize: 0, entries: 0, lastAudit: { id: '300-0', action: 'recount' } })])).toEqual([]);
  });

  it('a list seen before whose info is gone without a remove has vanished, until it exists again', () => {
    const alarms = new ListSizeAlarms();
    alarms.assess([reading('dnc')]);
    const flushed = reading('dnc', { exists: false, recordedSize: undefined, entries: 0, lastAudit: undefined });
    expect(alarms.assess([flushed])).toEqual([{ list: 'dnc', kind: 'vanished' }]);
    expect(alarms.known).toEqual(['dnc']);
    expect(alarms.assess([flushed])).toEqual([{ list: 'dnc', kind: 'vanished' }]);
    expect(alarms.assess([reading('dnc', { recordedSize: 0, entries: 0, lastAudit: { id: '400-0', action: 'create' } })])).toEqual([]);
  });

  it('a list removed with list rm raises nothing and is forgotten', () => {
    const alarms = new ListSizeAlarms();
    alarms.assess([reading('test')]);
    const removed = reading('test', { exists: false, recordedSize: undefined, entries: 0, lastAudit: { id: '150-0', action: 'remove' } });
    expect(alarms.assess([removed])).toEqual([]);
    expect(alarms.known).toEqual([]);
  });

  it('a list never seen: lost when its history does not end with a remove, being created when it has none', () => {
    const alarms = new ListSizeAlarms();
    const gone = { exists: false, recordedSize: undefined, entries: 0 };
    expect(alarms.assess([reading('evicted', gone)])).toEqual([{ list: 'evicted', kind: 'vanished' }]);
    expect(alarms.assess([reading('new', { ...gone, lastAudit: undefined })])).toEqual([]);
  });

  it('a newest change older than one seen before is a roll-back, until a newer change', () => {
    const alarms = new ListSizeAlarms();
    alarms.assess([reading('dnc', { lastAudit: { id: '500-3', action: 'add' } })]);
    const stale = reading('dnc', { recordedSize: 8, entries: 8, lastAudit: { id: '500-1', action: 'add' } });
    expect(alarms.assess([stale])).toEqual([{ list: 'dnc', kind: 'rolled-back' }]);
    expect(alarms.assess([reading('dnc', { lastAudit: undefined })])).toEqual([{ list: 'dnc', kind: 'rolled-back' }]);
    expect(alarms.assess([reading('dnc', { lastAudit: { id: '600-0', action: 'replace' } })])).toEqual([]);
  });
});

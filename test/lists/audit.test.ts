import { describe, expect, it } from 'vitest';
import { ALICE, MINUTE, T0, useStore } from './fixture.js';

describe('audit', () => {
  const t = useStore();

  it('records create, add, cancel, disable, enable and remove with who, why and when, newest first', async () => {
    await t.store.createList('dnc', { by: 'ops', reason: 'weekly file' });
    t.now = T0 + 1;
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], ALICE);
    t.now = T0 + 2;
    await t.store.add('dnc', [{ member: '+4930123456' }], { by: 'bob' });
    t.now = T0 + 3;
    await t.store.cancel('dnc', ['+4930123456'], { by: 'carol', reason: 'consent' });
    t.now = T0 + 4;
    await t.store.setEnabled('dnc', false, { by: 'dave', reason: 'maintenance' });
    await t.store.setEnabled('dnc', false, { by: 'dave' });
    t.now = T0 + 5;
    await t.store.setEnabled('dnc', true, { by: 'dave' });
    t.now = T0 + 6;
    await t.store.removeList('dnc', { by: 'erin', reason: 'obsolete' });

    const events = await t.store.audit('dnc');
    expect(events.map(({ action, at, by, reason, member }) => ({ action, at, by, reason, member }))).toEqual([
      { action: 'remove', at: T0 + 6, by: 'erin', reason: 'obsolete', member: undefined },
      { action: 'enable', at: T0 + 5, by: 'dave', reason: undefined, member: undefined },
      { action: 'disable', at: T0 + 4, by: 'dave', reason: 'maintenance', member: undefined },
      { action: 'cancel', at: T0 + 3, by: 'carol', reason: 'consent', member: '+4930123456' },
      { action: 'add', at: T0 + 2, by: 'bob', reason: undefined, member: '+4930123456' },
      { action: 'add', at: T0 + 1, by: 'alice', reason: 'harassing caller', member: '+4930123456' },
      { action: 'create', at: T0, by: 'ops', reason: 'weekly file', member: undefined },
    ]);
    expect(events[4]?.details).toEqual({ change: 'extended', expiresAt: 'never' });
    expect(events[5]?.details).toEqual({ change: 'added', expiresAt: String(T0 + MINUTE), source: 'cli' });
    expect(events.every((e) => e.list === 'dnc' && /^\d+-\d+$/.test(e.id))).toBe(true);
  });

  it('an add that changes nothing records nothing', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    expect((await t.store.audit('dnc')).map((e) => e.action)).toEqual(['add', 'create']);
  });

  it('audit honours its limit', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', ['+4930000001', '+4930000002', '+4930000003'].map((member) => ({ member })), ALICE);
    expect((await t.store.audit('dnc', 2)).map((e) => e.member)).toEqual(['+4930000003', '+4930000002']);
  });

  it('recordAudit appends one event with details, for the importer', async () => {
    await t.store.createList('dnc', ALICE);
    t.now = T0 + 10;
    const id = await t.store.recordAudit('dnc', 'import', { by: 'ops', reason: 'weekly', source: 'dnc.csv' }, { rows: '1000000', rejected: '3' });
    expect(await t.store.audit('dnc', 1)).toEqual([{
      id, list: 'dnc', action: 'import', at: T0 + 10, by: 'ops', reason: 'weekly',
      details: { source: 'dnc.csv', rows: '1000000', rejected: '3' },
    }]);
  });

  it('history gathers one member across lists, newest first, within its limit', async () => {
    await t.store.createList('a', ALICE);
    await t.store.createList('b', ALICE);
    t.now = T0 + 1;
    await t.store.add('a', [{ member: '+4930123456' }, { member: '+4930000000' }], ALICE);
    t.now = T0 + 2;
    await t.store.add('b', [{ member: '+4930123456' }], { by: 'bob' });
    t.now = T0 + 3;
    await t.store.cancel('a', ['+4930123456'], { by: 'carol', reason: 'consent' });

    expect((await t.store.history('+4930123456')).map((e) => [e.list, e.action, e.by])).toEqual([
      ['a', 'cancel', 'carol'], ['b', 'add', 'bob'], ['a', 'add', 'alice'],
    ]);
    expect(await t.store.history('+4930123456', 1)).toHaveLength(1);
    expect(await t.store.history('+4930999999')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { LIST_INFO_BATCH, ListStore } from '../../src/lists/store.js';
import { listKeys } from '../../src/lists/keys.js';
import { testNamespace } from '../helpers/redis.js';
import { receivedDuring } from '../helpers/monitor.js';
import { ALICE, CHECK_MODES, T0, useStore } from './fixture.js';

describe.each(CHECK_MODES)('list lifecycle (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('a created list is listed, enabled, with who created it and when', async () => {
    await t.store.createList('dnc', ALICE);
    expect(await t.store.hasList('dnc')).toBe(true);
    expect(await t.store.lists()).toEqual([{ name: 'dnc', enabled: true, createdAt: T0, createdBy: 'alice', size: 0, lost: 0, lostBlocks: 0, consent: false }]);
  });

  it('creating a list twice fails with list-exists and keeps the first', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    await expect(t.store.createList('dnc', { by: 'bob' })).rejects.toMatchObject({ code: 'list-exists' });
    expect(await t.store.lists()).toMatchObject([{ name: 'dnc', createdBy: 'alice', size: 1 }]);
  });

  it('lists are sorted by name and count exact, timed and prefix entries', async () => {
    await t.store.createList('vip', ALICE);
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+4930999', expiresAt: T0 + 1000 }, { member: '+1900*' }], ALICE);
    expect((await t.store.lists()).map(({ name, size }) => [name, size])).toEqual([['dnc', 3], ['vip', 0]]);
  });

  it('removing a list deletes its entries but keeps its audit stream', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+1900*' }], ALICE);
    await t.store.cancel('dnc', ['+1900*'], { by: 'bob', reason: 'mistake' });
    await t.store.removeList('dnc', { by: 'bob', reason: 'obsolete' });

    expect(await t.store.hasList('dnc')).toBe(false);
    expect(await t.store.lists()).toEqual([]);
    const keys = listKeys(t.namespace, 'dnc');
    expect(await t.redis.exists(keys.info, keys.exact, keys.timed, keys.meta, keys.cancelled)).toBe(0);
    expect((await t.store.audit('dnc'))[0]).toMatchObject({ action: 'remove', by: 'bob', reason: 'obsolete' });
  });

  it('a removed list can be created again, empty', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    await t.store.removeList('dnc', ALICE);
    await t.store.createList('dnc', ALICE);
    expect(await t.store.check('+4930123456', ['dnc'])).toBeNull();
  });

  it('removing, enabling or disabling a list that does not exist fails with no-such-list', async () => {
    await expect(t.store.removeList('ghost', ALICE)).rejects.toMatchObject({ code: 'no-such-list' });
    await expect(t.store.setEnabled('ghost', false, ALICE)).rejects.toMatchObject({ code: 'no-such-list' });
    await expect(t.store.setEnabled('ghost', true, ALICE)).rejects.toThrow('callguard list create ghost');
  });

  it('disable and enable show in lists()', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.setEnabled('dnc', false, ALICE);
    expect(await t.store.lists()).toMatchObject([{ name: 'dnc', enabled: false }]);
    await t.store.setEnabled('dnc', true, ALICE);
    expect(await t.store.lists()).toMatchObject([{ name: 'dnc', enabled: true }]);
  });

  it('two namespaces on one Redis do not see each other', async () => {
    const other = new ListStore(t.redis, testNamespace(), () => t.now);
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);

    expect(await other.lists()).toEqual([]);
    expect(await other.hasList('dnc')).toBe(false);
    await other.createList('dnc', { by: 'bob' });
    expect(await other.check('+4930123456', ['dnc'])).toBeNull();
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ list: 'dnc', by: 'alice' });
    expect((await other.entries('+4930123456')).listed).toEqual([]);
  });
});

/** 250 lists, those ending in 7 dense, list-007 holding two numbers and list-008 a number and a prefix. */
async function createManyLists(store: ListStore): Promise<string[]> {
  const names = Array.from({ length: 250 }, (_, i) => `list-${String(i).padStart(3, '0')}`);
  for (const name of names) await store.createList(name, ALICE, name.endsWith('7') ? { dense: 'nanp' } : {});
  await store.add('list-007', [{ member: '+14155550100' }, { member: '+12125550100' }], ALICE);
  await store.add('list-008', [{ member: '+4930123456' }, { member: '+1900*' }], ALICE);
  return names;
}

describe('reading every list', () => {
  const t = useStore();

  it('is one round trip however many lists: Redis receives the index and a script call a batch of lists, nothing more, dense lists included', async () => {
    const names = await createManyLists(t.store);
    // The first script call on a connection may send the script's body: measure the steady state.
    await t.store.lists();

    let lists: Awaited<ReturnType<ListStore['lists']>> = [];
    const received = await receivedDuring(t.redis, async () => {
      lists = await t.store.lists();
    });
    const scriptCalls = Math.ceil(names.length / LIST_INFO_BATCH);
    expect(scriptCalls).toBeGreaterThan(1);
    expect(received.map((r) => r.command)).toEqual(['smembers', ...Array<string>(scriptCalls).fill('evalsha')]);
    expect(lists.map((list) => list.name)).toEqual(names);
    expect(lists.find((list) => list.name === 'list-007')).toMatchObject({ size: 2, lost: 0, dense: 'nanp' });
    expect(lists.find((list) => list.name === 'list-008')).toMatchObject({ size: 2, lost: 0 });
    expect(lists.find((list) => list.name === 'list-009')).toEqual({ name: 'list-009', enabled: true, createdAt: T0, createdBy: 'alice', size: 0, lost: 0, lostBlocks: 0, consent: false });
  });
});

describe("serve's list watch reading every list's size", () => {
  const t = useStore();

  it('is one round trip however many lists: Redis receives the index and a script call a batch of lists, nothing more, dense lists included', async () => {
    const names = await createManyLists(t.store);
    await t.store.cancel('list-008', ['+1900*'], ALICE);
    // A list the index no longer names (the watch passes the lists it saw before).
    const gone = 'list-gone';
    // The first script call on a connection may send the script's body: measure the steady state.
    await t.store.sizes([gone]);

    let readings: Awaited<ReturnType<ListStore['sizes']>> = [];
    const received = await receivedDuring(t.redis, async () => {
      readings = await t.store.sizes([gone]);
    });
    const scriptCalls = Math.ceil((names.length + 1) / LIST_INFO_BATCH);
    expect(scriptCalls).toBeGreaterThan(1);
    expect(received.map((r) => r.command)).toEqual(['smembers', ...Array<string>(scriptCalls).fill('evalsha')]);
    expect(readings.map((reading) => reading.name)).toEqual([...names, gone].sort());
    const audit = await t.store.audit('list-008', 1);
    expect(readings.find((reading) => reading.name === 'list-007')).toMatchObject({ exists: true, recordedSize: 2, entries: 2, lastAudit: { action: 'add' } });
    expect(readings.find((reading) => reading.name === 'list-008')).toEqual({ name: 'list-008', exists: true, recordedSize: 1, entries: 1, lastAudit: { id: audit[0]?.id, action: 'cancel' } });
    expect(readings.find((reading) => reading.name === gone)).toEqual({ name: gone, exists: false, recordedSize: undefined, entries: 0, lastAudit: undefined });
  });
});

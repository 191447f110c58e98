import { describe, expect, it } from 'vitest';
import { ListStore } from '../../src/lists/store.js';
import { listKeys } from '../../src/lists/keys.js';
import { testNamespace } from '../helpers/redis.js';
import { ALICE, CHECK_MODES, T0, useStore } from './fixture.js';

describe.each(CHECK_MODES)('list lifecycle (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('a created list is listed, enabled, with who created it and when', async () => {
    await t.store.createList('dnc', ALICE);
    expect(await t.store.hasList('dnc')).toBe(true);
    expect(await t.store.lists()).toEqual([{ name: 'dnc', enabled: true, createdAt: T0, createdBy: 'alice', size: 0, lost: 0, consent: false }]);
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

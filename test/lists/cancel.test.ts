import { describe, expect, it } from 'vitest';
import { ALICE, CHECK_MODES, MINUTE, T0, useStore } from './fixture.js';

describe.each(CHECK_MODES)('cancel (checks %s)', (checkMode) => {
  const t = useStore({ checkMode });
  const BOB = { by: 'bob', reason: 'customer consented again' };

  it('a cancelled entry stops matching and its cancellation stays visible', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+1900*', expiresAt: T0 + MINUTE }], ALICE);
    t.now = T0 + 1000;
    expect(await t.store.cancel('dnc', ['+4930123456', '+1900*', '+4930000000'], BOB)).toEqual({
      cancelled: ['+4930123456', '+1900*'],
      notListed: ['+4930000000'],
    });
    expect(await t.store.check('+4930123456', ['dnc'])).toBeNull();
    expect(await t.store.check('+19005550100', ['dnc'])).toBeNull();
    expect(await t.store.entries('+4930123456')).toEqual({
      listed: [],
      cancelled: [{ list: 'dnc', member: '+4930123456', reason: BOB.reason, by: 'bob', at: T0 + 1000 }],
    });
  });

  it('adding again after a cancel works, and the old cancellation stays in the history', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    t.now = T0 + 1000;
    await t.store.cancel('dnc', ['+4930123456'], BOB);
    t.now = T0 + 2000;
    expect(await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], { by: 'carol', reason: 'again' }))
      .toMatchObject({ added: 1 });

    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ by: 'carol', reason: 'again', addedAt: T0 + 2000 });
    const { listed, cancelled } = await t.store.entries('+4930123456');
    expect(listed).toEqual([{ list: 'dnc', member: '+4930123456', expiresAt: T0 + MINUTE, by: 'carol', reason: 'again', addedAt: T0 + 2000 }]);
    expect(cancelled).toMatchObject([{ by: 'bob', at: T0 + 1000 }]);
    expect((await t.store.history('+4930123456')).map((e) => [e.action, e.by])).toEqual([
      ['add', 'carol'], ['cancel', 'bob'], ['add', 'alice'],
    ]);
  });

  it('an expired entry is not listed, so cancelling it changes nothing', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456', expiresAt: T0 + MINUTE }], ALICE);
    t.now = T0 + MINUTE;
    expect(await t.store.cancel('dnc', ['+4930123456'], BOB)).toEqual({ cancelled: [], notListed: ['+4930123456'] });
    expect((await t.store.entries('+4930123456')).cancelled).toEqual([]);
  });

  it('cancelling on a list that does not exist fails with no-such-list', async () => {
    await expect(t.store.cancel('ghost', ['+4930123456'], BOB)).rejects.toMatchObject({ code: 'no-such-list' });
  });
});

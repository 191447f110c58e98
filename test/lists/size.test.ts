import { describe, expect, it } from 'vitest';
import { DEFAULT_REPLACE_GUARDS } from '../../src/lists/import/guards.js';
import { listKeys } from '../../src/lists/keys.js';
import { ListError } from '../../src/lists/types.js';
import { importText } from '../import/helpers.js';
import { ALICE, CHECK_MODES, MINUTE, T0, useStore, type StoreFixture } from './fixture.js';

/** The size a list's scripts kept, and what its keys hold. */
async function sizes(t: StoreFixture, list: string): Promise<{ kept: number | null; held: number }> {
  const keys = listKeys(t.namespace, list);
  const [kept, exact, timed] = await Promise.all([t.redis.hget(keys.info, 'size'), t.redis.scard(keys.exact), t.redis.zcard(keys.timed)]);
  return { kept: kept === null ? null : Number(kept), held: exact + timed };
}

describe("a list's size", () => {
  const t = useStore();

  it('every change through callguard keeps the size equal to what the keys hold', async () => {
    const steps: [string, () => Promise<unknown>][] = [
      ['create', () => t.store.createList('dnc', ALICE)],
      ['add forever, timed and a prefix', () =>
        t.store.add('dnc', [{ member: '+4930000001' }, { member: '+4930000002', expiresAt: T0 + MINUTE }, { member: '+1900*' }], ALICE)],
      ['add again: unchanged, extended, timed to forever', () =>
        t.store.add('dnc', [{ member: '+4930000001' }, { member: '+4930000002' }, { member: '+4930000003', expiresAt: T0 + MINUTE }], ALICE)],
      ['cancel a listed and an unlisted number', () => t.store.cancel('dnc', ['+4930000001', '+4930009999'], { ...ALICE, reason: 'consent' })],
      ['import numbers, some duplicates', () => importText(t.redis, t.namespace, 'dnc', '+4930000002\n+4930000004\n+4930000005\n', { now: T0 })],
      ['import with per-row expiries, override', () =>
        importText(t.redis, t.namespace, 'dnc', `number,expires\n+4930000004,${new Date(T0 + MINUTE).toISOString()}\n+4930000006,\n`, {
          now: T0,
          onDuplicate: 'override',
          expiresColumn: { kind: 'name', name: 'expires' },
        })],
      ['a dry run', () => importText(t.redis, t.namespace, 'dnc', '+4930000007\n', { now: T0, dryRun: true })],
      ['purge what expired', async () => {
        t.now = T0 + MINUTE;
        return t.store.purgeExpired();
      }],
      // A replace that shrinks the list this much needs the guard lifted (import --max-shrink 100).
      ['replace', () =>
        importText(t.redis, t.namespace, 'dnc', '+4930000008\n+4930000009\n', {
          now: t.now,
          replace: true,
          guards: { ...DEFAULT_REPLACE_GUARDS, maxShrinkPercent: 100 },
        })],
    ];
    for (const [step, run] of steps) {
      await run();
      const { kept, held } = await sizes(t, 'dnc');
      expect({ step, kept }).toEqual({ step, kept: held });
    }
    expect(await sizes(t, 'dnc')).toEqual({ kept: 2, held: 2 });
  });

  it('a list from before the size field is counted at its next write', async () => {
    await t.store.createList('old', ALICE);
    await t.store.add('old', [{ member: '+4930000001' }, { member: '+4930000002' }], ALICE);
    await t.redis.hdel(listKeys(t.namespace, 'old').info, 'size');
    expect(await t.store.check('+4930000009', ['old'])).toBeNull();
    await t.store.add('old', [{ member: '+4930000003' }], ALICE);
    expect(await sizes(t, 'old')).toEqual({ kept: 3, held: 3 });
  });

  it('a replace ends a state of lost entries: the size is what it swapped in', async () => {
    await t.store.createList('dnc', ALICE);
    await importText(t.redis, t.namespace, 'dnc', '+4930000001\n+4930000002\n+4930000003\n', { now: T0 });
    await t.redis.del(listKeys(t.namespace, 'dnc').exact);
    expect(await t.store.lists()).toMatchObject([{ name: 'dnc', size: 0, lost: 3 }]);
    await importText(t.redis, t.namespace, 'dnc', '+4930000001\n+4930000002\n', { now: T0, replace: true });
    expect(await t.store.lists()).toMatchObject([{ name: 'dnc', size: 2, lost: 0 }]);
  });
});

for (const checkMode of CHECK_MODES) {
  describe(`a check of a list whose keys lost members (checks ${checkMode})`, () => {
    const t = useStore({ checkMode });

    it('fails instead of answering "not listed" when nothing matches; a match still matches; recount accepts what is left', async () => {
      await t.store.createList('dnc', ALICE);
      await t.store.createList('other', ALICE);
      await t.store.add('dnc', [{ member: '+4930000001' }, { member: '+1900*', expiresAt: T0 + MINUTE }], ALICE);
      await t.redis.del(listKeys(t.namespace, 'dnc').exact);

      const lost = await t.store.check('+4930000001', ['other', 'dnc']).catch((error: unknown) => error);
      expect(lost).toBeInstanceOf(ListError);
      expect(lost).toMatchObject({ code: 'entries-lost', message: expect.stringContaining('list dnc lost entries') });
      expect(await t.store.check('+19005550100', ['dnc'])).toMatchObject({ list: 'dnc', member: '+1900*' });

      expect(await t.store.recount('dnc', { ...ALICE, reason: 'accept the loss' })).toEqual({ before: 2, after: 1 });
      expect(await t.store.check('+4930000001', ['other', 'dnc'])).toBeNull();
      expect((await t.store.audit('dnc', 1))[0]).toMatchObject({
        action: 'recount',
        by: 'alice',
        reason: 'accept the loss',
        details: { sizeBefore: '2', sizeAfter: '1' },
      });
    });
  });
}

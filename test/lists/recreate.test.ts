import { describe, expect, it } from 'vitest';
import { removeUnder } from '../../src/lists/dense-store.js';
import { denseGenerationKeys, denseGensKey, EVERY_PREFIX_LENGTH, listKeys, PREFIX_LENGTHS_READ_LIMIT, type ListKeys } from '../../src/lists/keys.js';
import { ListStore } from '../../src/lists/store.js';
import type { ListError } from '../../src/lists/types.js';
import { testRedis } from '../helpers/redis.js';
import { ALICE, CHECK_MODES, T0, useStore } from './fixture.js';

/** A check's answer for a listed number: matched, or the store said it cannot tell. Never "not listed". */
async function answerFor(store: ListStore, number: string, list: string): Promise<string> {
  try {
    return (await store.check(number, [list])) ? 'listed' : 'NOT LISTED';
  } catch (error) {
    return (error as ListError).code;
  }
}

/** Every key of the list's hash tag, sorted. */
async function keysOf(t: ReturnType<typeof useStore>, list: string): Promise<string[]> {
  return (await t.redis.keys(`${listKeys(t.namespace, list).info.slice(0, -'info'.length)}*`)).sort();
}

/** A dense list us holding `numbers`: its keys, and the generation checks read. */
async function denseUs(t: ReturnType<typeof useStore>, ...numbers: string[]): Promise<{ keys: ListKeys; gen: string }> {
  await t.store.createList('us', ALICE, { dense: 'nanp' });
  await t.store.add('us', numbers.map((member) => ({ member })), ALICE);
  const keys = listKeys(t.namespace, 'us');
  return { keys, gen: (await t.redis.hget(keys.info, 'gen')) as string };
}

/** Writes a generation of bitmaps as a replace that died before its swap leaves it: its index, a block, a bit. */
async function writeGeneration(t: ReturnType<typeof useStore>, list: string, gen: string, number: string): Promise<void> {
  const root = listKeys(t.namespace, list).dense;
  const keys = denseGenerationKeys(root, gen);
  const block = number.slice(1, -4);
  await t.redis.set(keys.block(block), Buffer.alloc(1250));
  await t.redis.setbit(keys.block(block), Number(number.slice(-4)), 1);
  await t.redis.zadd(keys.index, Number(block), block);
  await t.redis.sadd(denseGensKey(root), gen);
}

describe.each(CHECK_MODES)('a list created again over the entries its lost info left behind (%s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('a dense list created again still matches the numbers its old bitmaps hold, and counts them', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }, { member: '+12125550100' }, { member: '+4930123456' }], ALICE);
    const gen = await t.redis.hget(listKeys(t.namespace, 'us').info, 'gen');
    await t.redis.del(listKeys(t.namespace, 'us').info);
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 3, adopted: gen });
    expect(await t.store.check('+14155550100', ['us'])).toMatchObject({ member: '+14155550100' });
    expect(await t.store.check('+12125550100', ['us'])).toMatchObject({ member: '+12125550100' });
    expect(await t.store.check('+4930123456', ['us'])).toMatchObject({ member: '+4930123456' });
    expect(await t.store.check('+14155550101', ['us'])).toBeNull();
    expect((await t.store.lists())[0]).toMatchObject({ name: 'us', size: 3, lost: 0, dense: 'nanp' });
    // The generation made for the create and not used is forgotten: a replace has nothing to clean.
    expect(await t.redis.smembers(denseGensKey(listKeys(t.namespace, 'us').dense))).toEqual([gen]);
    const [created] = await t.redis.xrevrange(listKeys(t.namespace, 'us').audit, '+', '-', 'COUNT', 1);
    expect(created?.[1]).toEqual(expect.arrayContaining(['action', 'create', 'd.adopted', gen, 'd.leftBehind', '3']));
    expect(await t.store.add('us', [{ member: '+14155550102' }], ALICE)).toMatchObject({ added: 1 });
    expect((await t.store.lists())[0]).toMatchObject({ size: 4, lost: 0 });
  });

  it('a create whose count is of another generation than the one it would adopt writes nothing', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    await t.redis.del(keys.info);
    // What the store counted before its script call, then a generation changed under it.
    const reply = await t.redis.callguardListCreate(
      keys.info, keys.audit, keys.exact, keys.timed, keys.dense, T0, 'alice', '', 'nanp', 'new-gen', PREFIX_LENGTHS_READ_LIMIT, EVERY_PREFIX_LENGTH, '', 'other-gen', 5,
    );
    expect(reply).toBe(-2);
    expect(await t.redis.exists(keys.info)).toBe(0);
  });

  it('a bitmap of the adopted generation that is gone reads as lost entries, not as "not listed"', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }, { member: '+12125550100' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    const gen = denseGenerationKeys(keys.dense, (await t.redis.hget(keys.info, 'gen')) as string);
    await t.redis.del(keys.info, gen.block(1415555));
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    expect(await answerFor(t.store, '+14155550100', 'us')).toBe('entries-lost');
    expect(await answerFor(t.store, '+12125550100', 'us')).toBe('listed');
    expect((await t.store.lists())[0]).toMatchObject({ size: 1 });
    // Accepting what is left takes the lost block out of the index: its number is then clear.
    expect(await t.store.recount('us', ALICE)).toEqual({ before: 1, after: 1 });
    expect(await answerFor(t.store, '+14155550100', 'us')).toBe('NOT LISTED');
  });

  it('an ordinary list created over bitmaps left behind is refused, nothing written, naming them and both ways out', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }, { member: '+4930123456' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    const gen = (await t.redis.hget(keys.info, 'gen')) as string;
    await t.redis.del(keys.info);
    const before = await t.redis.xlen(keys.audit);
    await expect(t.store.createList('us', ALICE)).rejects.toMatchObject({
      code: 'left-behind',
      message:
        `list us was not created: its lost info left behind 1 number in its SET, bitmaps of plan nanp (generation ${gen}, 1 block), ` +
        'and an ordinary list reads no bitmaps, so their numbers would read as not listed; nothing was written. ' +
        'Create it as it was (callguard list create us --dense nanp), or remove what is left knowingly with callguard list rm us --left-behind',
    });
    expect(await t.redis.exists(keys.info)).toBe(0);
    expect(await t.redis.xlen(keys.audit)).toBe(before);
    await expect(t.store.check('+14155550100', ['us'])).rejects.toMatchObject({ code: 'no-such-list' });
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    expect(await t.store.check('+14155550100', ['us'])).toMatchObject({ member: '+14155550100' });
  });

  it("a dense list created over an ordinary list's numbers of its plan is refused; over numbers of other plans it keeps them", async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+14155550100' }, { member: '+4930123456' }], ALICE);
    const keys = listKeys(t.namespace, 'dnc');
    await t.redis.del(keys.info);
    await expect(t.store.createList('dnc', ALICE, { dense: 'nanp' })).rejects.toMatchObject({
      code: 'left-behind',
      message:
        'list dnc was not created: its lost info left behind 2 numbers in its SET (1 of plan nanp), and a dense list reads the numbers of its plan ' +
        'in its bitmaps only, so those in the SET would read as not listed; nothing was written. ' +
        'Create it as it was, without --dense (callguard list create dnc), or remove what is left knowingly with callguard list rm dnc --left-behind',
    });
    expect(await t.redis.exists(keys.info)).toBe(0);
    expect(await t.redis.smembers(denseGensKey(keys.dense))).toEqual([]);
    expect(await t.store.createList('dnc', ALICE, { dense: 'uk' })).toEqual({ leftBehind: 2 });
    expect(await t.store.check('+14155550100', ['dnc'])).toMatchObject({ member: '+14155550100' });
    expect(await t.store.check('+4930123456', ['dnc'])).toMatchObject({ member: '+4930123456' });
  });

  it('a dense list created over bitmaps of another plan is refused', async () => {
    await t.store.createList('reg', ALICE, { dense: 'nanp' });
    await t.store.add('reg', [{ member: '+14155550100' }], ALICE);
    await t.redis.del(listKeys(t.namespace, 'reg').info);
    await expect(t.store.createList('reg', ALICE, { dense: 'uk' })).rejects.toMatchObject({
      code: 'left-behind',
      message: expect.stringMatching(/a list of plan uk reads no bitmaps of another plan, .* Create it as it was \(callguard list create reg --dense nanp\), or remove/),
    });
  });

  it('over several generations left behind a dense create is refused until one is named, and reads the one named', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    const live = (await t.redis.hget(keys.info, 'gen')) as string;
    // A replace that died before its swap left its generation; the info names which one
    // checks read, and it is gone.
    await writeGeneration(t, 'us', 'zz-died', '+12125550100');
    await t.redis.del(keys.info);
    const refusal = t.store.createList('us', ALICE, { dense: 'nanp' });
    await expect(refusal).rejects.toMatchObject({
      code: 'left-behind',
      message:
        `list us was not created: its lost info left behind bitmaps of plan nanp (generation ${live}, 1 block), bitmaps of plan nanp (generation zz-died, 1 block), ` +
        'and which generation checks read was in the lost info; nothing was written. Create it reading one of them ' +
        '(callguard list create us --dense nanp --generation <id>), then load it again with import --replace, or remove what is left knowingly with callguard list rm us --left-behind',
    });
    await expect(t.store.createList('us', ALICE, { dense: 'nanp', generation: 'nope' })).rejects.toMatchObject({
      message: expect.stringContaining('and generation nope is not among them'),
    });
    expect(await t.store.createList('us', ALICE, { dense: 'nanp', generation: live })).toEqual({ leftBehind: 1, adopted: live });
    expect(await t.store.check('+14155550100', ['us'])).toMatchObject({ member: '+14155550100' });
    expect(await t.store.check('+12125550100', ['us'])).toBeNull();
    expect((await t.redis.smembers(denseGensKey(keys.dense))).sort()).toEqual([live, 'zz-died'].sort());
  });

  it('what is left behind is removed knowingly, audited, and the list is then created empty', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }, { member: '+4930123456' }, { member: '+1900*' }], ALICE);
    await t.store.cancel('us', ['+4930123456'], ALICE);
    await writeGeneration(t, 'us', 'zz-died', '+12125550100');
    const keys = listKeys(t.namespace, 'us');
    await expect(t.store.removeLeftBehind('us', ALICE)).rejects.toMatchObject({ code: 'list-exists' });
    expect(await t.store.check('+14155550100', ['us'])).toMatchObject({ member: '+14155550100' });
    await t.redis.del(keys.info);
    expect(await t.store.leftBehind('us')).toMatchObject({ exact: 0, timed: 1, generations: [{ plan: 'nanp', blocks: 1 }, { gen: 'zz-died', plan: 'nanp', blocks: 1 }] });
    await t.store.removeLeftBehind('us', { ...ALICE, reason: 'info evicted; reloading' });
    expect(await keysOf(t, 'us')).toEqual([keys.audit]);
    expect(await t.store.leftBehind('us')).toEqual({ exact: 0, timed: 0, generations: [] });
    const [removed] = await t.redis.xrevrange(keys.audit, '+', '-', 'COUNT', 1);
    expect(removed?.[1]).toEqual(expect.arrayContaining(['action', 'remove', 'd.leftBehind', '1', 'reason', 'info evicted; reloading']));
    expect(await t.redis.sismember(`${t.namespace}:lists`, 'us')).toBe(0);
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 0 });
    expect(await t.store.check('+14155550100', ['us'])).toBeNull();
  });

  it('a list created between the removal of what was left and that of its bitmaps keeps the bitmaps it adopted and those it is given', async () => {
    const { keys, gen } = await denseUs(t, '+14155550100');
    await t.redis.del(keys.info);
    // removeLeftBehind's steps, with a create and an add between them: its script, then the bitmaps.
    expect(await t.redis.callguardListRemove(keys.info, keys.exact, keys.timed, keys.meta, keys.cancelled, keys.audit, T0, 'alice', '', 'left-behind')).toBe(1);
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 1, adopted: gen });
    await t.store.add('us', [{ member: '+12125550100' }], ALICE);
    const finished = await removeUnder(t.redis, keys.dense, keys.info, [gen]);
    expect(await answerFor(t.store, '+14155550100', 'us')).toBe('listed');
    expect(await answerFor(t.store, '+12125550100', 'us')).toBe('listed');
    expect((await t.store.lists())[0]).toMatchObject({ name: 'us', size: 2, lost: 0, lostBlocks: 0 });
    expect(finished).toBe(false);
  });

  it('a list created while what its lost info left behind is removed stays in the index of lists', async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }], ALICE);
    await t.redis.del(listKeys(t.namespace, 'dnc').info);
    const connection = testRedis();
    try {
      const creator = new ListStore(connection, t.namespace, () => t.now, { checkMode });
      // The create names the list in the index, then its connection waits (a BLPOP queued
      // behind that SADD) while the removal runs whole, before the create walks and writes.
      const gate = `${t.namespace}:gate`;
      const creating = creator.createList('dnc', ALICE);
      const held = connection.blpop(gate, 0);
      await t.store.removeLeftBehind('dnc', ALICE);
      await t.redis.lpush(gate, 'go');
      await held;
      expect(await creating).toEqual({ leftBehind: 0 });
    } finally {
      await connection.quit();
    }
    expect((await t.store.lists()).map((list) => list.name)).toEqual(['dnc']);
  });

  it('bitmaps whose record of generations was lost too are found by their keys, adopted, and recorded again', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    const gen = (await t.redis.hget(keys.info, 'gen')) as string;
    await t.redis.del(keys.info, denseGensKey(keys.dense));
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 1, adopted: gen });
    expect(await t.store.check('+14155550100', ['us'])).toMatchObject({ member: '+14155550100' });
    expect(await t.redis.smembers(denseGensKey(keys.dense))).toEqual([gen]);
  });

  it('a dense list whose audit stream and record of generations were lost too still finds its bitmaps by their keys', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    const gen = (await t.redis.hget(keys.info, 'gen')) as string;
    await t.redis.del(keys.info, keys.audit, denseGensKey(keys.dense));
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 1, adopted: gen });
    expect(await answerFor(t.store, '+14155550100', 'us')).toBe('listed');
  });

  it('an ordinary list created over bitmaps whose info, audit stream and record of generations were all lost is refused, naming the generation', async () => {
    const { keys, gen } = await denseUs(t, '+14155550100');
    await t.redis.del(keys.info, keys.audit, denseGensKey(keys.dense));
    await expect(t.store.createList('us', ALICE)).rejects.toMatchObject({
      code: 'left-behind',
      creates: [{ dense: 'nanp' }],
      message:
        `list us was not created: its lost info left behind bitmaps of plan nanp (generation ${gen}, 1 block), ` +
        'and an ordinary list reads no bitmaps, so their numbers would read as not listed; nothing was written. ' +
        'Create it as it was (callguard list create us --dense nanp), or remove what is left knowingly with callguard list rm us --left-behind',
    });
    expect(await t.redis.exists(keys.info)).toBe(0);
    expect(await t.redis.exists(keys.audit)).toBe(0);
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 1, adopted: gen });
    expect(await answerFor(t.store, '+14155550100', 'us')).toBe('listed');
  });

  it('bitmaps whose index was lost too are refused to any create, and removed with what is left', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }, { member: '+12125550100' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    const gen = (await t.redis.hget(keys.info, 'gen')) as string;
    await t.redis.del(keys.info, denseGensKey(keys.dense), denseGenerationKeys(keys.dense, gen).index);
    for (const dense of [{ dense: 'nanp' as const }, {}]) {
      await expect(t.store.createList('us', ALICE, dense)).rejects.toMatchObject({
        code: 'left-behind',
        message: expect.stringMatching(new RegExp(`left behind bitmaps of plan nanp \\(generation ${gen}, 2 bitmaps whose index is lost\\), and .*; nothing was written\\. Remove what is left knowingly with callguard list rm us --left-behind, then create it$`)),
      });
    }
    expect(await t.redis.exists(keys.info)).toBe(0);
    expect(await t.store.leftBehind('us')).toEqual({ exact: 0, timed: 0, generations: [{ gen, plan: 'nanp', blocks: 0, unindexed: 2 }] });
    await t.store.removeLeftBehind('us', ALICE);
    expect(await keysOf(t, 'us')).toEqual([keys.audit]);
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 0 });
  });

  it('bitmaps are found by their keys however the namespace is spelled, and the walk never reaches another namespace', async () => {
    // Glob characters in a namespace: SCAN's MATCH must read them as themselves.
    const spelled = `${t.namespace}[x]?`;
    const store = new ListStore(t.redis, spelled, () => t.now, { checkMode });
    await store.createList('us', ALICE, { dense: 'nanp' });
    await store.add('us', [{ member: '+14155550100' }], ALICE);
    const keys = listKeys(spelled, 'us');
    await t.redis.del(keys.info, keys.audit, denseGensKey(keys.dense));
    await expect(store.createList('us', ALICE)).rejects.toMatchObject({ code: 'left-behind', creates: [{ dense: 'nanp' }] });
    // A namespace the unescaped pattern matches too (`[x]` one x, `?` any character) keeps its bitmaps.
    const other = new ListStore(t.redis, `${t.namespace}xy`, () => t.now, { checkMode });
    await other.createList('us', ALICE, { dense: 'nanp' });
    await other.add('us', [{ member: '+12125550100' }], ALICE);
    await store.removeLeftBehind('us', ALICE);
    expect(await store.leftBehind('us')).toEqual({ exact: 0, timed: 0, generations: [] });
    expect(await other.check('+12125550100', ['us'])).toMatchObject({ member: '+12125550100' });
  });

  it('a generation whose index was lost beside one with its index is refused to every create, even one naming the other, so none is left unread', async () => {
    const { keys, gen: live } = await denseUs(t, '+14155550100');
    // The index of the generation checks read is lost; a replace that died left another.
    await writeGeneration(t, 'us', 'zz-died', '+12125550100');
    await t.redis.del(keys.info, denseGenerationKeys(keys.dense, live).index);
    for (const options of [{ dense: 'nanp' as const }, { dense: 'nanp' as const, generation: 'zz-died' }, {}]) {
      await expect(t.store.createList('us', ALICE, options)).rejects.toMatchObject({
        code: 'left-behind',
        creates: [],
        message: expect.stringMatching(
          new RegExp(
            `left behind bitmaps of plan nanp \\(generation ${live}, 1 bitmap whose index is lost\\), bitmaps of plan nanp \\(generation zz-died, 1 block\\), and .*; ` +
              'nothing was written\\. Remove what is left knowingly with callguard list rm us --left-behind, then create it$',
          ),
        ),
      });
    }
    expect(await t.redis.exists(keys.info)).toBe(0);
    await t.store.removeLeftBehind('us', ALICE);
    expect(await keysOf(t, 'us')).toEqual([keys.audit]);
  });

  it('a dense list removed after its record of generations was lost leaves no bitmap for a create to bring back', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    await t.redis.del(denseGensKey(keys.dense));
    await t.store.removeList('us', ALICE);
    expect(await keysOf(t, 'us')).toEqual([keys.audit]);
    expect(await t.store.createList('us', ALICE, { dense: 'nanp' })).toEqual({ leftBehind: 0 });
    expect(await t.store.check('+14155550100', ['us'])).toBeNull();
  });

  it("an ordinary list created again keeps its entries as before, and says how many", async () => {
    await t.store.createList('dnc', ALICE);
    await t.store.add('dnc', [{ member: '+4930123456' }, { member: '+14155550100' }, { member: '+1900*' }], ALICE);
    await t.redis.del(listKeys(t.namespace, 'dnc').info);
    expect(await t.store.createList('dnc', ALICE)).toEqual({ leftBehind: 3 });
    for (const number of ['+4930123456', '+14155550100', '+19005550100']) expect(await answerFor(t.store, number, 'dnc')).toBe('listed');
    expect((await t.store.lists())[0]).toMatchObject({ size: 3, lost: 0 });
  });
});

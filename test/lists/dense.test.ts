import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/lists/import/source.js';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import { scrubLeads } from '../../src/screening/scrub.js';
import { ALICE, CHECK_MODES, MINUTE, T0, useStore } from './fixture.js';

/** The generation a dense list's checks read now. */
async function generationOf(t: ReturnType<typeof useStore>, list: string): Promise<string> {
  const gen = await t.redis.hget(listKeys(t.namespace, list).info, 'gen');
  if (gen === null) throw new Error(`list ${list} has no generation`);
  return gen;
}

describe.each(CHECK_MODES)('a dense list (%s)', (checkMode) => {
  const t = useStore({ checkMode });

  it('keeps a number of its plan as a bit of its block, not in the SET, and matches it', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    expect(await t.store.add('us', [{ member: '+14155550100' }], ALICE)).toMatchObject({ added: 1 });
    const keys = listKeys(t.namespace, 'us');
    expect(await t.redis.scard(keys.exact)).toBe(0);
    const gen = denseGenerationKeys(keys.dense, await generationOf(t, 'us'));
    expect(await t.redis.getbit(gen.block(1415555), 100)).toBe(1);
    expect(await t.redis.strlen(gen.block(1415555))).toBe(1250);
    expect(await t.redis.zrange(gen.index, '0', '-1')).toEqual(['1415555']);
    expect(await t.store.check('+14155550100', ['us'])).toEqual({
      list: 'us', member: '+14155550100', kind: 'exact', expiresAt: null, reason: 'harassing caller', by: 'alice', addedAt: T0,
    });
    expect(await t.store.check('+14155550101', ['us'])).toBeNull();
    expect(await t.store.check('+14155560100', ['us'])).toBeNull();
  });

  it('keeps numbers outside its plan, timed entries and prefixes in the ordinary keys', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+4930123456' }, { member: '+14155550100', expiresAt: T0 + MINUTE }, { member: '+1900*' }], ALICE);
    const keys = listKeys(t.namespace, 'us');
    expect(await t.redis.smembers(keys.exact)).toEqual(['+4930123456']);
    expect(await t.redis.zcard(keys.timed)).toBe(2);
    expect(await t.store.check('+4930123456', ['us'])).toMatchObject({ member: '+4930123456', expiresAt: null });
    expect(await t.store.check('+14155550100', ['us'])).toMatchObject({ member: '+14155550100', expiresAt: T0 + MINUTE });
    expect(await t.store.check('+19005550100', ['us'])).toMatchObject({ member: '+1900*', kind: 'prefix' });
    t.now = T0 + MINUTE;
    expect(await t.store.check('+14155550100', ['us'])).toBeNull();
  });

  it('a timed number added forever moves into the bitmap, and a cancel clears it with its history', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100', expiresAt: T0 + MINUTE }], ALICE);
    expect(await t.store.add('us', [{ member: '+14155550100' }], ALICE)).toMatchObject({ extended: 1 });
    expect(await t.redis.zcard(listKeys(t.namespace, 'us').timed)).toBe(0);
    expect(await t.store.add('us', [{ member: '+14155550100', expiresAt: T0 + 2 * MINUTE }], ALICE)).toMatchObject({ unchanged: 1 });
    const cancelled = await t.store.cancel('us', ['+14155550100', '+14155550199'], { by: 'carol', reason: 'consent given' });
    expect(cancelled).toMatchObject({ cancelled: ['+14155550100'], notListed: ['+14155550199'] });
    expect(await t.store.check('+14155550100', ['us'])).toBeNull();
    const entries = await t.store.entries('+14155550100');
    expect(entries.listed).toEqual([]);
    expect(entries.cancelled).toMatchObject([{ list: 'us', reason: 'consent given', by: 'carol' }]);
    expect((await t.store.lists())[0]).toMatchObject({ name: 'us', size: 0, lost: 0, dense: 'nanp' });
  });

  it('counts its bits in its size, and says entries were lost when a block key is deleted', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }, { member: '+14155550101' }, { member: '+12125550100' }, { member: '+4930123456' }], ALICE);
    expect((await t.store.lists())[0]).toMatchObject({ size: 4, lost: 0 });
    expect(await t.store.entries('+12125550100')).toMatchObject({ listed: [{ list: 'us', expiresAt: null }] });
    const gen = denseGenerationKeys(listKeys(t.namespace, 'us').dense, await generationOf(t, 'us'));
    await t.redis.del(gen.block(1415555));
    expect(await t.store.check('+12125550100', ['us'])).toMatchObject({ member: '+12125550100' });
    await expect(t.store.check('+14155550100', ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    expect(await t.store.check('+13125550100', ['us'])).toBeNull();
    await expect(t.store.checkMany(['+12125550100', '+14155550100'], ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    expect(await t.store.checkMany(['+12125550100'], ['us'])).toEqual([{ list: 'us', member: '+12125550100' }]);
    await t.redis.del(gen.index);
    await expect(t.store.check('+13125550100', ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    await expect(t.store.checkMany(['+13125550100'], ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    expect((await t.store.lists())[0]).toMatchObject({ lost: 3 });
    // The index is gone, so the recount finds no block through it: what is left is counted
    // as the ordinary entry alone, and the block it cannot see still matches (fail safe).
    expect(await t.store.recount('us', ALICE)).toEqual({ before: 4, after: 1 });
    expect(await t.store.check('+13125550100', ['us'])).toBeNull();
    expect(await t.store.check('+12125550100', ['us'])).toMatchObject({ member: '+12125550100' });
    expect((await t.store.lists())[0]).toMatchObject({ size: 1, lost: 0 });
  });

  it('a UK list keeps +44 and 10 digits densely, and a shorter UK number ordinarily', async () => {
    await t.store.createList('tps', ALICE, { dense: 'uk' });
    await t.store.add('tps', [{ member: '+442079460000' }, { member: '+441632960000' }, { member: '+44169772000' }], ALICE);
    const keys = listKeys(t.namespace, 'tps');
    expect(await t.redis.smembers(keys.exact)).toEqual(['+44169772000']);
    for (const number of ['+442079460000', '+441632960000', '+44169772000']) {
      expect(await t.store.check(number, ['tps'])).toMatchObject({ member: number });
    }
    expect(await t.store.check('+442079460001', ['tps'])).toBeNull();
  });

  it('a removed dense list leaves no bitmap behind', async () => {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.add('us', [{ member: '+14155550100' }], ALICE);
    await t.store.removeList('us', ALICE);
    expect(await t.redis.keys(`${listKeys(t.namespace, 'us').dense}*`)).toEqual([]);
  });

  it('dense and ordinary storage give the same answers on random numbers and entries', async () => {
    await t.store.createList('dense', ALICE, { dense: 'nanp' });
    await t.store.createList('plain', ALICE);
    // Few blocks and few subscriber numbers, so random numbers hit listed ones often.
    const nanp = fc.tuple(fc.constantFrom('415555', '212555', '900555'), fc.integer({ min: 0, max: 40 }))
      .map(([block, n]) => `+1${block}${String(n).padStart(4, '0')}`);
    const number = fc.oneof(nanp, fc.constantFrom('+4930123456', '+441632960000', '+1415555'));
    const entry = fc.record({
      member: fc.oneof(number, fc.constantFrom('+1900*', '+1415555*', '+49*')),
      expiresAt: fc.option(fc.constantFrom(T0 + MINUTE, T0 + 2 * MINUTE), { nil: undefined }),
    });
    const step = fc.oneof(
      fc.record({ op: fc.constant('add' as const), entries: fc.array(entry, { minLength: 1, maxLength: 5 }) }),
      fc.record({ op: fc.constant('cancel' as const), members: fc.array(number, { minLength: 1, maxLength: 3 }) }),
      fc.record({ op: fc.constant('tick' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 8 }), fc.array(number, { minLength: 1, maxLength: 8 }), async (steps, probes) => {
        for (const list of ['dense', 'plain']) {
          await t.store.removeList(list, ALICE);
          await t.store.createList(list, ALICE, list === 'dense' ? { dense: 'nanp' } : {});
        }
        t.now = T0;
        for (const s of steps) {
          if (s.op === 'tick') t.now += MINUTE;
          const live = s.op === 'add' ? s.entries.filter((e) => e.expiresAt === undefined || e.expiresAt > t.now) : [];
          for (const list of ['dense', 'plain']) {
            if (s.op === 'add' && live.length > 0) await t.store.add(list, live, ALICE);
            if (s.op === 'cancel') await t.store.cancel(list, s.members, { by: 'carol', reason: 'test' });
          }
        }
        for (const probe of probes) {
          const [dense, plain] = await t.store.checkEach(probe, ['dense', 'plain']);
          expect({ ...dense, list: 'x' }).toEqual({ ...plain, list: 'x' });
        }
        // The bulk check of a scrub answers as the check does, list by list.
        for (const list of ['dense', 'plain']) {
          const bulk = await t.store.checkMany(probes, [list]);
          const single = await Promise.all(probes.map((probe) => t.store.check(probe, [list])));
          expect(bulk).toEqual(single.map((match) => match && { list, member: match.member }));
        }
        const [dense, plain] = (await t.store.lists()).sort((a, b) => a.name.localeCompare(b.name));
        expect(dense?.size).toBe(plain?.size);
      }),
      { numRuns: 40 },
    );
  });

  it('a scrub of shuffled numbers over many blocks, a batch meeting each block many times apart, matches as single checks do', async () => {
    await t.store.createList('dense', ALICE, { dense: 'nanp' });
    await t.store.createList('plain', ALICE);
    let seed = 19;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const blocks = Array.from({ length: 60 }, (_, i) => `${201 + i}555`);
    const numberIn = (block: string): string => `+1${block}${String(random(10_000)).padStart(4, '0')}`;
    const listed = Array.from({ length: 600 }, () => numberIn(blocks[random(blocks.length)] as string));
    await t.store.add('dense', listed.slice(0, 400).map((member) => ({ member })), ALICE);
    await t.store.add('plain', listed.slice(300).map((member) => ({ member })), ALICE);
    // Listed numbers, their neighbours in the same blocks, blocks no list has, another country.
    const probes = [...listed, ...listed.map((n) => `${n.slice(0, -1)}${(Number(n.at(-1)) + 1) % 10}`), ...Array.from({ length: 200 }, () => numberIn(`${700 + random(50)}555`)), '+4930123456'];
    for (let i = probes.length - 1; i > 0; i -= 1) {
      const j = random(i + 1);
      [probes[i], probes[j]] = [probes[j] as string, probes[i] as string];
    }
    const expected = await Promise.all(probes.map(async (probe) => {
      const match = await t.store.check(probe, ['dense', 'plain']);
      return match ? `${probe},${match.list},${match.member}` : probe;
    }));
    const bulk = await t.store.checkMany(probes, ['dense', 'plain']);
    expect(bulk.map((match, i) => (match ? `${probes[i] as string},${match.list},${match.member}` : probes[i]))).toEqual(expected);

    const file = join(tmpdir(), `${t.namespace}-leads.txt`);
    await writeFile(file, probes.join('\n'));
    const collect = (): Writable & { text: string } => {
      const out = new Writable({ write: (chunk: Buffer, _encoding, done) => { out.text += chunk.toString(); done(); } }) as Writable & { text: string };
      out.text = '';
      return out;
    };
    const [clean, removed] = [collect(), collect()];
    try {
      // Batches of 50 cut the window's sorted numbers mid-block; the files keep the file's order.
      await scrubLeads(t.store, { source: await openSource(file), lists: ['dense', 'plain'], region: 'US', clean, removed, batchSize: 50 });
    } finally {
      await rm(file, { force: true });
    }
    expect(removed.text).toBe(expected.filter((row) => row.includes(',')).map((row) => `${row}\n`).join(''));
    expect(clean.text).toBe(expected.filter((row) => !row.includes(',')).map((row) => `${row}\n`).join(''));
  });
});

import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { scrubMatchesFromReply } from '../../src/lists/check.js';
import { DEFAULT_REPLACE_GUARDS } from '../../src/lists/import/guards.js';
import { importList } from '../../src/lists/import/run.js';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import { defineListScripts } from '../../src/lists/scripts.js';
import type { ListStore } from '../../src/lists/store.js';
import { receivedDuring } from '../helpers/monitor.js';
import { seeded } from '../helpers/seeded.js';
import { sourceOf } from '../import/helpers.js';
import { ALICE, CHECK_MODES, MINUTE, useStore } from './fixture.js';

/** Numbers of area code 201, exchanges 555 + b: block b holds subscribers 0, 7, 14, ... */
const numberIn = (b: number, subscriber: number): string => `+1${2015550000 + b * 10_000 + subscriber}`;
const BLOCKS = 20;
const listed = Array.from({ length: BLOCKS }, (_, b) => Array.from({ length: 10 }, (_, n) => numberIn(b, n * 7)));
/** Listed numbers, their neighbours (not listed), a block no list has, another country. */
const probes = [...listed.flat(), ...listed.flat().map((number) => `${number.slice(0, -1)}${Number(number.at(-1)) + 1}`), numberIn(90, 5), '+4930123456'];

/**
 * The scrub script calls made in `run` with the namespace's keys, seen by MONITOR (the
 * test server is shared): counted once a marker sent after `run` comes through.
 */
async function scriptCallsDuring(t: { redis: Redis; namespace: string }, run: () => Promise<void>): Promise<number> {
  const monitor = await t.redis.duplicate().monitor();
  const marker = `${t.namespace}:done`;
  let calls = 0;
  const seen = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'evalsha' && args.some((arg) => arg.includes(`${t.namespace}:`))) calls += 1;
      if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) resolve();
    });
  });
  try {
    await run();
    await t.redis.echo(marker);
    await seen;
    return calls;
  } finally {
    monitor.disconnect();
  }
}

/** What scrub-many.lua, the reference, answers for `numbers` asked of `lists` in one call. */
async function scriptAnswers(t: { redis: Redis; namespace: string; now: number }, numbers: string[], lists: string[]): Promise<({ list: string; member: string } | null)[]> {
  defineListScripts(t.redis);
  const keys = lists.flatMap((name) => {
    const k = listKeys(t.namespace, name);
    return [k.info, k.exact, k.timed, k.meta, k.dense];
  });
  const answers: ({ list: string; member: string } | null)[] = numbers.map(() => null);
  const reply = await t.redis.callguardListScrub(keys.length, ...keys, t.now, numbers.join('\n'));
  for (const match of scrubMatchesFromReply(numbers.length, lists.length, reply)) answers[match.number] = { list: lists[match.list] as string, member: match.member };
  return answers;
}

/** What single checks say of each probe: the reference the bulk answers must equal. */
async function singleAnswers(store: ListStore, lists: string[]): Promise<({ list: string; member: string } | null)[]> {
  return Promise.all(probes.map(async (probe) => {
    const match = await store.check(probe, lists);
    return match && { list: match.list, member: match.member };
  }));
}

describe.each(CHECK_MODES)("a scrub's batch read (%s)", (checkMode) => {
  const t = useStore({ checkMode });

  async function registry(): Promise<void> {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.createList('own', ALICE);
    const text = listed.flat().map((number) => number.slice(2)).join('\n');
    await importList(t.redis, t.namespace, { list: 'us', source: await sourceOf(text), country: 'US', onDuplicate: 'skip', replace: false, dryRun: false, actor: ALICE });
    await t.store.add('own', [...listed.flat().filter((_, i) => i % 3 === 0), '+4930123456'].map((member) => ({ member })), ALICE);
  }

  it('answers a dense and a SET list without a script, as single checks do', async () => {
    await registry();
    const expected = [await singleAnswers(t.store, ['own', 'us']), await singleAnswers(t.store, ['us', 'own'])];
    const answers: unknown[] = [];
    const calls = await scriptCallsDuring(t, async () => {
      answers.push(await t.store.checkMany(probes, ['own', 'us']), await t.store.checkMany(probes, ['us', 'own']));
    });
    expect(answers).toEqual(expected);
    expect(calls).toBe(0);
  });

  it('a block lost between two batches reads "entries lost", not "not listed"', async () => {
    await registry();
    expect((await t.store.checkMany(probes, ['us'])).filter(Boolean)).toHaveLength(listed.flat().length);
    const keys = listKeys(t.namespace, 'us');
    const gen = denseGenerationKeys(keys.dense, (await t.redis.hget(keys.info, 'gen')) as string);
    await t.redis.del(gen.block(numberIn(3, 0).slice(1, 8)));
    await expect(t.store.checkMany(probes, ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
    // A number an earlier list matched is not asked of the damaged one, as in the script.
    if (checkMode === 'one-call') {
      await t.store.add('own', [{ member: (listed[3] as string[])[1] as string }], ALICE);
      expect(await t.store.checkMany([(listed[3] as string[])[1] as string], ['own', 'us'])).toEqual([{ list: 'own', member: (listed[3] as string[])[1] }]);
    }
  });

  it('follows a list replaced, a timed entry and a prefix added between batches', async () => {
    await registry();
    expect(await t.store.checkMany(probes, ['us', 'own'])).toEqual(await singleAnswers(t.store, ['us', 'own']));
    // A new generation: the next batch must read its blocks, not the old generation's.
    const kept = listed.flat().filter((_, i) => i % 2 === 0);
    await importList(t.redis, t.namespace, { list: 'us', source: await sourceOf(kept.map((n) => n.slice(2)).join('\n')), country: 'US', onDuplicate: 'skip', replace: true, dryRun: false, actor: ALICE, guards: { ...DEFAULT_REPLACE_GUARDS, force: true } });
    const afterReplace = await t.store.checkMany(probes, ['us', 'own']);
    expect(afterReplace).toEqual(await singleAnswers(t.store, ['us', 'own']));
    expect(afterReplace.filter((answer) => answer?.list === 'us')).toHaveLength(kept.length);
    await t.store.add('own', [{ member: numberIn(90, 5), expiresAt: t.now + MINUTE }], ALICE);
    expect(await t.store.checkMany(probes, ['us', 'own'])).toEqual(await singleAnswers(t.store, ['us', 'own']));
    await t.store.add('own', [{ member: '+1201556*' }], ALICE);
    const withPrefix = await t.store.checkMany(probes, ['us', 'own']);
    expect(withPrefix).toEqual(await singleAnswers(t.store, ['us', 'own']));
    expect(withPrefix).toContainEqual({ list: 'own', member: '+1201556*' });
  });

  it('asks a SET list for a number repeated in a batch once, and answers every repeat', async () => {
    await registry();
    const own = listed.flat().find((_, i) => i % 3 === 0) as string;
    const repeated = [own, '+4930123456', own, '+4930123457', '+4930123456', own];
    const received = await receivedDuring(t.redis, async () => {
      expect(await t.store.checkMany(repeated, ['us', 'own'])).toEqual([
        { list: 'us', member: own }, { list: 'own', member: '+4930123456' }, { list: 'us', member: own }, null, { list: 'own', member: '+4930123456' }, { list: 'us', member: own },
      ]);
    }, true);
    // us asks its SET part for the numbers not of its plan, own for all: each number once.
    const asked = received.filter((command) => command.command === 'smismember' && command.args[0]?.includes(`${t.namespace}:`)).map((command) => command.args.slice(1).sort());
    expect(asked.sort()).toEqual([[own, '+4930123456', '+4930123457'], ['+4930123456', '+4930123457']]);
  });

  it('a disabled list matches nothing and a missing one is an error, as in the script', async () => {
    await registry();
    await t.store.setEnabled('own', false, ALICE);
    expect(await t.store.checkMany(probes, ['own', 'us'])).toEqual(await singleAnswers(t.store, ['us']));
    await expect(t.store.checkMany(probes, ['us', 'nope'])).rejects.toMatchObject({ code: 'no-such-list' });
  });

  describe('read whole, at many numbers a block and at one or two', () => {
    /** 300 blocks of area code 201 (exchanges 200..499), ~40 random numbers listed in each but every 10th block, which no list has. */
    const blocks = Array.from({ length: 300 }, (_, b) => 1201200 + b);
    const numberOf = (block: number, subscriber: number): string => `+${block}${String(subscriber).padStart(4, '0')}`;

    async function sparseRegistry(): Promise<string[]> {
      const next = seeded(28);
      const listedNumbers = blocks.filter((_, b) => b % 10 !== 0).flatMap((block) => Array.from({ length: 40 }, () => numberOf(block, Math.floor(next() * 10_000))));
      await t.store.createList('us', ALICE, { dense: 'nanp' });
      await t.store.createList('own', ALICE);
      await importList(t.redis, t.namespace, { list: 'us', source: await sourceOf(listedNumbers.map((number) => number.slice(2)).join('\n')), country: 'US', onDuplicate: 'skip', replace: false, dryRun: false, actor: ALICE });
      await t.store.add('own', listedNumbers.filter((_, i) => i % 5 === 0).map((member) => ({ member })), ALICE);
      return listedNumbers;
    }

    it('agrees with scrub-many.lua at ~1.5 numbers a block over many blocks and at hundreds in a few', async () => {
      const listedNumbers = await sparseRegistry();
      const next = seeded(14);
      // One or two numbers a block, half of them listed: a full registry's density in a scrub window.
      const sparse = blocks.flatMap((block, b) => {
        const own = listedNumbers.slice((b - Math.floor(b / 10)) * 40, (b - Math.floor(b / 10)) * 40 + 40);
        const pick = (): string => (next() < 0.5 && own.length > 0 ? (own[Math.floor(next() * own.length)] as string) : numberOf(block, Math.floor(next() * 10_000)));
        return next() < 0.5 ? [pick()] : [pick(), pick()];
      });
      // Hundreds a block: the 40 listed numbers of each of 4 blocks among 210 drawn at random.
      const dense = blocks.slice(1, 5).flatMap((block, b) => [...listedNumbers.slice(b * 40, b * 40 + 40), ...Array.from({ length: 210 }, () => numberOf(block, Math.floor(next() * 10_000)))]);
      for (const probeSet of [sparse, dense, [...dense.slice(0, 200), ...sparse.slice(0, 300), '+4930123456']]) {
        for (const lists of [['us', 'own'], ['own', 'us']]) {
          const expected = await scriptAnswers(t, probeSet, lists);
          let answers: unknown;
          const calls = await scriptCallsDuring(t, async () => {
            answers = await t.store.checkMany(probeSet, lists);
          });
          expect(calls).toBe(0);
          expect(answers).toEqual(expected);
          expect(expected.filter(Boolean).length).toBeGreaterThan(probeSet.length / 10);
        }
      }
    });

    it("reads a lone number's bit at its own place in the block, whatever its byte", async () => {
      await t.store.createList('us', ALICE, { dense: 'nanp' });
      const subscribers = [0, 1, 7, 8, 9, 15, 16, 1249, 4095, 9992, 9998, 9999];
      // Block 2b lists the subscriber alone and is asked for it; block 2b+1 lists it too and is asked for its neighbour.
      const text = subscribers.flatMap((subscriber, b) => [numberOf(blocks[2 * b] as number, subscriber), numberOf(blocks[2 * b + 1] as number, subscriber)]);
      await importList(t.redis, t.namespace, { list: 'us', source: await sourceOf(text.map((number) => number.slice(2)).join('\n')), country: 'US', onDuplicate: 'skip', replace: false, dryRun: false, actor: ALICE });
      const asked = subscribers.flatMap((subscriber, b) => [numberOf(blocks[2 * b] as number, subscriber), numberOf(blocks[2 * b + 1] as number, subscriber === 9999 ? 9998 : subscriber + 1)]);
      const answers = await t.store.checkMany(asked, ['us']);
      expect(answers).toEqual(asked.map((number, n) => (n % 2 === 0 ? { list: 'us', member: number } : null)));
      expect(answers).toEqual(await scriptAnswers(t, asked, ['us']));
    });

    it('a block the index names but Redis lost reads "entries lost", among close blocks and among far ones', async () => {
      await sparseRegistry();
      const keys = listKeys(t.namespace, 'us');
      const gen = denseGenerationKeys(keys.dense, (await t.redis.hget(keys.info, 'gen')) as string);
      const lostBlock = blocks[15] as number;
      await t.redis.del(gen.block(lostBlock));
      // Close blocks: the index is read by the range of their ids; far ones (another area code): block by block.
      const close = [...blocks.slice(10, 40).map((block) => numberOf(block, 5)), numberOf(lostBlock, 6)];
      const far = [numberOf(lostBlock, 6), '+19175550100'];
      for (const probeSet of [close, far]) {
        await expect(scriptAnswers(t, probeSet, ['us'])).rejects.toThrow(/entries lost/);
        await expect(t.store.checkMany(probeSet, ['us'])).rejects.toMatchObject({ code: 'entries-lost' });
        // A block no list has is missing too, and only "not listed".
        const unlisted = probeSet.filter((number) => !number.startsWith(`+${lostBlock}`));
        expect(await t.store.checkMany(unlisted, ['us'])).toEqual(await scriptAnswers(t, unlisted, ['us']));
      }
    });

    it('a lost block met again out of block order reads "entries lost" though a list before it matched its last number', async () => {
      await sparseRegistry();
      const keys = listKeys(t.namespace, 'us');
      const gen = denseGenerationKeys(keys.dense, (await t.redis.hget(keys.info, 'gen')) as string);
      const lostBlock = blocks[15] as number;
      const matchedFirst = numberOf(lostBlock, 7);
      await t.store.add('own', [{ member: matchedFirst }], ALICE);
      await t.redis.del(gen.block(lostBlock));
      // The lost block, a lower one, the lost block again: its last number is own's, so only the first is asked of us.
      const probes = [numberOf(lostBlock, 6), numberOf(blocks[14] as number, 5), matchedFirst];
      await expect(scriptAnswers(t, probes, ['own', 'us'])).rejects.toThrow(/entries lost/);
      await expect(t.store.checkMany(probes, ['own', 'us'])).rejects.toMatchObject({ code: 'entries-lost' });
    });
  });
});

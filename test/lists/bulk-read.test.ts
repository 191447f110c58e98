import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REPLACE_GUARDS } from '../../src/lists/import/guards.js';
import { importList } from '../../src/lists/import/run.js';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import type { ListStore } from '../../src/lists/store.js';
import { receivedDuring } from '../helpers/monitor.js';
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
    });
    // us asks its SET part for the numbers not of its plan, own for all: each number once.
    const asked = received.filter((command) => command.command === 'smismember').map((command) => command.args.slice(1).sort());
    expect(asked.sort()).toEqual([[own, '+4930123456', '+4930123457'], ['+4930123456', '+4930123457']]);
  });

  it('a disabled list matches nothing and a missing one is an error, as in the script', async () => {
    await registry();
    await t.store.setEnabled('own', false, ALICE);
    expect(await t.store.checkMany(probes, ['own', 'us'])).toEqual(await singleAnswers(t.store, ['us']));
    await expect(t.store.checkMany(probes, ['us', 'nope'])).rejects.toMatchObject({ code: 'no-such-list' });
  });
});

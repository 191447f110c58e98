import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { importChanges } from '../../src/lists/import/changes.js';
import { DEFAULT_REPLACE_GUARDS } from '../../src/lists/import/guards.js';
import { importList, type ImportRequest } from '../../src/lists/import/run.js';
import { openSource } from '../../src/lists/import/source.js';
import { changeMark, type ChangeMark } from '../../src/lists/change-mark.js';
import { readStates, type HeldCheck, type ListState } from '../../src/lists/held-lists.js';
import { BLOCK_BYTES } from '../../src/lists/dense.js';
import { denseGenerationKeys, listKeys } from '../../src/lists/keys.js';
import { migratePrefixFields } from '../../src/lists/migrate.js';
import { digitsOf, e164Of } from '../../src/numbers/digits.js';
import { scrubLeads, type BulkChecker } from '../../src/screening/scrub.js';
import { collect } from '../helpers/collect.js';
import { receivedDuring } from '../helpers/monitor.js';
import { seeded } from '../helpers/seeded.js';
import { sourceOf } from '../import/helpers.js';
import { ALICE, MINUTE, useStore } from './fixture.js';

/** Numbers of area code 201, exchanges 200 + b: 12 blocks, a few hundred numbers listed in each. */
const BLOCKS = 12;
const numberOf = (b: number, subscriber: number): string => `+1201${200 + b}${String(subscriber).padStart(4, '0')}`;

describe("a scrub's lists held in the process", () => {
  const t = useStore();

  const load = (list: string, numbers: string[], request: Partial<ImportRequest> = {}) =>
    sourceOf(numbers.map((number) => (number.startsWith('+1') ? number.slice(2) : number)).join('\n')).then((source) =>
      importList(t.redis, t.namespace, { list, source, country: 'US', onDuplicate: 'skip', replace: false, dryRun: false, actor: ALICE, ...request }),
    );

  /** A dense list `us` and a SET list `own` (NANP numbers and another country's). */
  async function registry(next: () => number): Promise<string[]> {
    await t.store.createList('us', ALICE, { dense: 'nanp' });
    await t.store.createList('own', ALICE);
    const listed = Array.from({ length: BLOCKS * 300 }, (_, n) => numberOf(n % BLOCKS, Math.floor(next() * 10_000)));
    await load('us', listed);
    await t.store.add('own', [...listed.filter((_, n) => n % 7 === 0).slice(0, 200), '+4930123456', '+4930123457'].map((member) => ({ member })), ALICE);
    return listed;
  }

  /**
   * Timed entries and prefixes on both lists, as a company's own list has them: prefixes
   * of several lengths (forever and expiring), numbers expiring one window after another
   * as the clock moves (and some expired from the start), and the same numbers matched
   * by an exact entry on one list and a prefix on the other. The numbers they list.
   */
  async function timedEntries(): Promise<string[]> {
    const numbers = Array.from({ length: 40 }, (_, n) => numberOf(n % BLOCKS, 7_000 + n));
    await t.store.add('own', [
      { member: '+1201203*' },
      { member: '+120120511*' },
      { member: '+4930*', expiresAt: t.now + 20 * MINUTE },
      { member: '+1201209*', expiresAt: t.now + 12 * MINUTE },
      ...numbers.slice(0, 20).map((member, n) => ({ member, expiresAt: t.now + 1 + n * MINUTE })),
    ], ALICE);
    await t.store.add('us', [
      { member: '+12012071*' },
      { member: '+120121*', expiresAt: t.now + 30 * MINUTE },
      ...numbers.slice(20).map((member, n) => ({ member, expiresAt: n % 2 === 0 ? t.now + 1 : t.now + (n + 3) * MINUTE })),
      // On own as a prefix ('+1201203*'), on us as itself: us, the first list, reports itself.
      { member: numberOf(3, 1_234), expiresAt: t.now + 25 * MINUTE },
    ], ALICE);
    // On us as a prefix ('+12012071*'), on own as itself: us reports its prefix.
    await t.store.add('own', [{ member: numberOf(7, 1_999) }], ALICE);
    return [...numbers, numberOf(3, 1_234), numberOf(7, 1_999), numberOf(5, 1_100), numberOf(5, 1_199), numberOf(9, 5), '+4930999', '+4931000'];
  }

  it.each([
    ['the SET read whole', Number.MAX_SAFE_INTEGER, undefined, false, undefined],
    ['the SET asked window by window', 0, undefined, false, undefined],
    ['3 blocks held at most, the others read for their window', Number.MAX_SAFE_INTEGER, 3 * BLOCK_BYTES, false, undefined],
    ['timed entries and prefixes on both lists, expiring as the clock moves', Number.MAX_SAFE_INTEGER, undefined, true, undefined],
    ['timed entries and prefixes, the SET asked window by window', 0, undefined, true, undefined],
    ['timed entries and prefixes past the budget, asked window by window', Number.MAX_SAFE_INTEGER, undefined, true, 0],
  ])('answers every window as single checks of the lists as they were then, though they change between windows, dense and SET (%s)', async (_, rows, blockBytes, timed, timedBudget) => {
    const next = seeded(45);
    const listed = await registry(next);
    const special = timed ? await timedEntries() : [];
    const pick = (): string => {
      const r = next();
      if (r < 0.1 && special.length > 0) return special[Math.floor(next() * special.length)] as string;
      if (r < 0.4) return listed[Math.floor(next() * listed.length)] as string;
      if (r < 0.45) return next() < 0.5 ? '+4930123456' : '+4930123458';
      return numberOf(Math.floor(next() * BLOCKS), Math.floor(next() * 10_000));
    };
    const leads = Array.from({ length: 2_400 }, pick);
    // Each change is made before a window is checked, to numbers of that window whose blocks and members are held since windows before.
    const changes: ((window: string[]) => Promise<unknown>)[] = [
      (window) => t.store.add('us', window.filter((number) => number.startsWith('+1')).slice(0, 5).map((member) => ({ member })), ALICE),
      (window) => t.store.cancel('us', window.filter((number) => listed.includes(number)).slice(0, 5), { ...ALICE, reason: 'asked' }),
      (window) => t.store.add('own', window.slice(0, 5).map((member) => ({ member })), ALICE),
      (window) => t.store.cancel('own', window.slice(0, 5), { ...ALICE, reason: 'asked' }),
      (window) => load('us', window.filter((number) => listed.includes(number)).slice(0, 8), { operation: 'delete' }),
      (window) => load('us', window.filter((number) => number.startsWith('+1')).slice(5, 15)),
      (window) => load('us', [...listed.filter((_, n) => n % 2 === 0), ...window.slice(0, 10).filter((number) => number.startsWith('+1'))], { replace: true, guards: { ...DEFAULT_REPLACE_GUARDS, force: true } }),
      () => t.store.setEnabled('own', false, ALICE),
      () => t.store.setEnabled('own', true, ALICE),
      (window) => Promise.all([sourceOf(window.slice(0, 3).map((n) => n.slice(2)).join('\n')), sourceOf(window.slice(3, 9).map((n) => n.slice(2)).join('\n'))]).then(([additions, deletions]) =>
        importChanges(t.redis, t.namespace, { list: 'us', country: 'US', onDuplicate: 'skip', dryRun: false, actor: ALICE }, { additions, deletions })),
      (window) => t.store.add('own', [{ member: window[0] as string, expiresAt: t.now + MINUTE }], ALICE),
      (window) => t.store.add('own', [{ member: `${(window[1] as string).slice(0, 9)}*`, expiresAt: t.now + 2 * MINUTE }], ALICE),
      (window) => t.store.cancel('own', [window[0] as string], { ...ALICE, reason: 'asked' }),
    ];
    const expected: ({ list: string; member: string } | null)[] = [];
    const inFlight: Promise<unknown>[] = [];
    let windows = 0;
    let answeredHeld = 0;
    let askedByBatch = 0;
    const checker: BulkChecker = {
      checkDigits: (numbers, lists) => {
        const asked = t.store.checkDigits(numbers, lists);
        inFlight.push(asked.catch(() => undefined));
        return asked;
      },
      holdLists: (lists, options) => {
        const held = t.store.holdLists(lists, { ...options, rows, maxMoves: 100, ...(blockBytes === undefined ? {} : { blockBytes }), ...(timedBudget === undefined ? {} : { timed: timedBudget }) }) as HeldCheck;
        return {
          release: () => held.release(),
          check: async (numbers) => {
            // The window before is answered in full before the lists change.
            await Promise.all(inFlight.splice(0));
            const window = Array.from(numbers, e164Of);
            windows += 1;
            // Timed entries expire as windows go, with no writer to move the lists.
            t.now += MINUTE;
            if (windows % 2 === 0) await changes[(windows / 2 - 1) % changes.length]?.(window);
            for (const number of window) {
              const match = await t.store.check(number, lists);
              expected.push(match && { list: match.list, member: match.member });
            }
            const answers = await held.check(numbers);
            if (answers) answeredHeld += 1;
            else askedByBatch += 1;
            return answers;
          },
        };
      },
    };
    const [clean, removed] = [collect(), collect()];
    await scrubLeads(checker, { source: await openSource('-', Readable.from([leads.join('\n')])), lists: ['us', 'own'], clean, removed, windowRows: 60 });
    const cleanRows = clean.bytes().toString('utf8').split('\n').slice(0, -1);
    const removedRows = removed.bytes().toString('utf8').split('\n').slice(0, -1);
    expect(cleanRows).toEqual(leads.filter((_, n) => expected[n] === null));
    expect(removedRows).toEqual(leads.flatMap((lead, n) => (expected[n] ? [`${lead},${expected[n]?.list},${expected[n]?.member}`] : [])));
    expect(expected.filter(Boolean).length).toBeGreaterThan(leads.length / 4);
    if (timed) {
      // Both lists matched by prefix, and a timed entry's number both listed and, expired, clean.
      expect(new Set(expected.filter((match) => match?.member.endsWith('*')).map((match) => match?.list))).toEqual(new Set(['us', 'own']));
      const expiring = numberOf(1, 7_013);
      expect(new Set(leads.flatMap((lead, n) => (lead === expiring ? [expected[n]?.list ?? 'clean'] : [])))).toEqual(new Set(['own', 'clean']));
    }
    // Held for most windows (timed entries and prefixes too), asked again the batch way after a change.
    expect(windows).toBe(leads.length / 60);
    expect(answeredHeld).toBeGreaterThan(changes.length);
    expect(askedByBatch).toBeGreaterThanOrEqual(changes.length);
  });

  it('reads each block once however many windows meet it, a small SET whole, and asks nothing a row', async () => {
    const next = seeded(7);
    const listed = await registry(next);
    const leads = Array.from({ length: 3_000 }, (_, n) => (n % 3 === 0 ? (listed[Math.floor(next() * listed.length)] as string) : numberOf(n % BLOCKS, Math.floor(next() * 10_000))));
    const [clean, removed] = [collect(), collect()];
    const received = await receivedDuring(t.redis, async () => {
      // The file's size known, as a file's is, and read in pieces: 3,000 rows, more than own's members.
      const bytes = Buffer.from(leads.join('\n'));
      const source = await openSource('-', Readable.from(Array.from({ length: Math.ceil(bytes.length / 1024) }, (_, n) => bytes.subarray(n * 1024, (n + 1) * 1024))));
      source.totalBytes = bytes.length;
      await scrubLeads(t.store, { source, lists: ['us', 'own'], clean, removed, windowRows: 100 });
    }, true);
    const ours = received.filter((command) => command.args.some((arg) => arg.includes(`${t.namespace}:`)));
    const blocksRead = ours.filter((command) => command.command === 'mget').flatMap((command) => command.args);
    expect(blocksRead.length).toBe(BLOCKS);
    expect(new Set(blocksRead).size).toBe(BLOCKS);
    expect(ours.filter((command) => ["smismember", "evalsha", "getrange"].includes(command.command)).map((c) => [c.command, c.args.length, c.args[0]])).toEqual([]);
    expect(ours.filter((command) => command.command === 'sscan').length).toBeGreaterThan(0);
    const expected = await t.store.checkMany(leads, ['us', 'own']);
    expect(removed.bytes().toString('utf8').split('\n').slice(0, -1)).toEqual(leads.flatMap((lead, n) => (expected[n] ? [`${lead},${expected[n]?.list},${expected[n]?.member}`] : [])));
  });

  it("shares its block budget with the process's other scrubs, and gives it back when it ends", async () => {
    const listed = await registry(seeded(21));
    const window = Float64Array.from(Array.from({ length: BLOCKS }, (_, b) => listed[b] as string), digitsOf);
    const budget = { rows: 0, blockBytes: BLOCKS * BLOCK_BYTES };
    const blocksRead = async (run: () => Promise<unknown>): Promise<number> => {
      const received = await receivedDuring(t.redis, run, true);
      return received.filter((command) => command.command === 'mget' && command.args[0]?.includes(`${t.namespace}:`)).flatMap((command) => command.args).length;
    };
    const first = t.store.holdLists(['us'], budget) as HeldCheck;
    const second = t.store.holdLists(['us'], budget) as HeldCheck;
    try {
      expect(await blocksRead(() => first.check(window))).toBe(BLOCKS);
      // The first holds the whole budget: the second reads its blocks for each window.
      expect(await blocksRead(async () => [await second.check(window), await second.check(window)])).toBe(2 * BLOCKS);
      first.release();
      expect(await blocksRead(async () => [await second.check(window), await second.check(window)])).toBe(BLOCKS);
      expect(Array.from((await second.check(window))?.list ?? [])).toEqual(Array.from(window, () => 1));
    } finally {
      first.release();
      second.release();
    }
  });

  it("holds timed entries within the process's budget, and past it asks them in the window's reads", async () => {
    await registry(seeded(22));
    await t.store.add('own', [{ member: '+1201203*' }, { member: '+12015550100', expiresAt: t.now + MINUTE }], ALICE);
    const window = Float64Array.of(12012031234, 12015550100, 12015550101);
    const within = t.store.holdLists(['own'], { rows: 10, timed: 2 }) as HeldCheck;
    const past = t.store.holdLists(['own'], { rows: 10, timed: 2 }) as HeldCheck;
    const timedAsked = async (run: () => Promise<unknown>): Promise<string[]> => {
      const received = await receivedDuring(t.redis, run, true);
      return received.filter((command) => ['zscan', 'zmscore'].includes(command.command) && command.args[0] === listKeys(t.namespace, 'own').timed).map((command) => command.command);
    };
    try {
      let answers: Awaited<ReturnType<HeldCheck['check']>>;
      expect(await timedAsked(async () => (answers = await within.check(window)))).toEqual(['zscan']);
      expect(Array.from(answers?.list ?? [])).toEqual([1, 1, 0]);
      expect(answers?.members).toEqual(new Map([[0, '+1201203*']]));
      // The first holds the whole budget: the second asks its window's numbers and their prefixes of the field's length.
      expect(await timedAsked(async () => (answers = await past.check(window)))).toEqual(['zmscore', 'zmscore']);
      expect(Array.from(answers?.list ?? [])).toEqual([1, 1, 0]);
      expect(answers?.members).toEqual(new Map([[0, '+1201203*']]));
      // Given back when the first ends: a scrub after it reads them whole again.
      within.release();
      const after = t.store.holdLists(['own'], { rows: 10, timed: 2 }) as HeldCheck;
      expect(await timedAsked(() => after.check(window))).toEqual(['zscan']);
      after.release();
    } finally {
      within.release();
      past.release();
    }
  });

  it('a block lost after it was held stops the scrub with "entries lost", not "not listed"', async () => {
    const listed = await registry(seeded(14));
    const keys = listKeys(t.namespace, 'us');
    const gen = denseGenerationKeys(keys.dense, (await t.redis.hget(keys.info, 'gen')) as string);
    const checker: BulkChecker = {
      checkDigits: (numbers, lists) => t.store.checkDigits(numbers, lists),
      holdLists: (lists, options) => {
        const held = t.store.holdLists(lists, options) as HeldCheck;
        let windows = 0;
        return {
          release: () => held.release(),
          check: async (numbers) => {
            windows += 1;
            if (windows === 2) await t.redis.del(gen.block(listed[0]?.slice(1, 8) as string));
            return held.check(numbers);
          },
        };
      },
    };
    const leads = [...listed.slice(0, 10), ...listed.slice(0, 10)];
    await expect(scrubLeads(checker, { source: await openSource('-', Readable.from([leads.join('\n')])), lists: ['us'], clean: collect(), removed: collect(), windowRows: 10 }))
      .rejects.toMatchObject({ code: 'entries-lost' });
  });

  /**
   * Every writer of a list's entries, its bitmaps, its index, its timed entries and the
   * info fields a batch read checks, with what it must move: the change mark (the last
   * audit id or the info field bulkWrites), or for the two that change no entry but a
   * field the read compares, that field. A held list is read again when its state moves:
   * a writer that moved neither would leave held data stale.
   */
  describe('every writer moves the state a held list is confirmed by', () => {
    const markOf = (state: ListState): string[] => [state.auditId, state.info[7] ?? '0'];
    const stateOf = async (list: string): Promise<ListState> => {
      const keys = listKeys(t.namespace, list);
      const [first] = await readStates(t.redis, [{ name: list, keys }]);
      return (await readStates(t.redis, [{ name: list, keys }], [first?.info[4] ?? null]))[0] as ListState;
    };
    const lostBlock = async (): Promise<void> => {
      const keys = listKeys(t.namespace, 'us');
      await t.redis.del(denseGenerationKeys(keys.dense, (await t.redis.hget(keys.info, 'gen')) as string).block(numberOf(3, 0).slice(1, 8)));
    };
    const writers: { name: string; list: string; before?: () => Promise<unknown>; write: (listed: string[]) => Promise<unknown>; moves?: 'prefixes' }[] = [
      { name: 'add to a SET list', list: 'own', write: () => t.store.add('own', [{ member: '+12015559999' }], ALICE) },
      { name: 'add to a dense list', list: 'us', write: () => t.store.add('us', [{ member: '+12012009999' }], ALICE) },
      { name: "add of another country's number to a dense list", list: 'us', write: () => t.store.add('us', [{ member: '+4930555000' }], ALICE) },
      { name: 'add with an expiry (an auto-block rule writes so)', list: 'own', write: () => t.store.add('own', [{ member: '+12015559999', expiresAt: t.now + MINUTE }], { by: 'callguard', reason: 'auto-block', source: 'auto-block' }) },
      { name: 'add with --for/--until to a dense list', list: 'us', write: () => t.store.add('us', [{ member: '+12012009999', expiresAt: t.now + MINUTE }], ALICE) },
      { name: 'add of a prefix', list: 'own', write: () => t.store.add('own', [{ member: '+1201203*' }], ALICE) },
      { name: 'add of a prefix to a dense list', list: 'us', write: () => t.store.add('us', [{ member: '+12012071*', expiresAt: t.now + MINUTE }], ALICE) },
      // The same count of timed entries: only the mark tells the expiry moved.
      { name: 'add that moves an expiry', list: 'own', before: () => t.store.add('own', [{ member: '+12015559999', expiresAt: t.now + MINUTE }], ALICE), write: () => t.store.add('own', [{ member: '+12015559999', expiresAt: t.now + 2 * MINUTE }], ALICE) },
      { name: 'cancel of a timed entry', list: 'own', before: () => t.store.add('own', [{ member: '+12015559999', expiresAt: t.now + MINUTE }], ALICE), write: () => t.store.cancel('own', ['+12015559999'], { ...ALICE, reason: 'asked' }) },
      { name: 'cancel of a prefix', list: 'us', before: () => t.store.add('us', [{ member: '+12012071*' }], ALICE), write: () => t.store.cancel('us', ['+12012071*'], { ...ALICE, reason: 'asked' }) },
      { name: 'import --delete of a timed entry', list: 'own', before: () => t.store.add('own', [{ member: '+12015559999', expiresAt: t.now + MINUTE }], ALICE), write: () => load('own', ['+12015559999'], { operation: 'delete' }) },
      { name: 'import --replace of a list with timed entries', list: 'own', before: () => t.store.add('own', [{ member: '+1201203*' }, { member: '+12015559999', expiresAt: t.now + MINUTE }], ALICE), write: () => load('own', ['+4930555111'], { replace: true, guards: { ...DEFAULT_REPLACE_GUARDS, force: true } }) },
      { name: 'import --expires-column', list: 'own', write: async () => importList(t.redis, t.namespace, { list: 'own', source: await sourceOf('number,until\n+4930555222,2030-01-01T00:00:00Z\n'), column: { kind: 'name', name: 'number' }, expiresColumn: { kind: 'name', name: 'until' }, onDuplicate: 'override', replace: false, dryRun: false, actor: ALICE }) },
      { name: 'cancel from a SET list', list: 'own', write: () => t.store.cancel('own', ['+4930123456'], { ...ALICE, reason: 'asked' }) },
      { name: 'cancel from a dense list', list: 'us', write: (listed) => t.store.cancel('us', [listed[0] as string], { ...ALICE, reason: 'asked' }) },
      { name: 'import into a dense list (its bitmaps)', list: 'us', write: () => load('us', [numberOf(1, 1), numberOf(11, 2)]) },
      { name: 'import into a SET list', list: 'own', write: () => load('own', ['+4930555111']) },
      { name: 'import --replace of a dense list', list: 'us', write: () => load('us', [numberOf(1, 1)], { replace: true, guards: { ...DEFAULT_REPLACE_GUARDS, force: true } }) },
      { name: 'import --replace of a SET list', list: 'own', write: () => load('own', ['+4930555111'], { replace: true, guards: { ...DEFAULT_REPLACE_GUARDS, force: true } }) },
      { name: 'import --delete', list: 'us', before: () => load('us', [numberOf(4, 4)]), write: () => load('us', [numberOf(4, 4)], { operation: 'delete' }) },
      { name: 'import --changes', list: 'us', write: async () => importChanges(t.redis, t.namespace, { list: 'us', country: 'US', onDuplicate: 'skip', dryRun: false, actor: ALICE }, { additions: await sourceOf('2012059999'), deletions: await sourceOf('2012059998') }) },
      { name: 'recount of a list that lost a block (and its forget-gone)', list: 'us', before: lostBlock, write: () => t.store.recount('us', ALICE) },
      { name: 'the expiry sweep', list: 'own', before: () => t.store.add('own', [{ member: '+12015559998', expiresAt: t.now + 1 }], ALICE), write: () => ((t.now += MINUTE), t.store.purgeExpired()) },
      { name: 'disable', list: 'own', write: () => t.store.setEnabled('own', false, ALICE) },
      { name: 'enable', list: 'own', before: () => t.store.setEnabled('own', false, ALICE), write: () => t.store.setEnabled('own', true, ALICE) },
      { name: 'list rm', list: 'us', write: () => t.store.removeList('us', ALICE) },
      { name: 'a create that adopts what a lost info left behind', list: 'us', before: () => t.redis.del(listKeys(t.namespace, 'us').info), write: () => t.store.createList('us', ALICE, { dense: 'nanp' }) },
      { name: 'the prefix format migration', list: 'own', before: () => t.redis.hset(listKeys(t.namespace, 'own').info, 'prefixes', '1'), write: () => migratePrefixFields(t.redis, t.namespace), moves: 'prefixes' },
    ];
    // An import's audit event comes at its end (or from its caller, `--changes`): a scrub meanwhile sees its batches land by `bulkWrites` alone.
    it.each([
      { name: 'into a dense list', list: 'us', numbers: Array.from({ length: 12 }, (_, n) => numberOf(5, 9_000 + n)), operation: 'add' as const },
      { name: 'into a SET list', list: 'own', numbers: Array.from({ length: 12 }, (_, n) => `+4930777${String(n).padStart(3, '0')}`), operation: 'add' as const },
      { name: 'of a deletion file', list: 'own', numbers: [], operation: 'delete' as const },
      // A replace's swap by the same count of other members: only the mark can tell the SET changed.
      { name: "of a replace's swap", list: 'own', numbers: [], operation: 'replace' as const },
    ])("an import's batches $name move the mark without its audit event", async ({ list, numbers, operation }) => {
      const listed = await registry(seeded(3));
      const keys = listKeys(t.namespace, list);
      const held = await t.redis.scard(keys.exact);
      const asked = operation === 'delete' ? listed.filter((_, n) => n % 7 === 0).slice(0, 12) : operation === 'replace' ? Array.from({ length: held }, (_, n) => `+4930888${String(n).padStart(4, '0')}`) : numbers;
      const was = await changeMark(t.redis, keys, list);
      await load(list, asked, operation === 'replace'
        ? { replace: true, guards: { ...DEFAULT_REPLACE_GUARDS, force: true }, audit: false, recordDate: false }
        : { operation, audit: false, recordDate: false });
      if (operation === 'replace') expect(await t.redis.scard(keys.exact)).toBe(held);
      const now = await changeMark(t.redis, keys, list);
      expect(now.auditId).toBe(was.auditId);
      expect(now.bulkWrites).not.toBe(was.bulkWrites);
    });

    it.each(writers)('$name', async ({ list, before, write, moves }) => {
      const listed = await registry(seeded(3));
      await before?.();
      const was = await stateOf(list);
      await write(listed);
      const now = await stateOf(list);
      if (moves === 'prefixes') expect(now.info[1]).not.toBe(was.info[1]);
      else expect(markOf(now)).not.toEqual(markOf(was));
    });
  });
});

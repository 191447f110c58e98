import { beforeEach, describe, expect, it } from 'vitest';
import { importChanges } from '../../src/lists/import/changes.js';
import { listKeys } from '../../src/lists/keys.js';
import { describeNumber } from '../../src/lists/number-report.js';
import { ListStore } from '../../src/lists/store.js';
import { describeStale, staleBlockLists } from '../../src/screening/outbound.js';
import { testNamespace } from '../helpers/redis.js';
import { cliTestFiles, importText, sourceOf } from './helpers.js';

const files = cliTestFiles('callguard-area-dates-');
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3);
const ACTOR = { by: 'ops', reason: 'FTC registry' };
/** The registry loaded whole: three area codes. */
const REGISTRY = '2015550100\n4155550100\n6505550100\n';

describe("a list's data date per area code", () => {
  let namespace: string;
  let store: ListStore;
  beforeEach(async () => {
    namespace = testNamespace();
    store = new ListStore(files.redis, namespace);
    await store.createList('dense', { by: 'ops' }, { dense: 'nanp' });
    await store.createList('set', { by: 'ops' });
  });
  const dated = async (list: string) => (await store.lists()).find((l) => l.name === list)?.source;

  for (const list of ['dense', 'set']) {
    it(`one area code's file loaded today leaves a ${list} list as old as the rest of the registry (measured: 0 days old)`, async () => {
      await importText(files.redis, namespace, list, REGISTRY, { country: 'US', sourceDate: NOW - 40 * DAY });
      const summary = await importText(files.redis, namespace, list, '2015550101\n', { country: 'US', sourceDate: NOW });
      expect(summary).toMatchObject({ dataDate: NOW, dataParts: ['201'], listData: { dataDate: NOW - 40 * DAY, oldest: { part: '415', parts: 2 } } });
      const oldest = { name: 'stdin', dataDate: NOW - 40 * DAY, from: 'flag', oldest: { part: '415', parts: 2 } };
      expect(await dated(list)).toEqual(oldest);
      // What a campaign's check reads, and serve's list watch: the same oldest date.
      expect((await store.sources([list])).get(list)).toEqual(oldest);
      expect((await store.sizes()).find((reading) => reading.name === list)?.source).toEqual(oldest);
      const stale = await staleBlockLists({ block: [list], maxListAgeMs: 31 * DAY }, store, NOW);
      expect(stale).toEqual([{ list, ageMs: 40 * DAY, oldest: { part: '415', parts: 2 } }]);
      expect(describeStale(stale, 31 * DAY)).toMatch(`${list} is 40.0 days old (area code 415 and 1 more): older than --max-list-age 31d`);
    });
  }

  it('is as new as its oldest part once every area code is loaded again, and names no part when all are of one date', async () => {
    await importText(files.redis, namespace, 'dense', REGISTRY, { country: 'US', sourceDate: NOW - 40 * DAY });
    await importText(files.redis, namespace, 'dense', '2015550101\n', { country: 'US', sourceDate: NOW });
    await importText(files.redis, namespace, 'dense', '4155550101\n', { country: 'US', sourceDate: NOW - 2 * DAY });
    expect(await dated('dense')).toMatchObject({ dataDate: NOW - 40 * DAY, oldest: { part: '650', parts: 1 } });
    await importText(files.redis, namespace, 'dense', '6505550101\n6505550102\n', { country: 'US', sourceDate: NOW - DAY });
    expect(await dated('dense')).toMatchObject({ dataDate: NOW - 2 * DAY, oldest: { part: '415', parts: 1 } });
    await importText(files.redis, namespace, 'dense', REGISTRY, { country: 'US', sourceDate: NOW });
    expect(await dated('dense')).toEqual({ name: 'stdin', dataDate: NOW, from: 'flag' });
  });

  it('a replace dates the whole list by its file and forgets the parts before it', async () => {
    await importText(files.redis, namespace, 'dense', REGISTRY, { country: 'US', sourceDate: NOW - 40 * DAY });
    await importText(files.redis, namespace, 'dense', '2015550100\n2125550100\n4155550100\n', { country: 'US', sourceDate: NOW - DAY, replace: true });
    expect(await dated('dense')).toEqual({ name: 'stdin', dataDate: NOW - DAY, from: 'flag' });
    expect(await files.redis.hget(listKeys(namespace, 'dense').info, 'sourceParts')).toBe(JSON.stringify([[NOW - DAY, 'flag', 'stdin', ['201', '212', '415']]]));
  });

  it('a deletion file dates no part: the numbers that joined the registry are not in it (measured: the list dated by the deletions)', async () => {
    await importText(files.redis, namespace, 'dense', REGISTRY, { country: 'US', sourceDate: NOW - 40 * DAY });
    const summary = await importText(files.redis, namespace, 'dense', '2015550100\n', { country: 'US', sourceDate: NOW, operation: 'delete' });
    expect(summary).toMatchObject({ status: 'done', imported: 1, dataDate: null });
    expect(await dated('dense')).toMatchObject({ dataDate: NOW - 40 * DAY });
    expect((await dated('dense'))?.oldest).toBeUndefined();
  });

  it('a change list dates the area codes either of its files names, and no other', async () => {
    await importText(files.redis, namespace, 'set', REGISTRY, { country: 'US', sourceDate: NOW - 40 * DAY });
    const summary = await importChanges(files.redis, namespace, { list: 'set', country: 'US', onDuplicate: 'skip', dryRun: false, actor: ACTOR, sourceDate: NOW }, {
      additions: await sourceOf('2015550102\n'),
      deletions: await sourceOf('4155550100\n'),
    });
    expect(summary.additions).toMatchObject({ dataDate: NOW, dataParts: ['201', '415'] });
    expect(await dated('set')).toMatchObject({ dataDate: NOW - 40 * DAY, oldest: { part: '650', parts: 1 } });
  });

  it('numbers outside +1 are one part of their own', async () => {
    await importText(files.redis, namespace, 'set', '+4930123456\n+14155550100\n', { sourceDate: NOW - 40 * DAY });
    await importText(files.redis, namespace, 'set', '4155550101\n', { country: 'US', sourceDate: NOW });
    expect(await dated('set')).toMatchObject({ dataDate: NOW - 40 * DAY, oldest: { part: 'other', parts: 1 } });
  });

  it('a list dated before dates per area code keeps that date until a replace (measured: read as the area code file\'s date)', async () => {
    const { info } = listKeys(namespace, 'dense');
    await files.redis.hset(info, 'sourceDate', String(NOW - 40 * DAY), 'source', 'dnc-all.zip', 'sourceFrom', 'file');
    await importText(files.redis, namespace, 'dense', '2015550101\n', { country: 'US', sourceDate: NOW });
    expect(await dated('dense')).toEqual({ name: 'dnc-all.zip', dataDate: NOW - 40 * DAY, from: 'file', oldest: { part: 'all', parts: 1 } });
    await importText(files.redis, namespace, 'dense', REGISTRY, { country: 'US', sourceDate: NOW, replace: true });
    expect(await dated('dense')).toEqual({ name: 'stdin', dataDate: NOW, from: 'flag' });
  });

  it('two area codes loaded at once both keep their date', async () => {
    await importText(files.redis, namespace, 'dense', REGISTRY, { country: 'US', sourceDate: NOW - 40 * DAY });
    await Promise.all([
      importText(files.redis, namespace, 'dense', '2015550101\n', { country: 'US', sourceDate: NOW - DAY }),
      importText(files.redis, namespace, 'dense', '4155550101\n', { country: 'US', sourceDate: NOW - 2 * DAY }),
    ]);
    await importText(files.redis, namespace, 'dense', '6505550101\n', { country: 'US', sourceDate: NOW });
    expect(await dated('dense')).toMatchObject({ dataDate: NOW - 2 * DAY, oldest: { part: '415', parts: 1 } });
  });

  it("show gives each entry its own area code's date beside the list's oldest, on dense and SET lists alike", async () => {
    const report = async (member: string, kind: 'exact' | 'prefix' = 'exact') => {
      const { holding, partSources, sources } = await describeNumber(store, member, kind, 10);
      return holding.map((entry, i) => ({ list: entry.list, member: entry.member, part: partSources[i], list_: sources.get(entry.list)?.dataDate }));
    };
    for (const list of ['dense', 'set']) {
      await importText(files.redis, namespace, list, REGISTRY, { country: 'US', sourceDate: NOW - 40 * DAY });
      await importText(files.redis, namespace, list, '2015550101\n', { country: 'US', sourceDate: NOW });
    }
    await store.add('set', [{ member: '+1201*' }, { member: '+12125550100' }], { by: 'ops' });
    const fresh = { part: '201', name: 'stdin', dataDate: NOW, from: 'flag' };
    expect(await report('+12015550100')).toEqual([
      { list: 'dense', member: '+12015550100', part: fresh, list_: NOW - 40 * DAY },
      { list: 'set', member: '+12015550100', part: fresh, list_: NOW - 40 * DAY },
    ]);
    // A prefix is dated in the part its own member is in, as an import dates it.
    expect(await report('+1201*', 'prefix')).toEqual([{ list: 'set', member: '+1201*', part: fresh, list_: NOW - 40 * DAY }]);
    expect((await report('+14155550100')).map((row) => row.part)).toEqual([
      { part: '415', name: 'stdin', dataDate: NOW - 40 * DAY, from: 'flag' },
      { part: '415', name: 'stdin', dataDate: NOW - 40 * DAY, from: 'flag' },
    ]);
    // Added by hand in an area code no import dated: no date made up for it.
    expect(await report('+12125550100')).toEqual([{ list: 'set', member: '+12125550100', part: null, list_: NOW - 40 * DAY }]);
  });

  it('show gives a number on a list dated before dates per area code that date, until its area code is loaded', async () => {
    await files.redis.hset(listKeys(namespace, 'dense').info, 'sourceDate', String(NOW - 40 * DAY), 'source', 'dnc-all.zip', 'sourceFrom', 'file');
    await store.add('dense', [{ member: '+12015550100' }, { member: '+14155550100' }], { by: 'ops' });
    const partOf = async (member: string) => (await describeNumber(store, member, 'exact', 10)).partSources[0];
    expect(await partOf('+12015550100')).toEqual({ part: 'all', name: 'dnc-all.zip', dataDate: NOW - 40 * DAY, from: 'file' });
    await importText(files.redis, namespace, 'dense', '2015550101\n', { country: 'US', sourceDate: NOW });
    expect(await partOf('+12015550100')).toEqual({ part: '201', name: 'stdin', dataDate: NOW, from: 'flag' });
    expect(await partOf('+14155550100')).toMatchObject({ part: 'all', dataDate: NOW - 40 * DAY });
  });
});

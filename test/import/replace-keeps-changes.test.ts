import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUrl, testRedis } from '../helpers/redis.js';
import { denseGensKey, listKeys } from '../../src/lists/keys.js';
import { configureList } from '../../src/lists/list-settings.js';
import { importList, type ImportRequest } from '../../src/lists/import/run.js';
import { openSource } from '../../src/lists/import/source.js';
import { describeFailure } from '../../src/lists/import/summary.js';
import { ListStore } from '../../src/lists/store.js';
import { createList, exitOf, freshDncList, importText, numberLines, spawnCli, stagedMembers, waitFor } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

const OLD = '+4930111111';
const OTHER_OLD = '+4930222222';
/** Added by a supervisor while the weekly file is read; the file does not hold it. */
const DO_NOT_CALL = '+4930999999';

let namespace: string;
let store: ListStore;
beforeEach(async () => {
  ({ namespace, store } = await freshDncList(redis, `${OLD}\n${OTHER_OLD}\n`));
});

/** A replace of `list` reading a stream the test writes to, so others can change the list while it reads. */
async function startReplace(input: PassThrough, request: Partial<ImportRequest> = {}) {
  return importList(redis, namespace, {
    list: 'dnc',
    source: { ...(await openSource('-', input)), name: 'week48.csv' },
    onDuplicate: 'skip',
    replace: true,
    dryRun: false,
    actor: { by: 'weekly-job', reason: 'weekly file' },
    batchSize: 500,
    ...request,
  });
}

/** The weekly file: the old numbers and 3,000 more, the second half sent once `meanwhile` is done. */
async function replaceWhile(meanwhile: () => Promise<unknown>, request: Partial<ImportRequest> = {}) {
  const input = new PassThrough();
  const replacing = startReplace(input, request);
  input.write(`${OLD}\n${OTHER_OLD}\n${numberLines(5_000_000, 1_500)}`);
  await waitFor(async () => (await stagedMembers(redis, namespace, 'dnc')) >= 1_000, 'the new list to be partly built aside');
  await meanwhile();
  input.end(numberLines(6_000_000, 1_500));
  return replacing;
}

describe('import --replace keeps the changes made to the list while it read its file', () => {
  it('a number added during the replace stays listed: the replace is refused, naming the add and who made it', async () => {
    const summary = await replaceWhile(() => store.add('dnc', [{ member: DO_NOT_CALL }], { by: 'alice', reason: "don't call me again" }));

    expect(await store.check(DO_NOT_CALL, ['dnc'])).toMatchObject({ member: DO_NOT_CALL });
    expect(summary).toMatchObject({
      status: 'refused',
      refusal: { guard: 'list-changed', source: 'week48.csv', changes: 1, first: [{ action: 'add', by: 'alice' }] },
    });
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(3);
    expect(await stagedMembers(redis, namespace, 'dnc')).toBe(0);
    expect(describeFailure(summary)).toBe(
      'replace refused: list dnc changed while week48.csv was read (1 change: add by alice); ' +
        'the replace was not done, list dnc keeps its entries and those changes; run the replace again',
    );
    expect((await store.audit('dnc')).map((event) => event.action)).not.toContain('replace');
  });

  it('a cancellation during the replace stays: the file listing the number again does not bring it back', async () => {
    const summary = await replaceWhile(async () => {
      await store.cancel('dnc', [OLD], { by: 'bob', reason: 'customer agreed' });
      await store.add('dnc', [{ member: DO_NOT_CALL }], { by: 'alice' });
      await store.add('dnc', [{ member: '+4930999998' }], { by: 'carol' });
      await store.add('dnc', [{ member: '+4930999997' }], { by: 'dave' });
    });

    expect(await store.check(OLD, ['dnc'])).toBeNull();
    expect(summary.refusal).toEqual({
      guard: 'list-changed',
      source: 'week48.csv',
      changes: 4,
      first: [{ action: 'cancel', by: 'bob' }, { action: 'add', by: 'alice' }, { action: 'add', by: 'carol' }],
      bulk: false,
    });
    expect(describeFailure(summary)).toContain('(4 changes: cancel by bob, add by alice, add by carol, ...)');
  });

  it('an import still writing into the list when the swap comes (audited only at its end) refuses the replace too', async () => {
    const other = new PassThrough();
    const importing = openSource('-', other).then((source) =>
      importList(redis, namespace, { list: 'dnc', source, onDuplicate: 'skip', replace: false, dryRun: false, actor: { by: 'bob' }, batchSize: 100 }),
    );
    other.write(numberLines(7_000_000, 10_000));
    await waitFor(async () => (await redis.sismember(listKeys(namespace, 'dnc').exact, '+49307000000')) === 1, 'the other import to write a batch');
    const summary = await replaceWhile(async () => undefined);
    other.end();
    expect(await importing).toMatchObject({ status: 'done', imported: 10_000 });

    expect(await store.check('+49307000000', ['dnc'])).toMatchObject({ member: '+49307000000' });
    expect(summary.refusal).toMatchObject({ guard: 'list-changed', changes: 0, bulk: true });
    expect(describeFailure(summary)).toContain('list dnc changed while week48.csv was read (by an import still writing into it)');
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(10_002);
  });

  it('a busy list: the swap counts 1,000 changes and no more, and says "at least"', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({ member: `+4930888${String(i).padStart(4, '0')}` }));
    const summary = await replaceWhile(() => store.add('dnc', many, { by: 'alice' }));
    expect(summary.refusal).toMatchObject({ guard: 'list-changed', changes: 1_000 });
    expect(describeFailure(summary)).toContain('(at least 1000 changes: add by alice, add by alice, add by alice, ...)');
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(5_002);
  });

  it('--force does not override it: forcing is for size limits, not for dropping people\'s changes', async () => {
    const summary = await replaceWhile(() => store.add('dnc', [{ member: DO_NOT_CALL }], { by: 'alice' }), {
      guards: { maxShrinkPercent: 10, maxRejects: { kind: 'percent', percent: 10 }, force: true },
    });
    expect(await store.check(DO_NOT_CALL, ['dnc'])).toMatchObject({ member: DO_NOT_CALL });
    expect(summary).toMatchObject({ status: 'refused', refusal: { guard: 'list-changed' } });
  });

  it('a list disabled, enabled and configured during the replace is still replaced: no entry changed', async () => {
    const summary = await replaceWhile(async () => {
      await store.setEnabled('dnc', false, { by: 'alice' });
      await store.setEnabled('dnc', true, { by: 'alice' });
      await configureList(redis, namespace, 'dnc', { auditRetentionMs: 400 * 86_400_000 }, { by: 'alice' });
    });
    expect(summary).toMatchObject({ status: 'done', refusal: null, imported: 3_002 });
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(3_002);
  });

  it('a change made before the replace started does not refuse it', async () => {
    await store.add('dnc', [{ member: DO_NOT_CALL }], { by: 'alice' });
    const summary = await replaceWhile(async () => undefined);
    expect(summary).toMatchObject({ status: 'done', imported: 3_002 });
    expect(await store.check(DO_NOT_CALL, ['dnc'])).toBeNull();
  });

  it('a dense list: a number added while the new bitmaps are built stays listed', async () => {
    await store.createList('us', { by: 'ops' }, { dense: 'nanp' });
    await importText(redis, namespace, 'us', '2015550100\n2015550101\n', { country: 'US' });
    const input = new PassThrough();
    const replacing = startReplace(input, { list: 'us', country: 'US' });
    input.write('2015550100\n2015550101\n');
    await waitFor(async () => (await redis.scard(denseGensKey(listKeys(namespace, 'us').dense))) === 2, 'the new generation to be started');
    await store.add('us', [{ member: '+14155550199' }], { by: 'alice' });
    input.end('2015550102\n');
    const summary = await replacing;

    expect(await store.check('+14155550199', ['us'])).toMatchObject({ member: '+14155550199' });
    expect(summary).toMatchObject({ status: 'refused', refusal: { guard: 'list-changed', changes: 1, first: [{ action: 'add', by: 'alice' }] } });
    expect(await store.check('+12015550102', ['us'])).toBeNull();
    expect(await redis.scard(denseGensKey(listKeys(namespace, 'us').dense))).toBe(1);
  });

  it('the CLI says why and exits 21, --force or not', async () => {
    const child = spawnCli(['import', '-', '--list', 'dnc', '--replace', '--force'], redisUrl(), namespace);
    const exited = exitOf(child);
    child.stdin.write(`${OLD}\n${OTHER_OLD}\n${numberLines(5_000_000, 12_000)}`);
    await waitFor(async () => (await stagedMembers(redis, namespace, 'dnc')) >= 5_000, 'the CLI to have built part of the list');
    await store.add('dnc', [{ member: DO_NOT_CALL }], { by: 'alice' });
    child.stdin.end(numberLines(6_000_000, 1_500));
    const { code, stderr } = await exited;

    expect(await store.check(DO_NOT_CALL, ['dnc'])).toMatchObject({ member: DO_NOT_CALL });
    expect(code).toBe(21);
    expect(stderr).toContain('replace refused: list dnc changed while stdin was read (1 change: add by alice)');
    expect(stderr).toContain('run the replace again');
  }, 60_000);
});

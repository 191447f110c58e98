import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUrl, testRedis } from '../helpers/redis.js';
import { listKeys } from '../../src/lists/keys.js';
import { importList, type ImportRequest } from '../../src/lists/import/run.js';
import { ReplaceBusyError, ReplaceLeaseLostError } from '../../src/lists/import/replace-lease.js';
import { openSource } from '../../src/lists/import/source.js';
import { exitOf, freshDncList, importText, numberLines, spawnCli, stagedMembers, waitFor } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

const OLD = '+4930111111';
const FIRST_HALF = numberLines(5_000_000, 1_500);
const SECOND_HALF = numberLines(6_000_000, 1_500);

let namespace: string;
beforeEach(async () => {
  ({ namespace } = await freshDncList(redis, `${OLD}\n`));
});

/** A replace of dnc reading a stream the test writes to, so another import can start while it reads. */
async function replaceFrom(input: PassThrough, by: string, request: Partial<ImportRequest> = {}) {
  return importList(redis, namespace, {
    list: 'dnc',
    source: { ...(await openSource('-', input)), name: `${by}.csv` },
    onDuplicate: 'skip',
    replace: true,
    dryRun: false,
    actor: { by },
    batchSize: 500,
    ...request,
  });
}

/** The weekly file's first half read by a replace, its new list partly built aside. */
async function replaceHalfRead(): Promise<{ input: PassThrough; replacing: ReturnType<typeof replaceFrom> }> {
  const input = new PassThrough();
  const replacing = replaceFrom(input, 'weekly-job');
  input.write(`${OLD}\n${FIRST_HALF}`);
  await waitFor(async () => (await stagedMembers(redis, namespace, 'dnc')) >= 1_000, 'the new list to be partly built aside');
  return { input, replacing };
}

describe('two imports into one list at once lose no number', () => {
  it('a second replace of a list while one builds its new list is refused at once, and the first swaps in its whole file', async () => {
    const { input, replacing } = await replaceHalfRead();
    // The same file again (a second click): left to run, it would clean the first one's half-built list away.
    const again = new PassThrough();
    const second = replaceFrom(again, 'weekly-job-again');
    again.write(`${OLD}\n${FIRST_HALF}`);
    await expect(second).rejects.toThrow(ReplaceBusyError);
    await expect(second).rejects.toThrow(/a replace of list dnc is running \(weekly-job, weekly-job\.csv, since .*\): .*nothing was changed/);
    input.end(SECOND_HALF);
    again.end(SECOND_HALF);

    expect(await replacing).toMatchObject({ status: 'done', imported: 3_001 });
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(3_001);
    expect(await stagedMembers(redis, namespace, 'dnc')).toBe(0);
  });

  it('an ordinary import that fails during a replace leaves the replace’s half-built list alone: the replace swaps in its whole file', async () => {
    const { input, replacing } = await replaceHalfRead();
    const staged = await stagedMembers(redis, namespace, 'dnc');
    // National numbers and no region: refused before a row is written, so nothing of the list changed for the replace to refuse.
    await expect(importText(redis, namespace, 'dnc', '030 1234567\n030 7654321\n')).rejects.toThrow(/region/);
    expect(await stagedMembers(redis, namespace, 'dnc')).toBeGreaterThanOrEqual(staged);
    input.end(SECOND_HALF);

    expect(await replacing).toMatchObject({ status: 'done', imported: 3_001 });
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(3_001);
  });

  it('an ordinary import that writes during a replace still refuses it, and the list keeps both', async () => {
    const { input, replacing } = await replaceHalfRead();
    expect(await importText(redis, namespace, 'dnc', '+4930999999\n')).toMatchObject({ status: 'done', imported: 1, staleStagingKeysRemoved: 0 });
    input.end(SECOND_HALF);

    expect(await replacing).toMatchObject({ status: 'refused', refusal: { guard: 'list-changed' } });
    expect((await redis.smembers(listKeys(namespace, 'dnc').exact)).sort()).toEqual([OLD, '+4930999999']);
  });

  it('the CLI refuses a second replace naming the one running, and exits 21 with the list unchanged', async () => {
    const { input, replacing } = await replaceHalfRead();
    const child = spawnCli(['import', '-', '--list', 'dnc', '--replace'], redisUrl(), namespace);
    const exited = exitOf(child);
    child.stdin.end(`${OLD}\n`);
    const { code, stderr } = await exited;
    expect(code).toBe(21);
    expect(stderr).toMatch(/a replace of list dnc is running \(weekly-job, weekly-job\.csv, since [^)]*\): one replace of a list at a time; nothing was changed/);
    input.end(SECOND_HALF);
    expect(await replacing).toMatchObject({ status: 'done', imported: 3_001 });
  });

  it('a replace whose lease lapsed and was taken by another swaps nothing, and leaves the other its lease', async () => {
    const { input, replacing } = await replaceHalfRead();
    // As a stall past the lease's length lets it: the lease gone, another replace holding it.
    const lease = listKeys(namespace, 'dnc').replaceLease;
    await redis.set(lease, JSON.stringify({ by: 'other', source: 'other.csv', since: new Date().toISOString() }));
    input.end(SECOND_HALF);

    await expect(replacing).rejects.toThrow(ReplaceLeaseLostError);
    await expect(replacing).rejects.toThrow(/lost its hold on the list .*nothing was swapped, list dnc keeps its entries/);
    expect(await redis.smembers(listKeys(namespace, 'dnc').exact)).toEqual([OLD]);
    expect(await stagedMembers(redis, namespace, 'dnc')).toBe(0);
    expect(JSON.parse((await redis.get(lease)) as string)).toMatchObject({ by: 'other' });
  });

  it('the list is free for the next replace once one ended, refused or not', async () => {
    await expect(importText(redis, namespace, 'dnc', 'number\nbogus\n', { replace: true })).rejects.toThrow(/would empty list dnc/);
    expect(await importText(redis, namespace, 'dnc', `${OLD}\n+4930222222\n`, { replace: true })).toMatchObject({ status: 'done' });
    expect(await redis.exists(listKeys(namespace, 'dnc').replaceLease)).toBe(0);
  });
});

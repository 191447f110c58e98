import { PassThrough } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUrl, testRedis } from '../helpers/redis.js';
import { listKeys, stagingPattern } from '../../src/lists/keys.js';
import { DEFAULT_REPLACE_GUARDS } from '../../src/lists/import/guards.js';
import { importList } from '../../src/lists/import/run.js';
import { REPLACE_LEASE_MS, ReplaceBusyError } from '../../src/lists/import/replace-lease.js';
import { openSource } from '../../src/lists/import/source.js';
import { ListStore } from '../../src/lists/store.js';
import { entriesOf, exitOf, freshDncList, importText, numberLines, spawnCli, waitFor } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

const ONLY_OLD = '+4930111111';
const IN_BOTH = '+4930222222';
const ONLY_NEW = '+4930333333';
/** For tests of what a replace keeps: the 3-entry list shrinks to 1, past the default --max-shrink. */
const SHRINK_ALLOWED = { guards: { ...DEFAULT_REPLACE_GUARDS, maxShrinkPercent: 100 } };

let namespace: string;
let store: ListStore;
beforeEach(async () => {
  ({ namespace, store } = await freshDncList(redis, `${ONLY_OLD}\n${IN_BOTH}\n+1900*\n`));
});

async function stagingKeysLeft(): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', stagingPattern(namespace, 'dnc'), 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

async function stagedMembers(): Promise<number> {
  let total = 0;
  for (const key of await stagingKeysLeft()) total += key.endsWith(':exact') ? await redis.scard(key) : await redis.zcard(key);
  return total;
}

/** A replace reading from a stream the test writes to, so it can look at the list mid-import. */
async function startReplace(input: PassThrough, signal?: AbortSignal) {
  return importList(redis, namespace, {
    list: 'dnc',
    source: await openSource('-', input),
    onDuplicate: 'skip',
    replace: true,
    dryRun: false,
    actor: { by: 'test', reason: 'weekly file' },
    batchSize: 500,
    signal,
  });
}

describe('import --replace', () => {
  it('checks see the old list until the swap, and the new list right after it', async () => {
    const input = new PassThrough();
    const replacing = startReplace(input);
    input.write(`${IN_BOTH}\n${ONLY_NEW}\n${numberLines(5_000_000, 5_000)}`);
    await waitFor(async () => (await stagedMembers()) >= 1_000, 'the new list to be half built aside');

    expect(await store.check(ONLY_OLD, ['dnc'])).toMatchObject({ member: ONLY_OLD });
    expect(await store.check(ONLY_NEW, ['dnc'])).toBeNull();
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(2);

    input.end();
    const summary = await replacing;
    expect(summary).toMatchObject({ mode: 'replace', status: 'done', imported: 5_002, listSize: { exact: 5_002, timed: 0 } });
    expect(await store.check(ONLY_OLD, ['dnc'])).toBeNull();
    expect(await store.check('+19005550100', ['dnc'])).toBeNull();
    expect(await store.check(ONLY_NEW, ['dnc'])).toMatchObject({ member: ONLY_NEW });
    expect(await store.check(IN_BOTH, ['dnc'])).toMatchObject({ member: IN_BOTH });
    expect(await stagingKeysLeft()).toEqual([]);
  });

  it('keeps cancellations and history, and records one replace event', async () => {
    await store.cancel('dnc', [ONLY_OLD], { by: 'alice', reason: 'customer agreed' });
    await importText(redis, namespace, 'dnc', `${ONLY_NEW}\n`, { replace: true, ...SHRINK_ALLOWED });
    const cancelled = await redis.hkeys(listKeys(namespace, 'dnc').cancelled);
    expect(cancelled).toContain(ONLY_OLD);
    const events = await store.audit('dnc');
    expect(events.filter((event) => event.action === 'replace')).toHaveLength(1);
    expect(events.find((event) => event.action === 'replace')).toMatchObject({ reason: 'test import', details: { imported: '1' } });
  });

  it('an interrupted replace leaves the old list and drops what it built', async () => {
    const input = new PassThrough();
    const controller = new AbortController();
    const replacing = startReplace(input, controller.signal);
    input.write(numberLines(5_000_000, 3_000));
    await waitFor(async () => (await stagedMembers()) >= 1_000, 'the new list to be partly built');
    controller.abort();
    const summary = await replacing;
    expect(summary.status).toBe('interrupted');
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: [ONLY_OLD, IN_BOTH].sort(), timed: { '+1900*': 'inf' } });
    expect(await stagingKeysLeft()).toEqual([]);
    expect((await store.audit('dnc')).filter((event) => event.action === 'replace')).toHaveLength(0);
  });

  it('a replace killed mid-way leaves the old list; the next run is refused while the dead run’s lease lasts, then removes its leftovers', async () => {
    const child = spawnCli(['import', '-', '--list', 'dnc', '--replace'], redisUrl(), namespace);
    const exited = exitOf(child);
    child.stdin.write(numberLines(6_000_000, 12_000));
    await waitFor(async () => (await stagedMembers()) >= 5_000, 'the killed run to have built part of the list');
    child.kill('SIGKILL');
    await exited;

    expect(await stagingKeysLeft()).not.toEqual([]);
    expect(await store.check(ONLY_OLD, ['dnc'])).toMatchObject({ member: ONLY_OLD });
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(2);

    // A killed run cannot be told from one still reading its file until its lease lapses.
    await expect(importText(redis, namespace, 'dnc', `${ONLY_NEW}\n`, { replace: true, ...SHRINK_ALLOWED })).rejects.toThrow(ReplaceBusyError);
    expect(await stagingKeysLeft()).not.toEqual([]);
    const lease = listKeys(namespace, 'dnc').replaceLease;
    expect(await redis.pttl(lease)).toBeLessThanOrEqual(REPLACE_LEASE_MS);
    const left = await redis.pttl(lease);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, left)));
    await waitFor(async () => (await redis.exists(lease)) === 0, 'the killed run’s lease to lapse');
    const next = await importText(redis, namespace, 'dnc', `${ONLY_NEW}\n`, { replace: true, ...SHRINK_ALLOWED });
    expect(next.staleStagingKeysRemoved).toBeGreaterThan(0);
    expect(await stagingKeysLeft()).toEqual([]);
    expect(await entriesOf(redis, namespace, 'dnc')).toEqual({ exact: [ONLY_NEW], timed: {} });
  });

  it('refuses to replace a list with a file holding no valid number, and changes nothing', async () => {
    await expect(importText(redis, namespace, 'dnc', 'number\nbogus\n', { replace: true })).rejects.toThrow(
      /would empty list dnc; nothing was changed/,
    );
    expect(await redis.scard(listKeys(namespace, 'dnc').exact)).toBe(2);
    expect(await stagingKeysLeft()).toEqual([]);
  });
});

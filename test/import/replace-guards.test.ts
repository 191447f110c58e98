import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testRedis } from '../helpers/redis.js';
import { listKeys } from '../../src/lists/keys.js';
import { DEFAULT_REPLACE_GUARDS, parsePercent, parseRejectLimit, type ReplaceGuards } from '../../src/lists/import/guards.js';
import { ListStore } from '../../src/lists/store.js';
import { freshDncList, importText, numberLines } from './helpers.js';

const redis: Redis = testRedis();
afterAll(() => redis.quit());

let namespace: string;
let store: ListStore;
beforeEach(async () => {
  ({ namespace, store } = await freshDncList(redis, numberLines(1_000_000, 1_000)));
});

const guards = (changes: Partial<ReplaceGuards>) => ({ guards: { ...DEFAULT_REPLACE_GUARDS, ...changes } });

async function size(): Promise<number> {
  return redis.scard(listKeys(namespace, 'dnc').exact);
}

async function replaceEvents() {
  return (await store.audit('dnc')).filter((event) => event.action === 'replace');
}

/** `valid` numbers of the old list, then `bad` rows no number can be read from. */
function fileOf(valid: number, bad = 0): string {
  return numberLines(1_000_000, valid) + 'not a number\n'.repeat(bad);
}

describe('--max-shrink', () => {
  it('refuses a replace that takes more than 10% of the list away by default, saying old and new sizes', async () => {
    const summary = await importText(redis, namespace, 'dnc', fileOf(800), { replace: true });
    expect(summary).toMatchObject({
      status: 'refused',
      refusal: { guard: 'max-shrink', sizeBefore: 1_000, sizeAfter: 800, maxShrinkPercent: 10 },
    });
    expect(await size()).toBe(1_000);
    expect(await replaceEvents()).toEqual([]);
  });

  it('swaps a replace within the limit, and one past it with a higher --max-shrink', async () => {
    const within = await importText(redis, namespace, 'dnc', fileOf(950), { replace: true });
    expect(within).toMatchObject({ status: 'done', sizeBefore: 1_000, listSize: { exact: 950 } });
    const higher = await importText(redis, namespace, 'dnc', fileOf(500), { replace: true, ...guards({ maxShrinkPercent: 50 }) });
    expect(higher).toMatchObject({ status: 'done', sizeBefore: 950, listSize: { exact: 500 } });
  });

  it('--force swaps past it, and the audit says it was forced', async () => {
    const summary = await importText(redis, namespace, 'dnc', fileOf(10), { replace: true, ...guards({ force: true }) });
    expect(summary).toMatchObject({ status: 'done', refusal: null, listSize: { exact: 10 } });
    expect(await size()).toBe(10);
    expect((await replaceEvents())[0]?.details).toMatchObject({ forced: 'yes', imported: '10' });
  });

  it('a dry run foresees it, and writes nothing', async () => {
    const summary = await importText(redis, namespace, 'dnc', fileOf(800), { replace: true, dryRun: true });
    expect(summary).toMatchObject({ status: 'refused', dryRun: true, refusal: { guard: 'max-shrink', sizeBefore: 1_000, sizeAfter: 800 } });
    expect(await importText(redis, namespace, 'dnc', fileOf(950), { replace: true, dryRun: true })).toMatchObject({ status: 'done' });
    expect(await size()).toBe(1_000);
  });

  it('counts live entries only: expired ones not yet purged are not counted as lost', async () => {
    const keys = listKeys(namespace, 'dnc');
    await redis.zadd(keys.timed, Date.now() - 1_000, '+4930999999', Date.now() - 2_000, '+4930999998');
    // 1,000 live entries (the expired ones do not count): 910 is a 9% shrink, within 10%.
    expect(await importText(redis, namespace, 'dnc', fileOf(910), { replace: true })).toMatchObject({ status: 'done', sizeBefore: 1_000 });
  });
});

describe('--max-rejects', () => {
  it('refuses a replace with more rejected rows than 10% by default, keeping the list', async () => {
    const summary = await importText(redis, namespace, 'dnc', fileOf(1_000, 120), { replace: true });
    expect(summary).toMatchObject({ status: 'refused', refusal: { guard: 'max-rejects', rejected: 120, rows: 1_120 } });
    expect(await size()).toBe(1_000);
    expect(await replaceEvents()).toEqual([]);
  });

  it('takes a count or a share, and --force swaps past it', async () => {
    const count = await importText(redis, namespace, 'dnc', fileOf(1_000, 5), { replace: true, ...guards({ maxRejects: { kind: 'count', count: 4 } }) });
    expect(count).toMatchObject({ status: 'refused', refusal: { guard: 'max-rejects', rejected: 5 } });
    const share = await importText(redis, namespace, 'dnc', fileOf(1_000, 5), { replace: true, ...guards({ maxRejects: { kind: 'percent', percent: 1 } }) });
    expect(share).toMatchObject({ status: 'done' });
    const forced = await importText(redis, namespace, 'dnc', fileOf(1_000, 500), { replace: true, ...guards({ force: true }) });
    expect(forced).toMatchObject({ status: 'done', rejected: 500 });
  });

  it('a dry run says the replace would be refused, and writes nothing', async () => {
    const summary = await importText(redis, namespace, 'dnc', fileOf(1_000, 500), { replace: true, dryRun: true });
    expect(summary).toMatchObject({ status: 'refused', dryRun: true, refusal: { guard: 'max-rejects' } });
    expect(await size()).toBe(1_000);
  });

  it('does not limit a plain import', async () => {
    expect(await importText(redis, namespace, 'dnc', fileOf(10, 500))).toMatchObject({ status: 'done', rejected: 500 });
  });
});

describe('reading the limits', () => {
  it('reads a share with or without %, and a count of rows', () => {
    expect(parsePercent('10%')).toEqual({ ok: true, value: 10 });
    expect(parsePercent('2.5')).toEqual({ ok: true, value: 2.5 });
    expect(parsePercent('101%')).toMatchObject({ ok: false });
    expect(parsePercent('ten')).toMatchObject({ ok: false });
    expect(parseRejectLimit('250')).toEqual({ ok: true, value: { kind: 'count', count: 250 } });
    expect(parseRejectLimit('2%')).toEqual({ ok: true, value: { kind: 'percent', percent: 2 } });
    expect(parseRejectLimit('2.5')).toMatchObject({ ok: false });
  });
});

import { isCluster, type RedisClient } from '../../redis/connect.js';
import { listKeys, stagingKeys, stagingPattern } from '../keys.js';
import { removeGeneration } from '../dense-store.js';
import { defineImportScripts } from './scripts.js';

/**
 * How long staging keys live without a new batch. Every batch refreshes it, so only a
 * replace that crashed (or stalled this long) loses them; its memory is then freed even
 * if no later run comes to clean up.
 */
export const STAGING_TTL_MS = 15 * 60_000;

const SCAN_COUNT = 1_000;

/**
 * Removes staging keys an interrupted replace of `list` left behind. SCAN walks one
 * server's keys, so on a Redis Cluster every primary is walked (the keys share the
 * list's slot, but the slot may have moved since they were written).
 * A replace of the same list running right now loses its staging too; its swap then
 * refuses (the sizes no longer match) and the list keeps its old entries.
 */
export async function cleanStaging(redis: RedisClient, namespace: string, list: string): Promise<number> {
  const servers = isCluster(redis) ? redis.nodes('master') : [redis];
  let removed = 0;
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', stagingPattern(namespace, list), 'COUNT', SCAN_COUNT);
      if (keys.length > 0) removed += await server.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return removed;
}

export interface StagingSizes {
  exactSize: number;
  timedSize: number;
  /** a dense list's new generation of bitmaps, the numbers and blocks it holds */
  dense?: { gen: string; size: number; blocks: number };
}

export interface SwapResult {
  /** false: the new list would have shrunk past the limit, and the list is as it was */
  swapped: boolean;
  /** live entries of the list before, and of the new list */
  sizeBefore: number;
  sizeAfter: number;
}

/**
 * Swaps the staging keys of `runId` in as the list's entries, atomically, unless the
 * list would lose more than `maxShrinkPercent` of its live entries ('any': no limit).
 */
export async function swapIn(
  redis: RedisClient,
  namespace: string,
  list: string,
  runId: string,
  expected: StagingSizes,
  now: number,
  maxShrinkPercent: number | 'any',
): Promise<SwapResult> {
  defineImportScripts(redis);
  const staging = stagingKeys(namespace, list, runId);
  const live = listKeys(namespace, list);
  const dense = expected.dense;
  const [swapped, sizeBefore, sizeAfter] = await redis.callguardImportSwap(
    staging.exact, staging.timed, live.exact, live.timed, live.info, live.dense,
    expected.exactSize, expected.timedSize, now, maxShrinkPercent, dense?.gen ?? '', dense?.size ?? 0, dense?.blocks ?? 0,
  );
  return { swapped: swapped === 1, sizeBefore, sizeAfter };
}

/** The list's live entries: never-expiring numbers (and bits), and timed members still ahead of `now`, as the swap counts them. */
export async function liveSize(redis: RedisClient, namespace: string, list: string, now: number): Promise<number> {
  const keys = listKeys(namespace, list);
  const [exact, timed, dense] = await Promise.all([
    redis.scard(keys.exact),
    redis.zcount(keys.timed, `(${now}`, '+inf'),
    redis.hget(keys.info, 'denseSize'),
  ]);
  return exact + timed + Number(dense ?? 0);
}

/** Drops this run's staging keys (an interrupted or refused replace), and its generation of bitmaps. */
export async function dropStaging(redis: RedisClient, namespace: string, list: string, runId: string, gen?: string): Promise<void> {
  const staging = stagingKeys(namespace, list, runId);
  await redis.unlink(staging.exact, staging.timed);
  if (gen !== undefined) await removeGeneration(redis, listKeys(namespace, list).dense, gen);
}

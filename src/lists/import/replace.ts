import type { Redis } from 'ioredis';
import { listKeys, stagingKeys, stagingPattern } from '../keys.js';
import { defineImportScripts } from './scripts.js';

/**
 * How long staging keys live without a new batch. Every batch refreshes it, so only a
 * replace that crashed (or stalled this long) loses them; its memory is then freed even
 * if no later run comes to clean up.
 */
export const STAGING_TTL_MS = 15 * 60_000;

const SCAN_COUNT = 1_000;

/**
 * Removes staging keys an interrupted replace of `list` left behind. SCAN visits one
 * node: on Redis Cluster, run it against the node that holds the list's slot.
 * A replace of the same list running right now loses its staging too; its swap then
 * refuses (the sizes no longer match) and the list keeps its old entries.
 */
export async function cleanStaging(redis: Redis, namespace: string, list: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', stagingPattern(namespace, list), 'COUNT', SCAN_COUNT);
    if (keys.length > 0) removed += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return removed;
}

export interface StagingSizes {
  exactSize: number;
  timedSize: number;
}

/** Swaps the staging keys of `runId` in as the list's entries, atomically. */
export async function swapIn(
  redis: Redis,
  namespace: string,
  list: string,
  runId: string,
  expected: StagingSizes,
): Promise<void> {
  defineImportScripts(redis);
  const staging = stagingKeys(namespace, list, runId);
  const live = listKeys(namespace, list);
  await redis.callguardImportSwap(
    staging.exact, staging.timed, live.exact, live.timed, live.info, expected.exactSize, expected.timedSize,
  );
}

/** Drops this run's staging keys (an interrupted or refused replace). */
export async function dropStaging(redis: Redis, namespace: string, list: string, runId: string): Promise<void> {
  const staging = stagingKeys(namespace, list, runId);
  await redis.unlink(staging.exact, staging.timed);
}

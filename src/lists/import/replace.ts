import { isCluster, type RedisClient } from '../../redis/connect.js';
import { listKeys, stagingKeys, stagingPattern } from '../keys.js';
import { removeGeneration } from '../dense-store.js';
import type { ChangeMark } from '../change-mark.js';
import type { ListChange } from './guards.js';
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
 * Every staging key of the list goes, so only a replace holding the list's lease
 * (replace-lease.ts) may call it: a replace still building would otherwise lose what it
 * wrote so far and, its later batches making the keys anew, swap in the rest alone.
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

export type SwapResult =
  | {
      /** shrinks: the new list would have shrunk past the limit, and the list is as it was */
      outcome: 'swapped' | 'shrinks';
      /** live entries of the list before, and of the new list */
      sizeBefore: number;
      sizeAfter: number;
    }
  | {
      /** the list's entries changed since the mark (changeMark): nothing was swapped */
      outcome: 'changed';
      /** the audited changes, the first few of them (oldest first) */
      changes: number;
      first: ListChange[];
      /** an import or deletion file wrote batches into the list (audited only when it ends) */
      bulk: boolean;
    };

/**
 * Swaps the staging keys of `runId` in as the list's entries, atomically, unless the
 * list would lose more than `maxShrinkPercent` of its live entries ('any': no limit), or
 * its entries were changed after `mark` (changeMark): no limit overrides that, as the
 * swap would drop those changes unseen.
 */
export async function swapIn(
  redis: RedisClient,
  namespace: string,
  list: string,
  runId: string,
  expected: StagingSizes,
  now: number,
  maxShrinkPercent: number | 'any',
  mark: ChangeMark,
): Promise<SwapResult> {
  defineImportScripts(redis);
  const staging = stagingKeys(namespace, list, runId);
  const live = listKeys(namespace, list);
  const dense = expected.dense;
  const reply = await redis.callguardImportSwap(
    staging.exact, staging.timed, live.exact, live.timed, live.info, live.dense, live.audit,
    expected.exactSize, expected.timedSize, now, maxShrinkPercent, dense?.gen ?? '', dense?.size ?? 0, dense?.blocks ?? 0, mark.auditId, mark.bulkWrites,
  );
  if (reply[0] !== 'changed') return { outcome: reply[0], sizeBefore: reply[1], sizeAfter: reply[2] };
  const [, changes, bulk, ...actionAndBy] = reply;
  const first: ListChange[] = [];
  for (let i = 0; i + 1 < actionAndBy.length; i += 2) first.push({ action: actionAndBy[i] as string, by: actionAndBy[i + 1] as string });
  return { outcome: 'changed', changes, first, bulk: bulk === 1 };
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

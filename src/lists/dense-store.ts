import { randomBytes } from 'node:crypto';
import { isCluster, type RedisClient } from '../redis/connect.js';
import { bitOf, blockOf, DENSE_PLANS, fitsPlan, isDensePlanName, type DensePlan } from './dense.js';
import { denseGenerationKeys, denseGensKey, denseRootPattern } from './keys.js';

/** Block ids read per ZRANGE and keys removed per UNLINK while a generation is removed. */
const GENERATION_PAGE = 1_000;
/** Keys a SCAN call walks while bitmaps are looked for by their names. */
const SCAN_COUNT = 1_000;

/** What a list's info says of its dense part; undefined for an ordinary list. */
export interface DenseState {
  plan: DensePlan;
  gen: string;
  /** numbers the generation's bitmaps hold, as the scripts counted them */
  size: number;
  /** bitmaps the generation's index names, as the scripts counted them */
  blocks: number;
}

/** The dense part of a list from its info hash (HGETALL), if it has one. */
export function denseStateOf(info: Record<string, string | undefined>): DenseState | undefined {
  const plan = info.dense;
  if (plan === undefined || !isDensePlanName(plan) || info.gen === undefined) return undefined;
  return { plan: DENSE_PLANS[plan], gen: info.gen, size: Number(info.denseSize ?? 0), blocks: Number(info.blocks ?? 0) };
}

/** A new generation id: unique per replace, short (it is in every block's key). */
export function newGeneration(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * The numbers a dense list's bitmaps hold as far as can be told in O(1): the count the
 * scripts kept while the index names every block they wrote, else none of them (the
 * index itself was lost: eviction, a DEL, a failover). A lost block key is found by the
 * check of a number in it (check-list.lua) and by `list recount`. `indexed`: the count
 * of blocks the generation's index names, read by the caller (list-infos.lua).
 */
export function denseHeldOf(dense: DenseState, indexed: number): number {
  return indexed >= dense.blocks ? dense.size : 0;
}

/** Whether a dense list holds a number in its bitmaps (false for a number outside its plan). */
export async function denseHolds(redis: RedisClient, root: string, dense: DenseState, member: string): Promise<boolean> {
  if (!fitsPlan(dense.plan, member)) return false;
  return (await redis.getbit(denseGenerationKeys(root, dense.gen).block(blockOf(member)), bitOf(member))) === 1;
}

/**
 * Removes a generation's bitmaps and index, page by page, so Redis is never held long;
 * then forgets it in the list of generations. Safe to run again after an interruption.
 */
export async function removeGeneration(redis: RedisClient, root: string, gen: string): Promise<void> {
  const keys = denseGenerationKeys(root, gen);
  for (;;) {
    const blocks = await redis.zrange(keys.index, '0', String(GENERATION_PAGE - 1));
    if (blocks.length === 0) break;
    await redis.unlink(...blocks.map((block) => keys.block(block)));
    await redis.zrem(keys.index, ...blocks);
  }
  await redis.unlink(keys.index);
  await redis.srem(denseGensKey(root), gen);
}

/**
 * Removes every generation of a list but `keep` (the one checks read; none when the list
 * is gone): what a replace swapped out, or left behind when it died.
 */
export async function removeGenerationsBut(redis: RedisClient, root: string, keep: string | undefined): Promise<number> {
  const gens = await redis.smembers(denseGensKey(root));
  let removed = 0;
  for (const gen of gens) {
    if (gen === keep) continue;
    await removeGeneration(redis, root, gen);
    removed += 1;
  }
  return removed;
}

/** What countGeneration found of a generation's bitmaps. */
export interface GenerationCount {
  /** the numbers its bitmaps hold */
  held: number;
  /** the blocks its index names whose key exists */
  blocks: number;
  /** the blocks its index names whose key is gone (eviction, a DEL), by id */
  gone: string[];
}

/**
 * The numbers a generation's bitmaps hold, BITCOUNT a block its index names, a page of
 * blocks a round trip: what a create adopting the generation and a recount record,
 * counted outside their scripts, where a count would hold Redis about 6 to 10 us a
 * block (2 to 3 s on a national registry's 264,000) and every check wait. A block whose
 * key is gone counts 0, and is named in `gone` (an EXISTS of those BITCOUNT found empty).
 * `onPage`, after each page, with the blocks counted so far: a progress line, and where a
 * test writes to the list while it is counted.
 */
export async function countGeneration(
  redis: RedisClient,
  root: string,
  gen: string,
  onPage?: (counted: number) => void | Promise<void>,
): Promise<GenerationCount> {
  const keys = denseGenerationKeys(root, gen);
  const count: GenerationCount = { held: 0, blocks: 0, gone: [] };
  let after = '-inf';
  for (let counted = 0; ; ) {
    // Paged by score (a block's id) rather than rank, so a block taken out of the index
    // meanwhile (another recount) moves no other block past the page.
    const blocks = await redis.zrangebyscore(keys.index, after, '+inf', 'LIMIT', 0, GENERATION_PAGE);
    if (blocks.length === 0) return count;
    after = `(${blocks[blocks.length - 1]}`;
    counted += blocks.length;
    const counts = await Promise.all(blocks.map((block) => redis.bitcount(keys.block(block))));
    const empty = blocks.filter((_, i) => counts[i] === 0);
    const exists = await Promise.all(empty.map((block) => redis.exists(keys.block(block))));
    count.gone.push(...empty.filter((_, i) => exists[i] === 0));
    count.held += counts.reduce((sum, held) => sum + held, 0);
    count.blocks = counted - count.gone.length;
    await onPage?.(counted);
  }
}

/** A generation found by its keys' names under a dense root (scanGenerations). */
export interface FoundGeneration {
  gen: string;
  /** bitmaps found */
  blocks: number;
  /** the id of one of them, for its plan; undefined when none was found */
  block?: string;
}

/**
 * Every generation whose index or bitmaps exist under a dense root, found by their keys'
 * names (keys.ts): what a list whose info was lost left behind when `<dense>:gens`, which
 * names them, was lost too, or a generation's index. SCAN walks one server's keys, so on a
 * Redis Cluster every primary is walked, as cleanStaging does; a call walks SCAN_COUNT
 * keys of the whole keyspace, so this is for a create over a list's leftovers and their
 * removal, never a check.
 */
export async function scanGenerations(redis: RedisClient, root: string): Promise<FoundGeneration[]> {
  const found = new Map<string, FoundGeneration>();
  await scanUnder(redis, root, async (keys) => {
    for (const key of keys) {
      const [gen, block, ...more] = key.slice(root.length + 1).split(':');
      if (gen === undefined || more.length > 0 || (block === undefined && (gen === 'gens' || gen === 'scratch'))) continue;
      const generation = found.get(gen) ?? { gen, blocks: 0 };
      if (block !== undefined) {
        generation.blocks += 1;
        generation.block ??= block;
      }
      found.set(gen, generation);
    }
  });
  return [...found.values()].sort((a, b) => (a.gen < b.gen ? -1 : 1));
}

/**
 * Removes every key under the dense root of a list whose info is gone (removed, or lost),
 * found by name (scanGenerations): what it left, with or without its index. Each page
 * goes in one script call that first checks the info is still absent (unlink-left-1.lua),
 * so a list created under that name meanwhile keeps what it adopted and what an import
 * writes into it; the removal then stops and answers false. The indexes of `gens` and
 * `<dense>:gens` go first, before the walk: a create meanwhile finds only bitmaps without
 * their index, which it refuses (create-5.lua), and never adopts a generation half removed.
 */
export async function removeUnder(redis: RedisClient, root: string, info: string, gens: readonly string[]): Promise<boolean> {
  const indexes = [denseGensKey(root), ...gens.map((gen) => denseGenerationKeys(root, gen).index)];
  if (!(await unlinkLeft(redis, info, indexes))) return false;
  let created = false;
  await scanUnder(redis, root, async (keys) => {
    created = !(await unlinkLeft(redis, info, keys));
    return created;
  });
  return !created;
}

/** unlink-left-1.lua a page at a time; false when the list exists and nothing more was removed. */
async function unlinkLeft(redis: RedisClient, info: string, keys: string[]): Promise<boolean> {
  for (let i = 0; i < keys.length; i += GENERATION_PAGE) {
    if ((await redis.callguardListUnlinkLeft(info, ...keys.slice(i, i + GENERATION_PAGE))) === -2) return false;
  }
  return true;
}

/** Walks the keys under a dense root a SCAN page at a time, until the walk ends or `each` answers true. */
async function scanUnder(redis: RedisClient, root: string, each: (keys: string[]) => Promise<boolean | void>): Promise<void> {
  for (const server of isCluster(redis) ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', denseRootPattern(root), 'COUNT', SCAN_COUNT);
      if ((await each(keys)) === true) return;
      cursor = next;
    } while (cursor !== '0');
  }
}

/**
 * A scrub's batch check read by the client in one MULTI/EXEC, no script: the lists' info,
 * one GETRANGE a dense block the batch meets, one SMISMEMBER of the numbers a SET holds,
 * the counts the lost-entries rule needs. Redis does no per-number Lua work, which is
 * what held a scrub to ~180,000 rows/s (scrub-many.lua: a Lua string, a table slot and
 * a command argument converted a number, SMISMEMBER arguments costing several times
 * what the same command costs sent by a client).
 *
 * The answers are scrub-many.lua's, rule for rule: the lists in order, a number asked of
 * a list only while no earlier list matched it, a disabled list matching nothing, a list
 * that does not exist or lost entries an error while a number is left unmatched by it.
 * MULTI/EXEC makes a batch see one state, as a script call does. What this read does not
 * do it leaves to the script (the reference): a list with prefix entries, and a list
 * whose plan, generation or timed entries changed since the batch before (the read's
 * keys depend on them, so it answers undefined and the caller asks the script).
 */
import type { RedisClient } from '../redis/connect.js';
import { bitOf, blockOf, DENSE_PLANS, fitsPlan, isDensePlanName, type DensePlan } from './dense.js';
import { denseGenerationKeys, type ListKeys } from './keys.js';
import { entriesLost, noSuchList } from './names.js';
import type { EntryMember } from './types.js';

/** The first list that matched a number, and the member that did; null when none. */
export type BulkAnswer = { list: string; member: EntryMember } | null;

/** What a batch read assumes of a list before it asks, as its info said at the last read. */
export interface ListShape {
  plan: string | null;
  gen: string | null;
  /** it held timed entries: the read asks their scores too */
  timed: boolean;
  /** it has prefix entries (or no such list: no field): its batches go to the script */
  prefixes: boolean;
}

export interface BulkList {
  name: string;
  keys: ListKeys;
}

/** The info fields the read needs, in the order scrub-many.lua reads them. */
const INFO_FIELDS = ['enabled', 'prefixes', 'size', 'dense', 'gen', 'denseSize', 'blocks'] as const;
type Info = { [K in (typeof INFO_FIELDS)[number]]: string | null };

/** The shape of lists never read before: their info and timed count, before the first batch. */
export async function learnShapes(redis: RedisClient, lists: BulkList[], shapes: Map<string, ListShape>): Promise<void> {
  const unknown = lists.filter((list) => !shapes.has(list.name));
  if (unknown.length === 0) return;
  const read = await Promise.all(unknown.map((list) => Promise.all([redis.hmget(list.keys.info, ...INFO_FIELDS), redis.zcard(list.keys.timed)])));
  unknown.forEach((list, n) => {
    const [info, timed] = read[n] as [(string | null)[], number];
    shapes.set(list.name, shapeOf(infoOf(info), timed > 0));
  });
}

/** Whether readBatch may answer for these lists, as far as their known shapes tell. */
export function readable(lists: BulkList[], shapes: Map<string, ListShape>): boolean {
  return lists.every((list) => {
    const shape = shapes.get(list.name);
    return shape !== undefined && !shape.prefixes;
  });
}

/** What one list's part of the MULTI asks, to find its replies again. */
interface ListPlan {
  list: BulkList;
  shape: ListShape;
  dense: DensePlan | undefined;
  /** per number: its block's position in `blocks`, or -1 when it is not of the plan */
  blockAt: Int32Array;
  /** per number of the plan: its bit in its block */
  bits: Int32Array;
  blocks: number[];
  /** per block: the first byte its GETRANGE reads */
  fromByte: number[];
  /** positions of the numbers not of the plan, asked with SMISMEMBER */
  ordinary: number[];
  first: number;
}

/**
 * The batch's answers, or undefined when a list's shape changed (its shape is updated:
 * the caller asks the script for this batch, and the next batch reads with the new one).
 * Throws ListError no-such-list or entries-lost as scrub-many.lua does.
 */
export async function readBatch(redis: RedisClient, lists: BulkList[], numbers: string[], now: number, shapes: Map<string, ListShape>): Promise<BulkAnswer[] | undefined> {
  const multi = redis.multi();
  let count = 0;
  const plans: ListPlan[] = lists.map((list) => {
    const shape = shapes.get(list.name) as ListShape;
    const first = count;
    const dense = shape.plan !== null && shape.gen !== null && isDensePlanName(shape.plan) ? DENSE_PLANS[shape.plan] : undefined;
    const blockAt = new Int32Array(numbers.length).fill(-1);
    const bits = new Int32Array(numbers.length);
    const blocks: number[] = [];
    const ordinary: number[] = [];
    const range = new Map<number, { at: number; low: number; high: number }>();
    numbers.forEach((number, i) => {
      if (!dense || !fitsPlan(dense, number)) {
        ordinary.push(i);
        return;
      }
      const block = blockOf(number);
      const bit = bitOf(number);
      bits[i] = bit;
      const known = range.get(block);
      if (known) {
        blockAt[i] = known.at;
        known.low = Math.min(known.low, bit);
        known.high = Math.max(known.high, bit);
      } else {
        blockAt[i] = blocks.length;
        range.set(block, { at: blocks.length, low: bit, high: bit });
        blocks.push(block);
      }
    });
    const fromByte = [...range.values()].map(({ low }) => low >> 3);
    multi.hmget(list.keys.info, ...INFO_FIELDS).zcard(list.keys.timed).scard(list.keys.exact);
    count += 3;
    if (dense) {
      const generation = denseGenerationKeys(list.keys.dense, shape.gen as string);
      multi.zcard(generation.index);
      count += 1;
      if (blocks.length > 0) {
        multi.zmscore(generation.index, ...blocks.map(String));
        count += 1;
      }
      // A block is stored whole, so an empty reply says it is missing.
      for (const [block, { low, high }] of range) multi.getrangeBuffer(generation.block(block), low >> 3, high >> 3);
      count += blocks.length;
    }
    if (ordinary.length > 0) {
      multi.smismember(list.keys.exact, ...ordinary.map((i) => numbers[i] as string));
      count += 1;
    }
    if (shape.timed) {
      multi.zmscore(list.keys.timed, ...numbers);
      count += 1;
    }
    return { list, shape, dense, blockAt, bits, blocks, fromByte, ordinary, first };
  });
  const replies = valuesOf(await multi.exec(), count);

  const answers: BulkAnswer[] = new Array<BulkAnswer>(numbers.length).fill(null);
  let pending = numbers.map((_, i) => i);
  let changed = false;
  for (const plan of plans) {
    const info = infoOf(replies[plan.first] as (string | null)[]);
    const timedCount = replies[plan.first + 1] as number;
    const shape = shapeOf(info, timedCount > 0);
    shapes.set(plan.list.name, shape);
    changed ||= shape.plan !== plan.shape.plan || shape.gen !== plan.shape.gen || shape.prefixes || (shape.timed && !plan.shape.timed);
  }
  if (changed) return undefined;

  for (const plan of plans) {
    if (pending.length === 0) break;
    const at = plan.first;
    const info = infoOf(replies[at] as (string | null)[]);
    if (info.enabled === null) throw noSuchList(plan.list.name);
    if (info.enabled !== '1') continue;
    const timedCount = replies[at + 1] as number;
    const held = replies[at + 2] as number;
    let next = at + 3;
    let indexCount = 0;
    let indexed: (string | null)[] = [];
    let bytes: Buffer[] = [];
    if (plan.dense) {
      indexCount = replies[next++] as number;
      if (plan.blocks.length > 0) indexed = replies[next++] as (string | null)[];
      bytes = replies.slice(next, next + plan.blocks.length) as Buffer[];
      next += plan.blocks.length;
    }
    const inSet = new Uint8Array(numbers.length);
    if (plan.ordinary.length > 0) {
      (replies[next++] as number[]).forEach((flag, j) => {
        inSet[plan.ordinary[j] as number] = flag;
      });
    }
    const scores = plan.shape.timed ? (replies[next++] as (string | null)[]) : undefined;
    const still: number[] = [];
    let lost = false;
    for (const i of pending) {
      const number = numbers[i] as string;
      const b = plan.blockAt[i] as number;
      let hit: boolean;
      if (b >= 0) {
        const found = bytes[b] as Buffer;
        if (found.length === 0) {
          lost ||= indexed[b] !== null;
          hit = false;
        } else {
          const bit = plan.bits[i] as number;
          hit = (((found[(bit >> 3) - (plan.fromByte[b] as number)] ?? 0) as number) & (0x80 >> (bit & 7))) !== 0;
        }
      } else hit = inSet[i] === 1;
      if (!hit && scores) hit = live(scores[i] ?? null, now);
      if (hit) answers[i] = { list: plan.list.name, member: number as EntryMember };
      else still.push(i);
    }
    if (still.length > 0 && info.size !== null) {
      const expected = Number(info.size) - (Number(info.denseSize) || 0);
      if (held < expected && held + timedCount < expected) lost = true;
      if (plan.dense && indexCount < (Number(info.blocks) || 0)) lost = true;
      if (lost) throw entriesLost(plan.list.name);
    }
    pending = still;
  }
  return answers;
}

function infoOf(values: (string | null)[]): Info {
  return Object.fromEntries(INFO_FIELDS.map((field, n) => [field, values[n] ?? null])) as Info;
}

function shapeOf(info: Info, timed: boolean): ListShape {
  return { plan: info.dense, gen: info.gen, timed, prefixes: info.prefixes !== '' };
}

/** A timed entry's score as scrub-many.lua reads it: 'inf', or ms past now. */
function live(score: string | null, now: number): boolean {
  return score !== null && (score === 'inf' || Number(score) > now);
}

/** EXEC's replies, each command's error thrown rather than read as an answer. */
function valuesOf(results: [Error | null, unknown][] | null, count: number): unknown[] {
  if (results === null || results.length !== count) throw new Error(`the scrub's batch read was not answered in full (${results?.length ?? 0} of ${count} replies)`);
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

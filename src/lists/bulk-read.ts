/**
 * A scrub's batch check read by the client in one MULTI/EXEC, no script: the lists' info,
 * one MGET of the dense blocks the batch meets (each read whole), which of them the
 * index names, one SMISMEMBER of the numbers a SET holds, the counts the lost-entries
 * rule needs. One MGET, not a GETRANGE a block: over the full registry a window meets
 * ~2 numbers a block, so a batch met ~1,000 blocks, and a command each (an ioredis
 * Command to build, queue and answer, a command for Redis to dispatch) cost the CLI
 * ~9 us a row; the whole blocks' bytes cost less than the commands did. Redis does no
 * per-number Lua work, which is what held a scrub to ~180,000 rows/s (scrub-many.lua: a
 * Lua string, a table slot and a command argument converted a number, SMISMEMBER
 * arguments costing several times what the same command costs sent by a client).
 *
 * The answers are scrub-many.lua's, rule for rule: the lists in order, a number asked of
 * a list only while no earlier list matched it, a disabled list matching nothing, a list
 * that does not exist or lost entries an error while a number is left unmatched by it.
 * MULTI/EXEC makes a batch see one state, as a script call does. What this read does not
 * do it leaves to the script (the reference): a list with prefix entries, and a list
 * whose plan, generation or timed entries changed since the batch before (the read's
 * keys depend on them, so it answers undefined and the caller asks the script).
 */
import type { ChainableCommander, Pipeline, Redis } from 'ioredis';
import { isCluster, type RedisClient } from '../redis/connect.js';
import { RespWriter, type PreparedCommand } from '../redis/prepared-command.js';
import { bulkConnectionOf, type StringSink } from './bulk-connection.js';
import { BLOCK_NUMBERS, DENSE_PLANS, isDensePlanName, NATIONAL_DIGITS, type DensePlan } from './dense.js';
import { denseGenerationKeys, type ListKeys } from './keys.js';
import { entriesLost, noSuchList } from './names.js';
import type { EntryMember } from './types.js';

/** The first list that matched a number, and the member that did; null when none. */
export type BulkAnswer = { list: string; member: EntryMember } | null;

/** Numbers' answers in bulk, by position: the first list that matched each, and the members that are not the number itself (a prefix entry). */
export interface BulkMatches {
  /** 1 + the position of the list in the lists asked; 0 for none */
  list: Uint16Array;
  members: Map<number, EntryMember>;
}

/** Lists one bulk check may ask: their positions from 1 fit a Uint16Array beside 0 for none. */
export const MAX_BULK_LISTS = 0xffff;

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
  /** the batch's blocks of the plan, each once */
  blocks: number[];
  /** block -> its position in `blocks` */
  blockIndex: Map<number, number>;
  /** the index was asked for the blocks' span by score (ZRANGE BYSCORE), not for each block (ZMSCORE) */
  indexByRange: boolean;
  /** per block: 1 once the MGET gave its bytes (0: no such key) */
  present: Uint8Array;
  /** per number of the plan: 1 when its bit is set in its block */
  bits: Uint8Array;
  /** takes the MGET's blocks as they are read, each number's bit looked up while its block is in the CPU's caches */
  blockSink: StringSink;
  /** the MGET's position among the batch's commands, -1 when none was asked */
  mget: number;
  /** per number not of the plan: its member's position in the SMISMEMBER asked, or -1 */
  memberAt: Int32Array;
  /** members the SMISMEMBER asks, each once: a lead file's duplicates cost Redis a lookup each */
  members: number;
  first: number;
}

/**
 * The index is asked for the span of the batch's blocks (ZRANGE BYSCORE: a block's score
 * is its id) while the span holds at most this many possible blocks a block asked; a
 * ZMSCORE of each block otherwise. Measured: the range cost Redis a tenth of what
 * ZMSCORE did for the same 1,000 blocks (ZMSCORE formats a double a block), and its
 * reply is no more than this many times the blocks asked.
 */
const INDEX_RANGE_SPAN = 4;

/**
 * For each of `numbers` (E.164 digits, numbers/digits.ts) 1 + the position in `lists` of
 * the first list that matched it (the member that matched is the number itself), 0 for
 * none; or undefined when a list's shape changed (its shape is updated: the caller asks
 * the script for this batch, and the next batch reads with the new one). The commands
 * are written as bytes from the digits (redis/prepared-command.ts): no string a number.
 * Throws ListError no-such-list or entries-lost as scrub-many.lua does.
 */
export async function readBatch(redis: RedisClient, lists: BulkList[], numbers: Float64Array, now: number, shapes: Map<string, ListShape>): Promise<Uint16Array | undefined> {
  const writer = new RespWriter();
  const commands: PreparedCommand[] = [];
  let count = 0;
  const plans: ListPlan[] = lists.map((list) => {
    const shape = shapes.get(list.name) as ListShape;
    const first = count;
    const dense = shape.plan !== null && shape.gen !== null && isDensePlanName(shape.plan) ? DENSE_PLANS[shape.plan] : undefined;
    const blockAt = new Int32Array(numbers.length).fill(-1);
    const blocks: number[] = [];
    const memberAt = new Int32Array(numbers.length).fill(-1);
    const ordinary = new Float64Array(numbers.length);
    let memberOf: MemberTable | undefined;
    let ordinaryCount = 0;
    const at = new Map<number, number>();
    const [planLow, planHigh] = dense ? planDigits(dense) : [0, 0];
    let lastBlock = -1;
    let lastAt = -1;
    let lowBlock = Infinity;
    let highBlock = -Infinity;
    for (let i = 0; i < numbers.length; i += 1) {
      const number = numbers[i] as number;
      if (number < planLow || number >= planHigh) {
        memberOf ??= new MemberTable(numbers.length);
        const m = memberOf.positionOf(number, ordinaryCount);
        if (m === ordinaryCount) ordinary[ordinaryCount++] = number;
        memberAt[i] = m;
        continue;
      }
      // Not %: a float's remainder is a slow call, Math.floor a fast instruction.
      const block = Math.floor(number / BLOCK_NUMBERS);
      // A scrub's batch is sorted by block: the block of the number before is the likely one.
      let b = block === lastBlock ? lastAt : (at.get(block) ?? -1);
      if (b < 0) {
        b = blocks.length;
        at.set(block, b);
        blocks.push(block);
        if (block < lowBlock) lowBlock = block;
        if (block > highBlock) highBlock = block;
      }
      lastBlock = block;
      lastAt = b;
      blockAt[i] = b;
    }
    writer.begin('HMGET', 1 + INFO_FIELDS.length).text(list.keys.info);
    for (const field of INFO_FIELDS) writer.text(field);
    commands.push(writer.end(list.keys.info));
    commands.push(writer.begin('ZCARD', 1).text(list.keys.timed).end(list.keys.info));
    commands.push(writer.begin('SCARD', 1).text(list.keys.exact).end(list.keys.info));
    count += 3;
    const indexByRange = highBlock - lowBlock + 1 <= INDEX_RANGE_SPAN * blocks.length;
    const present = new Uint8Array(blocks.length);
    const bits = new Uint8Array(dense && blocks.length > 0 ? numbers.length : 0);
    const blockSink = dense && blocks.length > 0 ? bitReader(numbers, blockAt, blocks.length, present, bits) : () => undefined;
    let mget = -1;
    if (dense) {
      const generation = denseGenerationKeys(list.keys.dense, shape.gen as string);
      commands.push(writer.begin('ZCARD', 1).text(generation.index).end(list.keys.info));
      count += 1;
      if (blocks.length > 0) {
        if (indexByRange) writer.begin('ZRANGE', 4).text(generation.index).number(NO_PREFIX, lowBlock).number(NO_PREFIX, highBlock).text('BYSCORE');
        else {
          writer.begin('ZMSCORE', 1 + blocks.length).text(generation.index);
          for (const block of blocks) writer.number(NO_PREFIX, block);
        }
        commands.push(writer.end(list.keys.info));
        // A block's keys share the list's hash tag: one MGET is one slot on a Cluster.
        const blockKey = Buffer.from(generation.block(''), 'latin1');
        writer.begin('MGET', blocks.length);
        for (const block of blocks) writer.number(blockKey, block);
        mget = commands.length;
        commands.push(writer.end(list.keys.info));
        count += 2;
      }
    }
    if (ordinaryCount > 0) {
      writer.begin('SMISMEMBER', 1 + ordinaryCount).text(list.keys.exact);
      for (let m = 0; m < ordinaryCount; m += 1) writer.number(PLUS, ordinary[m] as number);
      commands.push(writer.end(list.keys.info));
      count += 1;
    }
    if (shape.timed) {
      writer.begin('ZMSCORE', 1 + numbers.length).text(list.keys.timed);
      for (const number of numbers) writer.number(PLUS, number);
      commands.push(writer.end(list.keys.info));
      count += 1;
    }
    return { list, shape, dense, blockAt, blocks, blockIndex: at, indexByRange, present, bits, blockSink, mget, memberAt, members: ordinaryCount, first };
  });
  const sinks = plans.filter((plan) => plan.mget >= 0).map((plan) => ({ element: plan.mget, to: plan.blockSink }));
  const replies = isCluster(redis) ? valuesOf(await clientExec(redis, commands), count) : await ownExec(redis, commands, sinks);

  let changed = false;
  for (const plan of plans) {
    const info = infoOf(replies[plan.first] as (Buffer | null)[]);
    const timedCount = replies[plan.first + 1] as number;
    const shape = shapeOf(info, timedCount > 0);
    shapes.set(plan.list.name, shape);
    changed ||= shape.plan !== plan.shape.plan || shape.gen !== plan.shape.gen || shape.prefixes || (shape.timed && !plan.shape.timed);
  }
  if (changed) return undefined;

  const answers = new Uint16Array(numbers.length);
  // A loop, not Uint32Array.from with a map function: that took a sixth of this read's time.
  let pending = new Uint32Array(numbers.length);
  for (let i = 0; i < pending.length; i += 1) pending[i] = i;
  for (const [n, plan] of plans.entries()) {
    if (pending.length === 0) break;
    const at = plan.first;
    const info = infoOf(replies[at] as (Buffer | null)[]);
    if (info.enabled === null) throw noSuchList(plan.list.name);
    if (info.enabled !== '1') continue;
    const timedCount = replies[at + 1] as number;
    const held = replies[at + 2] as number;
    let next = at + 3;
    let indexCount = 0;
    let index: Buffer[] | (Buffer | null)[] = [];
    if (plan.dense) {
      indexCount = replies[next++] as number;
      if (plan.blocks.length > 0) {
        index = replies[next++] as Buffer[] | (Buffer | null)[];
        readBlocks(plan, replies[next++]);
      }
    }
    let indexed: Uint8Array | undefined;
    const inSet = plan.members > 0 ? (replies[next++] as number[]) : [];
    const scores = plan.shape.timed ? (replies[next++] as (Buffer | null)[]) : undefined;
    const still = new Uint32Array(pending.length);
    let stillCount = 0;
    let lost = false;
    for (const i of pending) {
      const b = plan.blockAt[i] as number;
      let hit: boolean;
      if (b >= 0) {
        if (plan.present[b] === 0) {
          indexed ??= indexedBlocks(plan, index);
          lost ||= indexed[b] === 1;
          hit = false;
        } else hit = plan.bits[i] === 1;
      } else hit = inSet[plan.memberAt[i] as number] === 1;
      if (!hit && scores) hit = live(scores[i] ?? null, now);
      if (hit) answers[i] = n + 1;
      else still[stillCount++] = i;
    }
    if (stillCount > 0 && info.size !== null) {
      const expected = Number(info.size) - (Number(info.denseSize) || 0);
      if (held < expected && held + timedCount < expected) lost = true;
      if (plan.dense && indexCount < (Number(info.blocks) || 0)) lost = true;
      if (lost) throw entriesLost(plan.list.name);
    }
    pending = still.subarray(0, stillCount);
  }
  return answers;
}

/**
 * A sink for the MGET's blocks (bulk-connection.ts): for block `b`, marks it present and
 * looks up the bit of each number of it. Its numbers are found by block (a count sort of
 * `blockAt`): a scrub's batch is sorted by block, a check's of a few numbers need not be.
 */
function bitReader(numbers: Float64Array, blockAt: Int32Array, blockCount: number, present: Uint8Array, bits: Uint8Array): StringSink {
  const firstOf = new Int32Array(blockCount + 1);
  for (let i = 0; i < blockAt.length; i += 1) {
    const b = blockAt[i] as number;
    if (b >= 0) firstOf[b + 1] = (firstOf[b + 1] as number) + 1;
  }
  for (let b = 0; b < blockCount; b += 1) firstOf[b + 1] = (firstOf[b + 1] as number) + (firstOf[b] as number);
  const byBlock = new Int32Array(firstOf[blockCount] as number);
  const next = firstOf.slice(0, blockCount);
  for (let i = 0; i < blockAt.length; i += 1) {
    const b = blockAt[i] as number;
    if (b < 0) continue;
    byBlock[next[b] as number] = i;
    next[b] = (next[b] as number) + 1;
  }
  return (b, bytes, start, end) => {
    if (bytes === null) return;
    present[b] = 1;
    for (let k = firstOf[b] as number; k < (firstOf[b + 1] as number); k += 1) {
      const i = byBlock[k] as number;
      const number = numbers[i] as number;
      // Not %: a float's remainder is a slow call, Math.floor a fast instruction.
      const bit = number - Math.floor(number / BLOCK_NUMBERS) * BLOCK_NUMBERS;
      const at = start + (bit >> 3);
      // A block shorter than the bit's byte (its last bits never set) holds 0 there.
      if (at < end && ((bytes[at] as number) & (0x80 >> (bit & 7))) !== 0) bits[i] = 1;
    }
  };
}

/**
 * The MGET's reply as its sink saw it: its length on the bulk connection (the sink took
 * the blocks as they came), its blocks through ioredis (a Cluster), handed to the sink
 * here. A reply of another length than the blocks asked fails the batch: a block not
 * answered would read as missing, not as unknown.
 */
function readBlocks(plan: ListPlan, reply: unknown): void {
  const length = Array.isArray(reply) ? reply.length : reply;
  if (length !== plan.blocks.length) throw new Error(`the scrub's batch read got ${String(length)} blocks of ${plan.blocks.length}`);
  if (!Array.isArray(reply)) return;
  (reply as (Buffer | null)[]).forEach((bytes, b) => plan.blockSink(b, bytes, 0, bytes?.length ?? 0));
}

/**
 * Per block of the batch, 1 when the generation's index names it: from ZMSCORE's score
 * a block, or from the members (block ids) ZRANGE BYSCORE gave for the blocks' span.
 */
function indexedBlocks(plan: ListPlan, index: Buffer[] | (Buffer | null)[]): Uint8Array {
  const indexed = new Uint8Array(plan.blocks.length);
  if (!plan.indexByRange) {
    index.forEach((score, b) => {
      if (score !== null) indexed[b] = 1;
    });
    return indexed;
  }
  for (const member of index as Buffer[]) {
    const b = plan.blockIndex.get(Number(member.toString('latin1')));
    if (b !== undefined) indexed[b] = 1;
  }
  return indexed;
}

/**
 * A batch's members each once, by number: an open-addressing table of their digits.
 * Measured (2,000 11-digit numbers): 10 ns of CPU a number where a Map took 48 (a number
 * above the small-integer range is a heap object as a Map key), ~2% of the scrub CLI's
 * CPU a row with a SET list.
 */
class MemberTable {
  private readonly keys: Float64Array;
  private readonly positions: Int32Array;
  private readonly mask: number;

  constructor(members: number) {
    const size = 2 ** Math.ceil(Math.log2(2 * members + 1));
    this.keys = new Float64Array(size);
    this.positions = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  /** The position of `number` among the members; `next` when it is new, and from now on. */
  positionOf(number: number, next: number): number {
    // The digits' high and low 32 bits (exact below 2^53), mixed.
    const high = Math.floor(number / 0x1_0000_0000);
    const low = number - high * 0x1_0000_0000;
    let slot = (Math.imul(low | 0, 0x9e3779b1) ^ Math.imul(high | 0, 0x85ebca6b)) & this.mask;
    for (;;) {
      const position = this.positions[slot] as number;
      if (position < 0) {
        this.keys[slot] = number;
        this.positions[slot] = next;
        return next;
      }
      if (this.keys[slot] === number) return position;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** The digits of the plan's numbers, as numbers/digits.ts holds them: from (inclusive), to (exclusive). */
function planDigits(plan: DensePlan): [number, number] {
  const low = Number(plan.callingCode) * 10 ** NATIONAL_DIGITS;
  return [low, low + 10 ** NATIONAL_DIGITS];
}

const NO_PREFIX = Buffer.alloc(0);
const PLUS = Buffer.from('+');

function infoOf(values: (string | Buffer | null)[]): Info {
  return Object.fromEntries(INFO_FIELDS.map((field, n) => [field, values[n]?.toString('latin1') ?? null])) as Info;
}

function shapeOf(info: Info, timed: boolean): ListShape {
  return { plan: info.dense, gen: info.gen, timed, prefixes: info.prefixes !== '' };
}

/** A timed entry's score (a raw reply) as scrub-many.lua reads it: 'inf', or ms past now. */
function live(score: Buffer | null, now: number): boolean {
  if (score === null) return false;
  const text = score.toString('latin1');
  return text === 'inf' || Number(text) > now;
}

const MULTI = Buffer.from('*1\r\n$5\r\nMULTI\r\n', 'latin1');
const EXEC = Buffer.from('*1\r\n$4\r\nEXEC\r\n', 'latin1');

/**
 * The batch's MULTI/EXEC on the client's bulk connection (bulk-connection.ts): EXEC's
 * replies, a command's error thrown. The arrays `sinks` name (by their command's place)
 * go to their sink as they are read, and read as their length.
 */
export async function ownExec(redis: Redis, commands: PreparedCommand[], sinks: { element: number; to: StringSink }[]): Promise<unknown[]> {
  const connection = await bulkConnectionOf(redis);
  // EXEC's reply follows MULTI's and the commands' QUEUED.
  const execReply = commands.length + 1;
  const nested = sinks.map((sink) => ({ reply: execReply, element: sink.element, to: sink.to }));
  const replies = await connection.send([MULTI, ...commands.map((command) => command.toWritable()), EXEC], commands.length + 2, nested);
  // A command refused as it was queued aborts the EXEC: its own error says why.
  for (const reply of replies) if (reply instanceof Error) throw reply;
  const exec = replies.at(-1);
  if (!Array.isArray(exec) || exec.length !== commands.length) throw new Error(`the scrub's batch read was not answered in full (${Array.isArray(exec) ? exec.length : 0} of ${commands.length} replies)`);
  for (const reply of exec) if (reply instanceof Error) throw reply;
  return exec;
}

/** The batch's MULTI/EXEC through ioredis, which sends each command to its slot's node on a Cluster. */
async function clientExec(redis: RedisClient, commands: PreparedCommand[]): Promise<[Error | null, unknown][] | null> {
  const multi = redis.multi() as unknown as Pipeline & ChainableCommander;
  for (const command of commands) multi.sendCommand(command);
  return multi.exec();
}

/** EXEC's replies, each command's error thrown rather than read as an answer. */
function valuesOf(results: [Error | null, unknown][] | null, count: number): unknown[] {
  if (results === null || results.length !== count) throw new Error(`the scrub's batch read was not answered in full (${results?.length ?? 0} of ${count} replies)`);
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

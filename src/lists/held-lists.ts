/**
 * A scrub's lists held in the process, so a lead file stops paying Redis and RESP a row:
 * a dense list's blocks kept once read (each block fetched once however many windows meet
 * it: over the full registry 10M leads meet a block ~38 times), and a SET small next to
 * the lead file read whole (SSCAN in short calls) into a table of its members' digits.
 * What is not held (a block not yet read, a SET too big to read) is read in the window's
 * reads, as the batch read does.
 *
 * Held data is stale once its list changes. Every read this module makes carries the
 * lists' state (readStates: the change mark, change-mark.ts, and the info fields and
 * counts the batch read checks), and a window is answered only when every read since the
 * data was first held found the same state: no writer ran between them (each moves the
 * mark or a field compared; test/lists/held-lists.test.ts holds every writer to it), so
 * the window's answers are those of one state the lists had. A list that moved is
 * dropped and read again; the window is answered undefined, and the caller asks it the
 * batch way (ListStore.checkDigits).
 *
 * A list's timed entries and prefixes (its `timed` ZSET) are read whole with their
 * scores (ZSCAN in short calls) when the process's budget allows, else asked in the
 * window's reads (ZMSCORE of its numbers and of their prefix candidates), as a SET too
 * big is: every answer of a window is of the one state its reads confirm, never a held
 * answer beside a batch one of another moment (a number moved from one list to another
 * between them could read as on neither). A timed entry is live while its score is
 * 'inf' or past the window's clock, taken as the window is checked (as a batch takes
 * it), and prefixes match as scrub-many.lua matches them (TimedEntries).
 *
 * Not held (the caller asks the batch way): a list that does not exist (the batch way
 * names the error), Redis Cluster (lists are asked one at a time there, never at one
 * moment) and a scrub whose lists moved MAX_MOVES times.
 */
import type { Redis } from 'ioredis';
import { BLOCK_BYTES, BLOCK_NUMBERS, DENSE_PLANS, isDensePlanName, NATIONAL_DIGITS } from './dense.js';
import { denseGenerationKeys, type ListKeys } from './keys.js';
import { entriesLost } from './names.js';
import { RespWriter, type PreparedCommand } from '../redis/prepared-command.js';
import { bulkConnectionOf, type BulkReply, type StringSink } from './bulk-connection.js';
import { ownExec, type BulkMatches } from './bulk-read.js';
import type { EntryMember } from './types.js';

/**
 * Bytes of dense blocks the scrubs of a process keep at most (lists and scrubs together:
 * the API runs scrub jobs side by side in its own process). The full US registry is
 * ~264,000 blocks, ~330 MB: held whole by one scrub. Past this, blocks are read for the
 * window that meets them and let go, as the batch read does.
 */
export const SCRUB_HELD_BLOCK_BYTES = 384 * 1024 * 1024;
/** Members of SETs the scrubs of a process read whole at most (lists and scrubs together): 16 to 32 bytes each in a MemberSet, 64 MB at most. */
export const SCRUB_HELD_MEMBERS = 2_000_000;
/**
 * Timed entries and prefixes (`timed` members) the scrubs of a process read whole at
 * most (lists and scrubs together): ~100 bytes each in a Map, 50 MB at most. A company's
 * own list holds a few prefixes and expiring entries; a list with more has them asked in
 * each window's reads.
 */
export const SCRUB_HELD_TIMED = 500_000;
/** What the scrubs of this process hold, against the budgets above. */
const inProcess = { blocks: 0, members: 0, timed: 0 };
/** A list that moved this many times is asked the batch way for the rest of the scrub: a list changing all the time would be read again and again for nothing. */
export const MAX_MOVES = 3;
/**
 * Members one SSCAN call returns about: a short call (~1 ms of Redis), so live checks
 * barely wait behind it; 1,000 a call made a 1M SET's read a round trip and a socket
 * write every 1,000 members, a quarter of a 2M-row scrub's CLI time.
 */
const SCAN_COUNT = 5_000;
/** Blocks one read asks (an MGET of ~1.2 MB): ~1 ms of Redis. */
const READ_BLOCKS = 1_000;
/** Members one SMISMEMBER asks, as a batch read's. */
const READ_MEMBERS = 2_000;
/** Held blocks one EXISTS asks after: a read of 10,000 held Redis 6.8 ms on average over the full registry at load 6. */
const READ_EXISTS = 5_000;
/** Blocks held in one slab of memory. */
const SLAB_BLOCKS = 8_192;

const INFO_FIELDS = ['enabled', 'prefixes', 'size', 'dense', 'gen', 'denseSize', 'blocks', 'bulkWrites'] as const;

/** What a list's keys stood at: a window is answered from held data only while every read finds the same. */
export interface ListState {
  auditId: string;
  info: (string | null)[];
  exact: number;
  timed: number;
  /** blocks the generation's index names; 0 for an ordinary list */
  index: number;
}

export interface HeldList {
  name: string;
  keys: ListKeys;
}

/** The commands of a list's state (STATE_REPLIES replies), written as bytes. */
function askState(writer: RespWriter, commands: PreparedCommand[], keys: ListKeys, gen: string | null): void {
  writer.begin('HMGET', 1 + INFO_FIELDS.length).text(keys.info);
  for (const field of INFO_FIELDS) writer.text(field);
  commands.push(writer.end(keys.info));
  commands.push(writer.begin('XREVRANGE', 5).text(keys.audit).text('+').text('-').text('COUNT').text('1').end(keys.info));
  commands.push(writer.begin('SCARD', 1).text(keys.exact).end(keys.info));
  commands.push(writer.begin('ZCARD', 1).text(keys.timed).end(keys.info));
  // An ordinary list has no index: the ZCARD of a key that cannot exist keeps the replies' shape.
  commands.push(writer.begin('ZCARD', 1).text(denseGenerationKeys(keys.dense, gen ?? '').index).end(keys.info));
}

const STATE_REPLIES = 5;

function stateOf(replies: unknown[], at: number): ListState {
  const [last] = replies[at + 1] as Buffer[][];
  return {
    auditId: last?.[0]?.toString('latin1') ?? '0-0',
    info: (replies[at] as (Buffer | null)[]).map((value) => value?.toString('latin1') ?? null),
    exact: replies[at + 2] as number,
    timed: replies[at + 3] as number,
    index: replies[at + 4] as number,
  };
}

function sameState(a: ListState, b: ListState): boolean {
  return a.auditId === b.auditId && a.exact === b.exact && a.timed === b.timed && a.index === b.index && a.info.every((value, n) => value === b.info[n]);
}

/**
 * The lists' states read at one moment (one MULTI), the index of each list's generation
 * counted: `gens` the generations expected (a state read with another one differs in
 * its `gen` field all the same).
 */
export async function readStates(redis: Redis, lists: HeldList[], gens?: (string | null)[]): Promise<ListState[]> {
  const writer = new RespWriter();
  const commands: PreparedCommand[] = [];
  lists.forEach((list, n) => askState(writer, commands, list.keys, gens?.[n] ?? null));
  const replies = await ownExec(redis, commands, []);
  return lists.map((_, n) => stateOf(replies, n * STATE_REPLIES));
}

/**
 * A set of numbers' digits (numbers/digits.ts), open addressing: 8 bytes a slot, at
 * most half full. 0 marks a free slot (no number's digits are 0).
 */
export class MemberSet {
  private keys: Float64Array;
  private mask: number;
  size = 0;

  constructor(expected: number) {
    const slots = 2 ** Math.max(4, Math.ceil(Math.log2(2 * expected + 1)));
    this.keys = new Float64Array(slots);
    this.mask = slots - 1;
  }

  get bytes(): number {
    return this.keys.byteLength;
  }

  add(number: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    let slot = slotOf(number, this.mask);
    for (;;) {
      const key = this.keys[slot] as number;
      if (key === number) return;
      if (key === 0) break;
      slot = (slot + 1) & this.mask;
    }
    this.keys[slot] = number;
    this.size += 1;
  }

  has(number: number): boolean {
    let slot = slotOf(number, this.mask);
    for (;;) {
      const key = this.keys[slot] as number;
      if (key === number) return true;
      if (key === 0) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.keys;
    this.keys = new Float64Array(old.length * 2);
    this.mask = this.keys.length - 1;
    this.size = 0;
    for (const key of old) if (key !== 0) this.add(key);
  }
}

function slotOf(number: number, mask: number): number {
  // The digits' high and low 32 bits (exact below 2^53), mixed.
  const high = Math.floor(number / 0x1_0000_0000);
  const low = number - high * 0x1_0000_0000;
  return (Math.imul(low | 0, 0x9e3779b1) ^ Math.imul(high | 0, 0x85ebca6b)) & mask;
}

/** A member of a SET (its bytes, `start` to `end`) as digits, or -1 when it is no number a scrub asks (`+` and 1 to 15 digits, no leading 0). */
function digitsOfMember(member: Buffer, start: number, end: number): number {
  if (end - start < 2 || end - start > 16 || member[start] !== PLUS_BYTE || member[start + 1] === ZERO) return -1;
  let digits = 0;
  for (let k = start + 1; k < end; k += 1) {
    const digit = (member[k] as number) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    digits = digits * 10 + digit;
  }
  return digits;
}

const PLUS_BYTE = 0x2b;
const ZERO = 0x30;

/** Per block of a dense plan: 0 not read, ABSENT (no key), LOST (no key, the index names it), else 1 + its place in the slabs. */
const ABSENT = -1;
const LOST = -2;

/** One list's held data, for the state it was read at. */
interface Held {
  list: HeldList;
  state: ListState;
  /** the plan's digits, from (inclusive) and to (exclusive); 0, 0 for an ordinary list */
  low: number;
  high: number;
  firstBlock: number;
  blockOf: Int32Array | undefined;
  /** per block: the last window that met it, so a window names a block once */
  metIn: Uint32Array | undefined;
  /** the SET's members read whole, or undefined: asked in the window's reads */
  members: MemberSet | undefined;
  /** the `timed` ZSET read whole; undefined when it is empty, past the budget (asked in the window's reads) or the list disabled */
  timed: TimedEntries | undefined;
  /** the prefix lengths the info field `prefixes` names, each once, longest first */
  lengths: number[];
}

/** One read of a window's: the blocks, the members, the held blocks' keys or the index entries of a list it asks. */
interface Part {
  list: number;
  kind: 'state' | 'blocks' | 'members' | 'exists' | 'index' | 'timed';
  items: number[];
  /** of a 'timed' part: the length of the prefix members asked (keys.ts' prefixLength), 0 for the numbers themselves */
  length?: number;
}

/** Reads asked at once: Redis answers one while the next is sent, and the replies held stay a few MB. */
const READS_IN_FLIGHT = 3;

/** Runs `round` for each part, a few at a time, until `going` says stop. */
async function inTurn(parts: Part[], round: (part: Part) => Promise<void>, going: () => boolean): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < parts.length && going()) await round(parts[next++] as Part);
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, parts.length) }, worker));
}

const PLUS = Buffer.from('+');
const NO_PREFIX = Buffer.alloc(0);

/** What a window still needs of a list: blocks not held, members of a SET not read whole, and the held blocks it meets (still there?). */
interface Needs {
  blocks: number[];
  members: MemberSet;
  asked: number[];
  held: number[];
  /** of a list whose timed entries are not held: the members its `timed` is asked for, by length (0: the numbers), each once */
  candidates: Map<number, { seen: MemberSet; asked: number[] }>;
  /** what those asks found */
  timed: TimedEntries | undefined;
}

export interface HeldOptions {
  /** rows the scrub expects (a guess from the input's size): a SET is read whole only when it has fewer members */
  rows?: number;
  /** default SCRUB_HELD_BLOCK_BYTES */
  blockBytes?: number;
  /** default SCRUB_HELD_MEMBERS */
  members?: number;
  /** default SCRUB_HELD_TIMED */
  timed?: number;
  /** default MAX_MOVES */
  maxMoves?: number;
  /** ms since epoch, the store's clock: a timed entry is live while its expiry is past it */
  clock?: () => number;
}

/** What a scrub asks of its lists held: a window's answers, or undefined to ask it the batch way. */
export interface HeldCheck {
  check(numbers: Float64Array): Promise<BulkMatches | undefined>;
  /** the scrub is over (done or failed): what is held is let go */
  release(): void;
}

/**
 * The lists of one scrub held for it. check() answers a window's numbers from held data
 * confirmed by the window's own reads, or undefined: ask the window the batch way.
 */
export class HeldLists implements HeldCheck {
  private held: Held[] | undefined;
  private moves = 0;
  private readonly slabs: Buffer[] = [];
  private blocksHeld = 0;
  private membersHeld = 0;
  private timedHeld = 0;
  private readonly blockBudget: number;
  private readonly memberBudget: number;
  private readonly timedBudget: number;
  private readonly clock: () => number;
  private readonly maxMoves: number;
  /** blocks read this window past the budget, let go after it */
  private loose = new Map<number, Buffer>();
  private windows = 0;
  private released = false;

  constructor(
    private readonly redis: Redis,
    private readonly lists: HeldList[],
    private readonly options: HeldOptions = {},
  ) {
    this.blockBudget = Math.floor((options.blockBytes ?? SCRUB_HELD_BLOCK_BYTES) / BLOCK_BYTES);
    this.memberBudget = options.members ?? SCRUB_HELD_MEMBERS;
    this.timedBudget = options.timed ?? SCRUB_HELD_TIMED;
    this.clock = options.clock ?? Date.now;
    this.maxMoves = options.maxMoves ?? MAX_MOVES;
  }

  /** Whether the lists are (still) held: false once they moved MAX_MOVES times or cannot be held. */
  private get holding(): boolean {
    return this.moves < this.maxMoves;
  }

  /**
   * For each of `numbers` 1 + the position of the first list that matched it, 0 for
   * none, and the prefix members that matched (a number matched by itself has no
   * member); or undefined when the lists cannot be held or moved since they were read.
   * Throws entries-lost as the batch read does.
   */
  async check(numbers: Float64Array): Promise<BulkMatches | undefined> {
    if (!this.holding) return undefined;
    // Before the reads, as a batch takes its clock: the window's answers are of the state its reads confirm.
    const now = this.clock();
    this.held ??= await this.hold();
    const held = this.held;
    if (held === undefined) return undefined;
    this.loose = new Map();
    this.windows += 1;
    const needs = held.map((list) => this.needsOf(list, numbers));
    if (!(await this.read(held, needs))) return undefined;
    return this.answer(held, needs, numbers, now);
  }

  /** The lists' states and their SETs read whole where that pays, or undefined when a list cannot be held (counted as a move when it moved meanwhile). */
  private async hold(): Promise<Held[] | undefined> {
    this.letGo();
    const first = await readStates(this.redis, this.lists);
    const states = await readStates(this.redis, this.lists, first.map((state) => state.info[4] ?? null));
    if (!states.every(holdable)) {
      this.moves = this.maxMoves;
      return undefined;
    }
    const held = this.lists.map((list, n): Held => {
      const state = states[n] as ListState;
      const plan = state.info[3];
      const dense = plan !== null && plan !== undefined && state.info[4] !== null && isDensePlanName(plan) ? DENSE_PLANS[plan] : undefined;
      const low = dense ? Number(dense.callingCode) * 10 ** NATIONAL_DIGITS : 0;
      const high = dense ? low + 10 ** NATIONAL_DIGITS : 0;
      return { list, state, low, high, firstBlock: low / BLOCK_NUMBERS, blockOf: dense ? new Int32Array((high - low) / BLOCK_NUMBERS) : undefined, metIn: dense ? new Uint32Array((high - low) / BLOCK_NUMBERS) : undefined, members: undefined, timed: undefined, lengths: prefixLengthsOf(state.info[1] ?? '') };
    });
    for (const list of held) {
      const timed = list.state.timed;
      if (this.released || list.state.info[0] !== '1' || timed === 0 || inProcess.timed + timed > this.timedBudget) continue;
      this.timedHeld += timed;
      inProcess.timed += timed;
      list.timed = await this.readTimed(list);
    }
    for (const list of held) {
      const members = list.state.exact;
      if (this.released || list.state.info[0] !== '1' || members > (this.options.rows ?? 0) || inProcess.members + members > this.memberBudget) continue;
      this.membersHeld += members;
      inProcess.members += members;
      // An empty SET (a dense list's, most often) is held as it is: nothing to read, nothing to ask a window.
      list.members = members === 0 ? new MemberSet(0) : await this.readMembers(list);
    }
    // The SETs and timed entries were read in many calls: they are of the states read first only if nothing moved since.
    const after = await readStates(this.redis, this.lists, states.map((state) => state.info[4] ?? null));
    if (!after.every((state, n) => sameState(state, states[n] as ListState))) {
      this.moves += 1;
      return undefined;
    }
    return held;
  }

  /** A SET read whole on the bulk connection, its members' digits read from the reply's bytes as they come: no string or Buffer a member. */
  private async readMembers(list: Held): Promise<MemberSet> {
    const set = new MemberSet(list.state.exact);
    await this.scan('SSCAN', list.list.keys.exact, (_, bytes, start, end) => {
      const digits = bytes === null ? -1 : digitsOfMember(bytes, start, end);
      if (digits >= 0) set.add(digits);
    });
    return set;
  }

  /** A `timed` ZSET read whole with its scores on the bulk connection, as readMembers reads a SET. */
  private async readTimed(list: Held): Promise<TimedEntries> {
    const entries = new TimedEntries(list.lengths);
    // A member's digits and length, until its score (the element after it) comes.
    let digits = -1;
    let length = 0;
    await this.scan('ZSCAN', list.list.keys.timed, (k, bytes, start, end) => {
      if (bytes === null) return;
      if (k % 2 === 0) {
        const prefix = end - start > 2 && bytes[end - 1] === STAR;
        digits = digitsOfMember(bytes, start, prefix ? end - 1 : end);
        length = prefix ? end - start : 0;
      } else if (digits >= 0) entries.add(digits, length, scoreOf(bytes.toString('latin1', start, end)));
    });
    return entries;
  }

  /** A key read whole on the bulk connection in short calls (SSCAN, ZSCAN), each call's elements to `sink` as they are read. */
  private async scan(command: 'SSCAN' | 'ZSCAN', key: string, sink: StringSink): Promise<void> {
    const connection = await bulkConnectionOf(this.redis);
    const writer = new RespWriter(256);
    let cursor = '0';
    do {
      const request = writer.begin(command, 4).text(key).text(cursor).text('COUNT').text(String(SCAN_COUNT)).end(key);
      const [reply] = await connection.send([request.toWritable()], 1, [{ reply: 0, element: 1, to: sink }]);
      if (reply instanceof Error) throw reply;
      cursor = ((reply as BulkReply[])[0] as Buffer).toString('latin1');
    } while (cursor !== '0');
  }

  private needsOf(list: Held, numbers: Float64Array): Needs {
    const needs: Needs = { blocks: [], members: new MemberSet(0), asked: [], held: [], candidates: new Map(), timed: undefined };
    if (list.state.info[0] !== '1') return needs;
    if (list.timed === undefined && list.state.timed > 0) this.candidatesOf(list, numbers, needs.candidates);
    const { low, high, blockOf, metIn, firstBlock } = list;
    const window = this.windows;
    for (const number of numbers) {
      if (blockOf !== undefined && metIn !== undefined && number >= low && number < high) {
        const b = Math.floor(number / BLOCK_NUMBERS) - firstBlock;
        if (metIn[b] === window) continue;
        metIn[b] = window;
        const at = blockOf[b] as number;
        if (at === 0) {
          blockOf[b] = ABSENT;
          needs.blocks.push(b);
        } else if (at > 0) needs.held.push(b);
      } else if (list.members === undefined && !needs.members.has(number)) {
        needs.members.add(number);
        needs.asked.push(number);
      }
    }
    return needs;
  }

  /** The members a window asks of a `timed` not held, as scrub-many.lua asks them: each number, and its prefixes of the field's lengths. */
  private candidatesOf(list: Held, numbers: Float64Array, candidates: Needs['candidates']): void {
    const of = (length: number): { seen: MemberSet; asked: number[] } => {
      let asked = candidates.get(length);
      if (asked === undefined) candidates.set(length, (asked = { seen: new MemberSet(0), asked: [] }));
      return asked;
    };
    const add = (length: number, digits: number): void => {
      const asked = of(length);
      if (asked.seen.has(digits)) return;
      asked.seen.add(digits);
      asked.asked.push(digits);
    };
    for (const number of numbers) {
      add(0, number);
      if (list.lengths.length === 0) continue;
      const count = digitCount(number);
      for (const length of list.lengths) if (length - 2 <= count) add(length, prefixDigits(number, count, length));
    }
  }

  /**
   * Reads what the window needs in short MULTIs, each with every list's state, a few in
   * flight; false (the held data dropped) when a state is not the one held or a held
   * block it met is gone. At least one read: the window's confirmation.
   */
  private async read(held: Held[], needs: Needs[]): Promise<boolean> {
    const parts: Part[] = [];
    needs.forEach((need, n) => {
      // A held block lost since (evicted, deleted) is what a batch would see as lost: the window goes the batch way.
      for (let from = 0; from < need.held.length; from += READ_EXISTS) parts.push({ list: n, kind: 'exists', items: need.held.slice(from, from + READ_EXISTS) });
      for (let from = 0; from < need.blocks.length; from += READ_BLOCKS) parts.push({ list: n, kind: 'blocks', items: need.blocks.slice(from, from + READ_BLOCKS) });
      for (let from = 0; from < need.asked.length; from += READ_MEMBERS) parts.push({ list: n, kind: 'members', items: need.asked.slice(from, from + READ_MEMBERS) });
      for (const [length, { asked }] of need.candidates) {
        for (let from = 0; from < asked.length; from += READ_MEMBERS) parts.push({ list: n, kind: 'timed', items: asked.slice(from, from + READ_MEMBERS), length });
      }
    });
    if (parts.length === 0) parts.push({ list: 0, kind: 'state', items: [] });
    const answers = needs.map(() => new MemberSet(0));
    const found = held.map((list, n) => ((needs[n] as Needs).candidates.size > 0 ? new TimedEntries(list.lengths) : undefined));
    const absent: Part[] = [];
    let unchanged = true;
    const round = async (part: Part): Promise<void> => {
      const target = held[part.list] as Held;
      // The blocks are kept as they are read (a view of the socket's chunk); the ones with no key noted.
      const missing: number[] = [];
      const blocks: StringSink = (k, bytes, start, end) => {
        const b = part.items[k] as number;
        if (bytes === null) missing.push(b);
        else this.keep(target, b, bytes, start, end);
      };
      const commands = this.commandsOf(held, part);
      const replies = await ownExec(this.redis, commands, part.kind === 'blocks' ? [{ element: commands.length - 1, to: blocks }] : []);
      const reply = replies[held.length * STATE_REPLIES];
      unchanged &&= held.every((list, n) => sameState(stateOf(replies, n * STATE_REPLIES), list.state)) && (part.kind !== 'exists' || reply === part.items.length);
      if (!unchanged) return;
      if (part.kind === 'blocks') {
        if (reply !== part.items.length) throw new Error(`the scrub's held read got ${String(reply)} blocks of ${part.items.length}`);
        for (let from = 0; from < missing.length; from += READ_BLOCKS) absent.push({ list: part.list, kind: 'index', items: missing.slice(from, from + READ_BLOCKS) });
      } else if (part.kind === 'members') {
        (reply as number[]).forEach((found, k) => {
          if (found === 1) (answers[part.list] as MemberSet).add(part.items[k] as number);
        });
      } else if (part.kind === 'timed') {
        (reply as (Buffer | null)[]).forEach((score, k) => {
          if (score !== null) found[part.list]?.add(part.items[k] as number, part.length ?? 0, scoreOf(score.toString('latin1')));
        });
      } else if (part.kind === 'index') {
        (reply as (Buffer | null)[]).forEach((score, k) => {
          if (score !== null) (target.blockOf as Int32Array)[part.items[k] as number] = LOST;
        });
      }
    };
    await inTurn(parts, round, () => unchanged);
    // A block with no key is new to the list, or lost when its index names it.
    await inTurn(absent, round, () => unchanged);
    if (!unchanged) {
      this.moved(held);
      return false;
    }
    needs.forEach((need, n) => {
      need.members = answers[n] as MemberSet;
      need.timed = found[n];
    });
    return true;
  }

  /** One read: every list's state, then the part's command, written as bytes from the digits (redis/prepared-command.ts). */
  private commandsOf(held: Held[], part: Part): PreparedCommand[] {
    const writer = new RespWriter();
    const commands: PreparedCommand[] = [];
    for (const list of held) askState(writer, commands, list.list.keys, list.state.info[4] ?? null);
    const target = held[part.list] as Held;
    const keys = target.list.keys;
    const gen = denseGenerationKeys(keys.dense, target.state.info[4] ?? '');
    const blockKey = Buffer.from(gen.block(''), 'latin1');
    const { items } = part;
    if (part.kind === 'blocks' || part.kind === 'exists') {
      writer.begin(part.kind === 'blocks' ? 'MGET' : 'EXISTS', items.length);
      for (const b of items) writer.number(blockKey, target.firstBlock + b);
    } else if (part.kind === 'members') {
      writer.begin('SMISMEMBER', 1 + items.length).text(keys.exact);
      for (const number of items) writer.number(PLUS, number);
    } else if (part.kind === 'timed') {
      writer.begin('ZMSCORE', 1 + items.length).text(keys.timed);
      for (const digits of items) {
        if (part.length === 0) writer.number(PLUS, digits);
        else writer.text(`+${digits}*`);
      }
    } else if (part.kind === 'index') {
      writer.begin('ZMSCORE', 1 + items.length).text(gen.index);
      for (const b of items) writer.number(NO_PREFIX, target.firstBlock + b);
    } else return commands;
    commands.push(writer.end(keys.info));
    return commands;
  }

  /** A block read: into the slabs while the budget allows, else held for this window only. */
  private keep(list: Held, b: number, bytes: Buffer, start: number, end: number): void {
    const blockOf = list.blockOf as Int32Array;
    // Released meanwhile (the scrub failed while this read was in flight): nothing more is counted as held.
    if (this.released || inProcess.blocks >= this.blockBudget) {
      this.loose.set(list.firstBlock + b, Buffer.from(bytes.subarray(start, end)));
      blockOf[b] = 0;
      return;
    }
    const at = this.blocksHeld++;
    inProcess.blocks += 1;
    const slab = Math.floor(at / SLAB_BLOCKS);
    // Zero-filled: a block shorter than BLOCK_BYTES (its last bits never set) reads 0 past its end.
    if (slab === this.slabs.length) this.slabs.push(Buffer.alloc(SLAB_BLOCKS * BLOCK_BYTES));
    bytes.copy(this.slabs[slab] as Buffer, (at - slab * SLAB_BLOCKS) * BLOCK_BYTES, start, Math.min(end, start + BLOCK_BYTES));
    blockOf[b] = at + 1;
  }

  /** Ends the holding, what is held given back to the process's budget: the scrub is over. */
  release(): void {
    this.released = true;
    this.moves = this.maxMoves;
    this.held = undefined;
    this.letGo();
  }

  private letGo(): void {
    this.slabs.length = 0;
    this.loose = new Map();
    inProcess.blocks -= this.blocksHeld;
    inProcess.members -= this.membersHeld;
    inProcess.timed -= this.timedHeld;
    this.blocksHeld = 0;
    this.membersHeld = 0;
    this.timedHeld = 0;
  }

  /** Drops what is held: the next window reads the lists again. */
  private moved(held: Held[]): void {
    this.moves += 1;
    for (const list of held) {
      list.blockOf?.fill(0);
      list.metIn?.fill(0);
    }
    this.held = undefined;
  }

  /** The window's answers from what is held, by scrub-many.lua's rules. */
  private answer(held: Held[], needs: Needs[], numbers: Float64Array, now: number): BulkMatches {
    const answers = new Uint16Array(numbers.length);
    const matched = new Map<number, EntryMember>();
    let pending = new Uint32Array(numbers.length);
    for (let i = 0; i < pending.length; i += 1) pending[i] = i;
    for (const [n, list] of held.entries()) {
      if (pending.length === 0) break;
      const { state, low, high, blockOf, firstBlock } = list;
      if (state.info[0] !== '1') continue;
      const members = list.members ?? (needs[n] as Needs).members;
      const timed = list.timed ?? (needs[n] as Needs).timed;
      const still = new Uint32Array(pending.length);
      let stillCount = 0;
      let lost = false;
      for (const i of pending) {
        const number = numbers[i] as number;
        let hit: boolean;
        if (blockOf !== undefined && number >= low && number < high) {
          // Not %: a float's remainder is a slow call, Math.floor a fast instruction.
          const block = Math.floor(number / BLOCK_NUMBERS);
          const bit = number - block * BLOCK_NUMBERS;
          const at = blockOf[block - firstBlock] as number;
          if (at > 0) {
            const slab = Math.floor((at - 1) / SLAB_BLOCKS);
            const byte = (this.slabs[slab] as Buffer)[(at - 1 - slab * SLAB_BLOCKS) * BLOCK_BYTES + (bit >> 3)] as number;
            hit = (byte & (0x80 >> (bit & 7))) !== 0;
          } else if (at === 0) {
            const bytes = this.loose.get(block) as Buffer;
            hit = ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
          } else {
            lost ||= at === LOST;
            hit = false;
          }
        } else hit = members.has(number);
        if (!hit && timed !== undefined) {
          const member = timed.match(number, now);
          hit = member !== undefined;
          // '' is the number itself: only a prefix is reported as a member of its own.
          if (member) matched.set(i, member);
        }
        if (hit) answers[i] = n + 1;
        else still[stillCount++] = i;
      }
      if (stillCount > 0 && state.info[2] !== null) {
        const expected = Number(state.info[2]) - (Number(state.info[5]) || 0);
        if (state.exact < expected && state.exact + state.timed < expected) lost = true;
        if (blockOf !== undefined && state.index < (Number(state.info[6]) || 0)) lost = true;
        if (lost) throw entriesLost(list.list.name);
      }
      pending = still.subarray(0, stillCount);
    }
    return { list: answers, members: matched };
  }
}

const STAR = 0x2a;

/** A score as ZSCAN gives it: 'inf' (forever) or ms since epoch. */
function scoreOf(text: string): number {
  return text === 'inf' ? Infinity : Number(text);
}

/** 10 ** k for k = 0 to 15: a number's digit count and its prefixes' digits. */
const POWERS = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * A list's `timed` members as digits, their expiries beside them: the numbers, and the
 * prefixes by their length (keys.ts' prefixLength: '+' and '*' counted). match() is
 * scrub-many.lua's: the number itself first, then the prefixes of the lengths the info
 * field `prefixes` names (and only those, as check-list.lua's prefix_candidates builds
 * them), longest first, the first live one reported. Most numbers a scrub asks match
 * none: each length is a MemberSet asked first, its expiry looked up on a hit only (a
 * Map of numbers past the small-integer range is several times slower to ask).
 */
class TimedEntries {
  private readonly numbers = new MemberSet(0);
  private readonly expiries = new Map<number, number>();
  private readonly prefixes = new Map<number, { digits: MemberSet; expiries: Map<number, number> }>();
  /** the field's lengths the list holds prefixes of, longest first, as [length, its prefixes] */
  private asked: [number, { digits: MemberSet; expiries: Map<number, number> }][] = [];

  /** `fieldLengths`: the info field's (prefixLengthsOf) */
  constructor(private readonly fieldLengths: number[]) {}

  /** A member: a number's digits (length 0) or a prefix's, `length` the prefix member's. */
  add(digits: number, length: number, expiry: number): void {
    if (length === 0) {
      this.numbers.add(digits);
      this.expiries.set(digits, expiry);
      return;
    }
    let held = this.prefixes.get(length);
    if (held === undefined) {
      this.prefixes.set(length, (held = { digits: new MemberSet(0), expiries: new Map() }));
      this.asked = this.fieldLengths.flatMap((asked) => {
        const prefixes = this.prefixes.get(asked);
        return prefixes ? [[asked, prefixes] as [number, typeof prefixes]] : [];
      });
    }
    held.digits.add(digits);
    held.expiries.set(digits, expiry);
  }

  /** The member that lists `number` at `now`: '' for the number itself, the prefix member, or undefined for none. */
  match(number: number, now: number): EntryMember | undefined {
    if (this.numbers.has(number) && live(this.expiries.get(number), now)) return '';
    if (this.asked.length === 0) return undefined;
    const count = digitCount(number);
    for (const [length, prefixes] of this.asked) {
      if (length - 2 > count) continue;
      const digits = prefixDigits(number, count, length);
      if (prefixes.digits.has(digits) && live(prefixes.expiries.get(digits), now)) return `+${digits}*`;
    }
    return undefined;
  }
}

/** The lengths (from 3) the info field `prefixes` names, each once, longest first, read as check-list.lua's prefix_candidates reads them. */
function prefixLengthsOf(field: string): number[] {
  const lengths = new Set<number>();
  for (const text of field.split(',')) {
    const length = Number(text);
    if (text !== '' && Number.isInteger(length) && length >= 3) lengths.add(length);
  }
  return [...lengths].sort((a, b) => b - a);
}

function digitCount(number: number): number {
  let count = 1;
  while (count < POWERS.length && number >= (POWERS[count] as number)) count += 1;
  return count;
}

/** The digits of `number`'s prefix member of `length` (`count` its digits, length - 2 of them at most): the member is the number's first length - 1 characters ('+' and length - 2 digits) and '*'. */
function prefixDigits(number: number, count: number, length: number): number {
  return Math.floor(number / (POWERS[count - (length - 2)] as number));
}

function live(expiry: number | undefined, now: number): boolean {
  return expiry !== undefined && expiry > now;
}

/** A list held must exist and have its prefixes field (an old format is the batch way's error to name). */
function holdable(state: ListState): boolean {
  return state.info[0] !== null && state.info[1] !== null && state.info[1] !== '1';
}

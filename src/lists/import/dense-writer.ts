import type { RedisClient } from '../../redis/connect.js';
import { BLOCK_BYTES, setBit } from '../dense.js';
import { entriesLost } from '../names.js';
import { defineImportScripts } from './scripts.js';

/**
 * Blocks held before they are sent: ~40 MB of bitmaps at most. A national file comes
 * sorted by area code (the FTC's are), so a block is complete long before it is sent;
 * an unsorted file still imports right, a block then merely travels more than once.
 */
export const DEFAULT_DENSE_BLOCKS_HELD = 32_768;
/** A block with fewer numbers than this travels as their offsets, else as its whole bitmap. */
const SPARSE_LIMIT = 64;
/** Bytes one script call carries, about: bitmaps and offsets of many blocks. */
const BATCH_BYTES = 256 * 1024;
/**
 * Blocks one script call writes at most: a sparse block costs Redis a few microseconds
 * (its EXISTS and BITFIELD), so a call stays within a few milliseconds and the checks
 * of live calls, which wait behind it, are not held up (a change list is ~200,000 blocks).
 */
const BATCH_BLOCKS = 250;
/** Script calls sent and not yet answered. */
const IN_FLIGHT = 4;

/**
 * add: set the bits (new numbers); delete: clear them (numbers that left the registry);
 * dry-*: count what either would change, write nothing.
 */
export type DenseOperation = 'add' | 'delete' | 'dry-add' | 'dry-delete';

export interface DenseCounts {
  /** bits set (add) or cleared (delete) in Redis: new numbers, or numbers removed */
  changed: number;
  /** numbers pushed that did not change a bit: listed already (add), not listed (delete), or repeated in the file */
  unchanged: number;
  /** block bitmaps created, and removed (emptied by a delete) */
  blocksCreated: number;
  blocksRemoved: number;
}

interface HeldBlock {
  /** offsets while the block is sparse; undefined once it is a bitmap */
  offsets: number[] | undefined;
  bitmap: Uint8Array | undefined;
}

/**
 * Collects the numbers of a dense list's plan as blocks and bits, and writes them into
 * the list's bitmaps (or a replace's new generation) with dense-bits-2.lua: whole
 * bitmaps merged with BITOP where a block is full, offsets in one BITFIELD where it
 * is sparse (a change list of a million numbers over 200,000 blocks). Memory is bounded
 * by DEFAULT_DENSE_BLOCKS_HELD blocks, however large the file.
 */
export class DenseWriter {
  private held = new Map<number, HeldBlock>();
  private pushedHere = 0;
  private readonly pending: Promise<void>[] = [];
  private failure: unknown;
  readonly counts: DenseCounts = { changed: 0, unchanged: 0, blocksCreated: 0, blocksRemoved: 0 };

  constructor(
    private readonly redis: RedisClient,
    private readonly target: { list: string; info: string; dense: string; gen: string | undefined },
    private readonly operation: DenseOperation,
    private readonly maxBlocksHeld = DEFAULT_DENSE_BLOCKS_HELD,
  ) {
    defineImportScripts(redis);
  }

  /** Holds one number; true when the blocks held are at their limit and send() must be awaited. */
  push(block: number, bit: number): boolean {
    let held = this.held.get(block);
    if (!held) {
      held = { offsets: [], bitmap: undefined };
      this.held.set(block, held);
    }
    this.pushedHere += 1;
    if (held.offsets) {
      held.offsets.push(bit);
      if (held.offsets.length >= SPARSE_LIMIT) {
        const bitmap = new Uint8Array(BLOCK_BYTES);
        let repeated = 0;
        for (const offset of held.offsets) if (!setBit(bitmap, offset)) repeated += 1;
        this.counts.unchanged += repeated;
        this.pushedHere -= repeated;
        held.bitmap = bitmap;
        held.offsets = undefined;
      }
    } else if (!setBit(held.bitmap as Uint8Array, bit)) {
      this.counts.unchanged += 1;
      this.pushedHere -= 1;
    }
    return this.held.size >= this.maxBlocksHeld;
  }

  /** Sends every block held, waiting only at the in-flight limit. */
  async send(): Promise<void> {
    const blocks = [...this.held.entries()].sort(([a], [b]) => a - b);
    this.held = new Map();
    const pushed = this.pushedHere;
    this.pushedHere = 0;
    let args: (string | Buffer)[] = [];
    let bytes = 0;
    let inBatch = 0;
    let sentPushed = 0;
    for (const [block, held] of blocks) {
      if (held.bitmap) {
        args.push(String(block), 'm', Buffer.from(held.bitmap.buffer, held.bitmap.byteOffset, held.bitmap.byteLength));
        bytes += BLOCK_BYTES;
        inBatch += popcount(held.bitmap);
      } else {
        const offsets = held.offsets as number[];
        args.push(String(block), 'o', offsetBytes(offsets));
        bytes += offsets.length * 2;
        inBatch += offsets.length;
      }
      if (bytes >= BATCH_BYTES || args.length >= BATCH_BLOCKS * 3) {
        await this.dispatch(args, inBatch);
        sentPushed += inBatch;
        args = [];
        bytes = 0;
        inBatch = 0;
      }
    }
    if (args.length > 0) {
      await this.dispatch(args, inBatch);
      sentPushed += inBatch;
    }
    if (sentPushed !== pushed) throw new Error(`dense writer lost count: ${pushed} pushed, ${sentPushed} sent`);
  }

  /** Sends what is held and waits for every call to be answered. */
  async flush(): Promise<DenseCounts> {
    await this.send();
    while (this.pending.length > 0) await this.pending.shift();
    if (this.failure !== undefined) throw this.failure;
    return this.counts;
  }

  private async dispatch(args: (string | Buffer)[], numbers: number): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const reply = this.redis
      .callguardImportDenseBits(this.target.info, this.target.dense, this.operation, this.target.gen ?? '', ...args)
      .then(([changed, created, removed]) => {
        this.counts.changed += changed;
        this.counts.unchanged += numbers - changed;
        this.counts.blocksCreated += created;
        this.counts.blocksRemoved += removed;
      })
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error && error.message.includes('CALLGUARD entries lost') ? entriesLost(this.target.list) : error;
      });
    this.pending.push(reply);
    if (this.pending.length >= IN_FLIGHT) await this.pending.shift();
    if (this.failure !== undefined) throw this.failure;
  }
}

/**
 * A sparse block's offsets as 2 bytes each, big-endian: Lua reads them with string.byte
 * as numbers, where text would cost Redis a Lua string a number to split it.
 */
function offsetBytes(offsets: number[]): Buffer {
  const bytes = Buffer.allocUnsafe(offsets.length * 2);
  offsets.forEach((offset, i) => bytes.writeUInt16BE(offset, i * 2));
  return bytes;
}

const BYTE_BITS = new Uint8Array(256).map((_, byte) => {
  let bits = 0;
  for (let b = byte; b > 0; b >>= 1) bits += b & 1;
  return bits;
});

function popcount(bytes: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < bytes.length; i += 1) total += BYTE_BITS[bytes[i] as number] as number;
  return total;
}

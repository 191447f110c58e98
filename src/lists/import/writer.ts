import type { RedisClient } from '../../redis/connect.js';
import type { ExpiryArg } from './expiry.js';
import { isPrefixMember } from '../members.js';
import { defineImportScripts } from './scripts.js';

/** Members a batch carries: large enough to amortize the round trip, small enough that one script call stays well under a millisecond of Redis time per thousand. */
export const DEFAULT_BATCH_SIZE = 5_000;
/** Batches sent and not yet answered: keeps Redis busy while the next batch is parsed, and memory bounded. */
export const DEFAULT_BATCHES_IN_FLIGHT = 4;

export type DuplicateMode = 'skip' | 'override';

export interface WriterTarget {
  exact: string;
  timed: string;
  /**
   * The list's own info HASH, during a replace too: the batch script merges the lengths
   * of its prefixes into its field `prefixes`, else check() would not look for them; a
   * batch into the list itself counts what it added into its field `size` (keys.ts).
   */
  info: string;
  /** the list's metadata HASH: a deletion removes a number's metadata with it */
  meta?: string;
}

/** A deletion file: its numbers leave the list (`delete`), or are only counted (`dry-delete`). */
export type DeleteMode = 'delete' | 'dry-delete';

export interface WriterOptions {
  mode: DuplicateMode | 'dry' | DeleteMode;
  /**
   * The expiry every row gets, when the import has one expiry for all (no expiry column):
   * numbers then travel as a bare list, the cheapest shape for Redis.
   */
  uniformExpiry: ExpiryArg | undefined;
  /** staging keys get a TTL refreshed by every batch, so a crashed replace frees its memory */
  ttlMs?: number;
  batchSize?: number;
  inFlight?: number;
  now: number;
}

export interface WriterCounts {
  imported: number;
  duplicates: number;
  /** sizes of the target keys after the last batch answered */
  exactSize: number;
  timedSize: number;
}

/**
 * Collects members into batches and sends each as one script call, pipelined on one
 * connection so Redis runs them in order (a later batch sees the earlier ones: that is
 * how duplicates inside the file are found). send() resolves at once unless the
 * in-flight limit is reached, which is the backpressure the reader waits on.
 */
export class BatchWriter {
  /** exact numbers with the uniform expiry */
  private numbers: string[] = [];
  /** prefixes, and every row when expiries differ per row, with their expiries */
  private members: string[] = [];
  private expiries: ExpiryArg[] = [];
  private readonly pending: Promise<void>[] = [];
  private failure: unknown;
  readonly counts: WriterCounts = { imported: 0, duplicates: 0, exactSize: 0, timedSize: 0 };
  private readonly batchSize: number;
  private readonly inFlight: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly target: WriterTarget,
    private readonly options: WriterOptions,
  ) {
    defineImportScripts(redis);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.inFlight = options.inFlight ?? DEFAULT_BATCHES_IN_FLIGHT;
  }

  /**
   * Buffers one member; true when a batch is full and send() must be awaited. Kept
   * synchronous because it runs once a row, millions of times. A member always goes to
   * the same buffer, so its occurrences reach Redis in file order.
   */
  push(member: string, expiry: ExpiryArg): boolean {
    if (this.deleting() || (this.options.uniformExpiry !== undefined && !isPrefixMember(member))) {
      this.numbers.push(member);
      return this.numbers.length >= this.batchSize;
    }
    this.members.push(member);
    this.expiries.push(expiry);
    return this.members.length >= this.batchSize;
  }

  /** Sends what is buffered and waits for every batch to be answered. */
  async flush(): Promise<WriterCounts> {
    await this.send(true);
    while (this.pending.length > 0) await this.pending.shift();
    if (this.failure !== undefined) throw this.failure;
    return this.counts;
  }

  /** Sends full batches (every non-empty one with `all`); waits only at the in-flight limit. */
  async send(all = false): Promise<void> {
    if (this.numbers.length >= this.batchSize || (all && this.numbers.length > 0)) {
      const members = this.numbers;
      this.numbers = [];
      await this.dispatch(['numbers', this.options.uniformExpiry as ExpiryArg, members.join('\n')]);
    }
    if (this.members.length >= this.batchSize || (all && this.members.length > 0)) {
      const [members, expiries] = [this.members, this.expiries];
      this.members = [];
      this.expiries = [];
      await this.dispatch(['pairs', members.join('\n'), expiries.join('\n')]);
    }
  }

  private deleting(): boolean {
    return this.options.mode === 'delete' || this.options.mode === 'dry-delete';
  }

  private async dispatch(body: string[]): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.deleting()) return this.dispatchDelete(body[2] as string);
    const header = [String(this.options.now), this.options.mode, String(this.options.ttlMs ?? 0)];
    const reply = this.redis
      .callguardImportBatch(this.target.exact, this.target.timed, this.target.info, ...header, ...body)
      .then(([imported, duplicates, exactSize, timedSize]) => {
        this.counts.imported += imported;
        this.counts.duplicates += duplicates;
        this.counts.exactSize = exactSize;
        this.counts.timedSize = timedSize;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      });
    await this.track(reply);
  }

  /** A deletion batch: `imported` counts the numbers removed, `duplicates` those not listed. */
  private async dispatchDelete(members: string): Promise<void> {
    const { exact, timed, info, meta } = this.target;
    if (meta === undefined) throw new Error('a deletion needs the list\'s meta key');
    const reply = this.redis
      .callguardImportDelete(exact, timed, meta, info, this.options.now, this.options.mode === 'dry-delete' ? '1' : '0', members)
      .then(([removed, absent]) => {
        this.counts.imported += removed;
        this.counts.duplicates += absent;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      });
    await this.track(reply);
  }

  private async track(reply: Promise<void>): Promise<void> {
    this.pending.push(reply);
    if (this.pending.length >= this.inFlight) await this.pending.shift();
    if (this.failure !== undefined) throw this.failure;
  }
}

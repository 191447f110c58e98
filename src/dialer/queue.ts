import type { RedisClient } from '../redis/connect.js';
import { dialKeys } from '../lists/keys.js';
import { requestFields, type NewDialRequest } from './request-fields.js';
import { parseResultFields, resultFields } from './result-fields.js';
import type { NextStep } from './retry-policy.js';
import { defineDialScripts } from './scripts.js';
import type { AttemptResult, RequestState } from './types.js';

/** The consumer group every callguard instance reads the requests stream with. */
export const DIALER_GROUP = 'dialers';
/** Results kept (approximately; older entries are trimmed as new ones arrive). */
export const DEFAULT_RESULTS_MAX_LEN = 1_000_000;

export interface StreamEntry {
  id: string;
  fields: string[];
}

/** An attempt in progress: the lease that reserves it, and the request it is for. */
export interface Lease {
  lease: string;
  campaign: string;
  state: RequestState;
}

type RawEntries = [string, string[]][];

/**
 * The dialer's Redis side: the requests stream and its consumer group, the state of
 * requests in work, the due and in-flight sets per campaign, and the results stream.
 * Every step that touches more than one key is one Lua script (./scripts).
 */
export class DialQueue {
  private readonly keys: ReturnType<typeof dialKeys>;

  constructor(
    private readonly redis: RedisClient,
    namespace: string,
    private readonly resultsMaxLen: number = DEFAULT_RESULTS_MAX_LEN,
  ) {
    defineDialScripts(redis);
    this.keys = dialKeys(namespace);
  }

  /** Appends a request to the stream; returns its stream entry id. */
  async enqueue(request: NewDialRequest): Promise<string> {
    const id = await this.redis.xadd(this.keys.requests, '*', ...requestFields(request));
    if (id === null) throw new Error('XADD returned no id');
    return id;
  }

  /** Creates the consumer group (and the stream) unless it exists. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.requests, DIALER_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
  }

  /** Entries never delivered to any consumer. */
  async readNew(consumer: string, count: number): Promise<StreamEntry[]> {
    const reply = (await this.redis.xreadgroup(
      'GROUP', DIALER_GROUP, consumer, 'COUNT', count, 'STREAMS', this.keys.requests, '>',
    )) as [string, RawEntries][] | null;
    return (reply?.[0]?.[1] ?? []).map(([id, fields]) => ({ id, fields }));
  }

  /**
   * Entries delivered to a consumer that has not acknowledged them for `minIdleMs` (it
   * crashed between reading and taking them), from `cursor` on; returns the next cursor.
   */
  async reclaim(consumer: string, minIdleMs: number, count: number, cursor: string): Promise<{ cursor: string; entries: StreamEntry[] }> {
    const reply = (await this.redis.xautoclaim(
      this.keys.requests, DIALER_GROUP, consumer, minIdleMs, cursor, 'COUNT', count,
    )) as [string, (RawEntries[number] | null)[]];
    const entries = reply[1].filter((entry): entry is RawEntries[number] => entry !== null);
    return { cursor: reply[0], entries: entries.map(([id, fields]) => ({ id, fields })) };
  }

  /** Stores the request, makes it due at `dueAt` and acks its entry; false when its id was already in work. */
  async take(entryId: string, state: RequestState, dueAt: number): Promise<boolean> {
    const taken = await this.redis.callguardDialTake(
      this.keys.requests, this.keys.state, this.keys.due(state.campaign),
      DIALER_GROUP, entryId, state.id, JSON.stringify(state), dueAt,
    );
    return taken === 1;
  }

  /** Writes the REJECTED result of an entry and acks it. */
  async reject(entryId: string, result: AttemptResult): Promise<void> {
    await this.redis.callguardDialReject(
      this.keys.requests, this.keys.results, DIALER_GROUP, entryId, this.resultsMaxLen, ...resultFields(result),
    );
  }

  /** Takes up to `limit` due requests of a campaign into attempts, within its concurrency. */
  async claim(
    campaign: string,
    options: { now: number; maxConcurrent: number; limit: number; leaseMs: number; nonce: string },
  ): Promise<Lease[]> {
    const reply = await this.redis.callguardDialClaim(
      this.keys.due(campaign), this.keys.inflight(campaign), this.keys.state,
      options.now, options.maxConcurrent, options.limit, options.leaseMs, options.nonce,
    );
    const leases: Lease[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      leases.push({ lease: reply[i] as string, campaign, state: JSON.parse(reply[i + 1] as string) as RequestState });
    }
    return leases;
  }

  /**
   * Ends an attempt: appends `result` (none when no attempt was made), releases the lease,
   * and finishes the request or makes it due again. False when the lease was already gone.
   */
  async finish(lease: Lease, next: NextStep, state: RequestState, result?: AttemptResult): Promise<boolean> {
    const done = await this.redis.callguardDialFinish(
      this.keys.state, this.keys.due(lease.campaign), this.keys.inflight(lease.campaign), this.keys.results,
      lease.lease, state.id, this.resultsMaxLen,
      next.final ? '' : next.retryAt, next.final ? '' : JSON.stringify(state),
      ...(result ? resultFields(result) : []),
    );
    return done === 1;
  }

  /** Extends leases of one campaign; returns those that were gone. */
  async renew(campaign: string, leases: string[], leaseMs: number): Promise<string[]> {
    if (leases.length === 0) return [];
    const flags = await this.redis.callguardDialRenew(this.keys.inflight(campaign), leaseMs, ...leases);
    return leases.filter((_, i) => flags[i] !== 1);
  }

  /** Requests of a campaign waiting for an attempt, and attempts in flight now. */
  async counts(campaign: string): Promise<{ waiting: number; inFlight: number }> {
    const [waiting, inFlight] = await Promise.all([
      this.redis.zcard(this.keys.due(campaign)),
      this.redis.zcard(this.keys.inflight(campaign)),
    ]);
    return { waiting, inFlight };
  }

  /** The state of a request in work, or undefined when it finished or never existed. */
  async state(requestId: string): Promise<RequestState | undefined> {
    const text = await this.redis.hget(this.keys.state, requestId);
    return text === null ? undefined : (JSON.parse(text) as RequestState);
  }

  /** Results newest first, scanning at most `scan` entries; only `campaign`'s when given. */
  async results(options: { campaign?: string; since?: number; scan: number }): Promise<AttemptResult[]> {
    const start = options.since === undefined ? '-' : String(options.since);
    const reply = (await this.redis.xrevrange(this.keys.results, '+', start, 'COUNT', options.scan)) as RawEntries;
    const results: AttemptResult[] = [];
    for (const [, fields] of reply) {
      const result = parseResultFields(fields);
      if (!result || (options.campaign !== undefined && result.campaign !== options.campaign)) continue;
      results.push(result);
    }
    return results;
  }
}

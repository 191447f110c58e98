import { dialKeys } from '../lists/keys.js';
import { liveNumbers } from '../lists/live-numbers.js';
import type { RedisClient } from '../redis/connect.js';
import type { Campaign } from './campaign.js';

/** What an attempt presents: the number, or the campaign's own caller id, and why when the list gave none. */
export interface PickedCallerId {
  /** undefined: the endpoint's own (no caller id given to the originate) */
  callerId?: string;
  /** set when the campaign names a caller id list that gave no number */
  fallback?: string;
}

/**
 * The caller id of one attempt. A campaign with a caller id list (Daktela's "random
 * number presentation from list") presents one of its E.164 numbers, in turn (a counter
 * in Redis, so the turn goes on across instances and restarts) or at random. A list that
 * is missing, disabled, empty or unreadable does not stop the call: the campaign's
 * --caller-id (or the trunk's) is presented instead, and `fallback` says why.
 */
export class CallerIdPicker {
  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
    private readonly random: () => number = Math.random,
    private readonly clock: () => number = Date.now,
  ) {}

  async pick(campaign: Pick<Campaign, 'name' | 'callerId' | 'callerIdList'>): Promise<PickedCallerId> {
    const own = campaign.callerId === undefined ? {} : { callerId: campaign.callerId };
    const pool = campaign.callerIdList;
    if (pool === undefined) return own;
    try {
      const numbers = await liveNumbers(this.redis, this.namespace, pool.list, this.clock());
      if (numbers === undefined) return { ...own, fallback: `caller id list ${pool.list} does not exist` };
      if (numbers.length === 0) return { ...own, fallback: `caller id list ${pool.list} holds no number now (empty or disabled)` };
      const index =
        pool.order === 'random'
          ? Math.floor(this.random() * numbers.length)
          : (await this.redis.incr(dialKeys(this.namespace).callerIdTurn(campaign.name))) - 1;
      return { callerId: numbers[index % numbers.length] as string };
    } catch (error) {
      return { ...own, fallback: `caller id list ${pool.list} could not be read: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}
